"""Server-side page times on the default corpus (target: p95 < 100 ms).

    python -m bench.pages [--store PATH] [--runs 20]

Builds the default corpus into a temporary store unless --store is given, then requests each
page through Flask's test client and prints p50 and p95 per page.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time

PAGES = [
    "/", "/index.json",
    "/document/oracle-esophageal-cancer-bone-metastases", "/document/oracle-esophageal-cancer-bone-metastases.json",
    "/document/oracle-breast-cancer-bone-metastasis/statement/1277",
    "/document/oracle-breast-cancer-bone-metastasis/statement/1277.json",
    "/concept/Bisphosphonate", "/checks", "/checks.json", "/pathways?PerformanceStatus=1",
    "/pathways/path?from=SpinalInstability&to=Surgery", "/explore", "/explore?node=zoledronate",
    "/compare", "/compare.json", "/search?q=zoledronate", "/query?saved=dangling-markers",
    "/sparql?query=SELECT%20(COUNT(*)%20AS%20%3Fn)%20WHERE%20%7B%3Fs%20a%20gg%3AStatement%7D",
]


def main() -> None:
    from guidegraph.build import build
    from guidegraph.web import create_app

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store")
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    store = args.store
    if store is None:
        store = tempfile.mkdtemp() + "/store"
        build(None, store)
    client = create_app({"STORE": store}).test_client()
    print(f"{'page':<72}{'p50 ms':>9}{'p95 ms':>9}")
    worst = 0.0
    for path in PAGES:
        client.get(path)  # warm
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        times.sort()
        p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
        worst = max(worst, p95)
        print(f"{path[:70]:<72}{statistics.median(times):>9.1f}{p95:>9.1f}")
    print(f"worst p95: {worst:.1f} ms (target < 100 ms)")


if __name__ == "__main__":
    main()
