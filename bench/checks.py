"""Time every check on synthetic corpora of growing size: the checks stage must stay linear.

``python -m bench.checks --documents 100 1000`` writes each synthetic corpus (``bench.synth``, the
same seed), builds it without reasoning, SHACL or checks, then runs every check of
queries/checks/ once on the store, in this process and without a time limit, and prints for each
size: the seconds and findings of each check, the checks stage in all, and the ratio of each
check's time to the smallest size's (linear growth is the ratio of the sizes). Nothing here is
asserted: the figures go to docs/checks.md.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from bench.synth import write_corpus
from guidegraph.build import build
from guidegraph.checks.sparql import load_checks
from guidegraph.namespaces import PREFIXES
from guidegraph.store.embedded import Store

FINDING = "https://w3id.org/guidegraph/ontology#Finding"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def time_checks(store_path: Path) -> dict[str, tuple[float, int]]:
    """Return, per check, (seconds, findings) on the store at ``store_path``."""
    db = ox.Store.read_only(str(Store(store_path).current))
    out = {}
    for check in load_checks():
        start = time.perf_counter()
        triples = list(db.query(check.text, prefixes=PREFIXES, use_default_graph_as_union=True))
        seconds = time.perf_counter() - start
        findings = sum(1 for t in triples if t.predicate.value == TYPE and t.object.value == FINDING)
        out[check.name] = (seconds, findings)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.checks", description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=None, help="keep the corpora and stores here")
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="gg-bench-checks-"))
    results: dict[int, dict[str, tuple[float, int]]] = {}
    for n in args.documents:
        corpus, store = work / f"synth-{n}", work / f"store-{n}"
        if not corpus.exists():
            write_corpus(corpus, n, seed=args.seed)
        if not (store / "current").exists():
            started = time.perf_counter()
            build([corpus], Store(store), workers=2, reason=False, check_shapes=False, run_checks=False)
            print(f"{n} documents built (no reasoning, SHACL or checks) in {time.perf_counter() - started:.0f} s",
                  flush=True)
        results[n] = time_checks(store)
    sizes = args.documents
    base = sizes[0]
    head = "check".ljust(34) + "".join(f"{n:>10} docs  findings" for n in sizes) + "   ratio to " + str(base)
    print(head)
    for name in results[base]:
        cells = "".join(f"{results[n][name][0]:>13.2f} s {results[n][name][1]:>8}" for n in sizes)
        ratios = " ".join(f"{results[n][name][0] / max(results[base][name][0], 1e-3):6.1f}" for n in sizes[1:])
        print(name.ljust(34) + cells + "   " + ratios)
    totals = {n: sum(s for s, _ in results[n].values()) for n in sizes}
    print("checks stage".ljust(34) + "".join(f"{totals[n]:>13.2f} s {'':>8}" for n in sizes) + "   "
          + " ".join(f"{totals[n] / totals[base]:6.1f}" for n in sizes[1:]))
    print(f"(corpora and stores in {work})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
