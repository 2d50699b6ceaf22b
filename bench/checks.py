"""Time the checks stage on synthetic corpora of growing size: it must stay linear.

``python -m bench.checks --documents 100 1000`` writes each synthetic corpus (``bench.synth``, the
same seed), builds it without reasoning, SHACL or checks, then runs the checks stage on the store
the way a build does (the quads the checks read copied into memory, ``CheckDataset``; then
``run_checks_bounded``: each check in its own forked process with the build's per-check
timeout, ``--workers`` at once) and prints for each size: the seconds and findings of
each check, the findings per kind (``gg:CheckIncomplete`` for a check that was stopped), the
stage's wall time, and the ratio of each check's time to the smallest size's (linear growth is
the ratio of the sizes). ``--workers 1`` times each check alone. Nothing here is asserted: the
figures go to docs/checks.md.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from bench.synth import write_corpus
from guidegraph.build import build
from guidegraph.checks.dataset import CheckDataset
from guidegraph.checks.sparql import check_workers, load_checks, run_checks_bounded
from guidegraph.store.embedded import Store

GG = "https://w3id.org/guidegraph/ontology#"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
CHECK_NAME = GG + "checkName"


def check_dataset(store_path: Path) -> CheckDataset:
    """Copy what the checks read from the store at ``store_path`` into memory, as a build does.

    A build feeds the dataset the N-Quads it writes; here the store is dumped to N-Quads first
    (not part of the stage: a build has those lines already), then fed to the dataset, whose
    ``seconds`` are the stage's share.
    """
    dataset = CheckDataset()
    with tempfile.TemporaryDirectory(prefix="gg-bench-dump-") as tmp:
        dump = Path(tmp) / "store.nq"
        ox.Store.read_only(str(Store(store_path).current)).dump(str(dump), format=ox.RdfFormat.N_QUADS)
        dataset.add_file(dump)
    return dataset


def time_checks(store_path: Path, timeout: float, workers: int) -> tuple[float, dict, Counter, float]:
    """Run the checks stage on the store at ``store_path``, the way a build does.

    Returns the stage's wall time (the checks, from the first start to the last answer, findings
    parsed), per check (seconds, findings), the findings per kind, and the seconds spent copying
    what the checks read into memory (a build does that while it ingests the documents).
    """
    seconds: dict[str, float] = {}
    dataset = check_dataset(store_path)
    start = time.perf_counter()
    quads, unfinished = run_checks_bounded(dataset.store, timeout, workers=workers, seconds=seconds)
    wall = time.perf_counter() - start
    print(f"  {dataset.quads:,} quads copied to memory for the checks in {dataset.seconds:.1f} s", flush=True)
    types: dict[str, set[str]] = {}
    check_of: dict[str, str] = {}
    for q in quads:
        if q.predicate.value == TYPE and q.object.value.startswith(GG):
            types.setdefault(q.subject.value, set()).add(q.object.value[len(GG):])
        elif q.predicate.value == CHECK_NAME:
            check_of[q.subject.value] = q.object.value
    per_check = Counter(check_of[f] for f, kinds in types.items() if "CheckIncomplete" not in kinds)
    kinds = Counter(k for ks in types.values() for k in ks if k != "Finding")
    out = {c.name: (seconds[c.name], "stopped" if c.name in unfinished else per_check[c.name]) for c in load_checks()}
    return wall, out, kinds, dataset.seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.checks", description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=60.0, help="per-check timeout, as `build --check-timeout`")
    parser.add_argument("--workers", type=int, default=check_workers(), help="checks run at once (default: the cores)")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the corpora and stores here")
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="gg-bench-checks-"))
    results: dict[int, tuple[float, dict, Counter, float]] = {}
    for n in args.documents:
        corpus, store = work / f"synth-{n}", work / f"store-{n}"
        if not corpus.exists():
            write_corpus(corpus, n, seed=args.seed)
        if not (store / "current").exists():
            started = time.perf_counter()
            build([corpus], Store(store), workers=2, reason=False, check_shapes=False, run_checks=False)
            print(f"{n} documents built (no reasoning, SHACL or checks) in {time.perf_counter() - started:.0f} s",
                  flush=True)
        results[n] = time_checks(store, args.timeout, args.workers)
    sizes = args.documents
    base = sizes[0]
    print(f"checks stage, {args.workers} at once, each stopped after {args.timeout:g} s")
    head = "check".ljust(34) + "".join(f"{n:>10} docs  findings" for n in sizes) + "   ratio to " + str(base)
    print(head)
    for name in results[base][1]:
        cells = "".join(f"{results[n][1][name][0]:>13.2f} s {results[n][1][name][1]:>8}" for n in sizes)
        ratios = " ".join(f"{results[n][1][name][0] / max(results[base][1][name][0], 1e-3):6.1f}" for n in sizes[1:])
        print(name.ljust(34) + cells + "   " + ratios)
    print("sum of the checks' times".ljust(34) + "".join(
        f"{sum(s for s, _ in results[n][1].values()):>13.2f} s {'':>8}" for n in sizes))
    walls = {n: results[n][0] for n in sizes}
    print("checks stage (wall)".ljust(34) + "".join(f"{walls[n]:>13.2f} s {'':>8}" for n in sizes) + "   "
          + " ".join(f"{walls[n] / walls[base]:6.1f}" for n in sizes[1:]))
    print("copy for the checks (in ingestion)".ljust(34) + "".join(f"{results[n][3]:>13.2f} s {'':>8}" for n in sizes))
    print("both".ljust(34) + "".join(f"{walls[n] + results[n][3]:>13.2f} s {'':>8}" for n in sizes))
    print()
    print("findings per kind".ljust(34) + "".join(f"{n:>10} docs" for n in sizes))
    for kind in sorted(set().union(*(results[n][2] for n in sizes))):
        print(kind.ljust(34) + "".join(f"{results[n][2][kind]:>15}" for n in sizes))
    print(f"(corpora and stores in {work})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
