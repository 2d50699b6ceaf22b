"""Benchmark: build throughput and query latency, against rdflib's in-memory store.

    python -m bench.run [--sizes 5,500,5000] [--workers 2] [--baseline-timeout 60]

For each size N it writes a synthetic corpus (bench/synth.py), builds it in a child process
(documents/s, triples/s, peak memory, store size on disk), then times representative
queries on the embedded store and, side by side, on rdflib's in-memory Dataset loaded with
the same quads (the baseline). Baseline queries that do not finish in the time limit are
reported as such. Prints a table and writes bench/out/results.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from guidegraph.namespaces import sparql_prologue

OUT = Path(__file__).resolve().parent / "out"

QUERIES = {
    # interactive: one statement's provenance (a point lookup)
    "provenance": ("interactive", """
        SELECT ?text ?start ?end ?exact ?number ?ref WHERE {
          ?st gg:text ?text ; gg:start ?start ; gg:end ?end .
          ?a oa:hasBody ?st ; oa:hasTarget/oa:hasSelector ?q . ?q oa:exact ?exact .
          OPTIONAL { ?m gg:citedBy ?st ; gg:number ?number OPTIONAL { ?m c4o:denotes ?ref } }
          VALUES ?st { <STATEMENT> }
        }"""),
    # interactive: statements under a heading, through the section hierarchy (a path)
    "statements-under-heading": ("interactive", """
        SELECT ?st WHERE {
          ?sec gg:heading "Good performance status (ECOG 0-2)" ; dcterms:isPartOf <DOCUMENT> .
          ?st gg:inSection/gg:parentSection* ?sec .
        }"""),
    "dangling-markers": ("whole-corpus", """
        SELECT (COUNT(*) AS ?n) WHERE {
          ?m a c4o:InTextReferencePointer ; gg:number ?num ; gg:citedBy ?st .
          MINUS { ?m c4o:denotes ?r }
        }"""),
    "cross-document-join": ("whole-corpus", """
        SELECT (COUNT(*) AS ?n) WHERE {
          ?s1 cito:citesAsEvidence ?r1 .
          ?r1 a biro:BibliographicReference ; dcterms:title ?t ; dcterms:isPartOf ?d1 .
          ?r2 a biro:BibliographicReference ; dcterms:title ?t ; dcterms:isPartOf ?d2 .
          FILTER(?d1 != ?d2)
        }"""),
    "group-by": ("whole-corpus", """
        SELECT ?doc (COUNT(?m) AS ?markers) WHERE {
          ?m a c4o:InTextReferencePointer ; gg:citedBy/dcterms:isPartOf ?doc .
        } GROUP BY ?doc ORDER BY DESC(?markers) LIMIT 10"""),
}


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def build_child(corpus: Path, store: Path, workers: int) -> dict:
    """Build in a child process; return its report plus wall time and peak memory."""
    code = (
        "import json, resource, sys, time\n"
        "from guidegraph.build import build\n"
        "t = time.perf_counter()\n"
        f"r = build([{str(corpus)!r}], {str(store)!r}, workers={workers}, reason=False, check_shapes=False, "
        "run_checks=False)\n"
        "d = r.as_dict(); d['wall'] = time.perf_counter() - t\n"
        "d['peak_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "d['peak_children_mb'] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps(d))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def reasoning_child(store: Path) -> dict:
    """Time reasoning over a built store in a child process: read facts, HermiT, realisation."""
    code = (
        "import json, time\n"
        "from guidegraph.reason import classify, facts_abox, realise, store_facts, tbox, MAX_CONSISTENCY_FACTS\n"
        "from guidegraph.store.embedded import Store\n"
        f"s = Store({str(store)!r})\n"
        "t = time.perf_counter(); facts = store_facts(s); read = time.perf_counter() - t\n"
        "tb = tbox()\n"
        "abox = facts_abox(facts) if len(facts) <= MAX_CONSISTENCY_FACTS else None\n"
        "t = time.perf_counter(); c = classify(tb, abox); hermit = time.perf_counter() - t\n"
        "t = time.perf_counter(); g, n = realise(facts, c, tb); realisation = time.perf_counter() - t\n"
        "print(json.dumps({'facts': len(facts), 'read_s': read, 'hermit_s': hermit, 'data_checked': c.data_checked,"
        " 'realise_s': realisation, 'inferences': n, 'inferred_triples': len(g)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def checks_child(store: Path, timeout: float) -> dict:
    """Time every check on a built store in a child process, each bounded by ``timeout`` seconds."""
    code = f"""
import json, time, multiprocessing as mp
from guidegraph.checks.sparql import load_checks
from guidegraph.namespaces import PREFIXES
from guidegraph.store.embedded import Store

def one(q, conn):
    db = Store({str(store)!r}).oxigraph()
    t = time.perf_counter()
    n = sum(1 for _ in db.query(q, prefixes=PREFIXES, use_default_graph_as_union=True))
    conn.send((time.perf_counter() - t, n))

out = {{}}
for check in load_checks():
    parent, child = mp.Pipe(duplex=False)
    p = mp.Process(target=one, args=(check.text, child))
    p.start()
    if parent.poll({timeout}):
        seconds, triples = parent.recv()
        out[check.name] = {{"seconds": seconds, "triples": triples}}
    else:
        p.kill()
        out[check.name] = None
    p.join()
print(json.dumps(out))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else {"error": proc.stderr[-300:]}


def _concrete(ds, text: str) -> str:
    pre = sparql_prologue()
    first_step = 'SELECT ?s WHERE { ?s a gg:Statement ; gg:blockKind "step" } ORDER BY ?s LIMIT 1'
    st = next(iter(ds.query(pre + first_step)))[0]
    doc = next(iter(ds.query(pre + f"SELECT ?d WHERE {{ <{st}> dcterms:isPartOf ?d }}")))[0]
    return text.replace("<STATEMENT>", f"<{st}>").replace("<DOCUMENT>", f"<{doc}>")


def time_queries(ds, repeat: dict[str, int]) -> tuple[dict, dict]:
    """Return the median seconds and the row count of each query on an rdflib Dataset."""
    times, rows = {}, {}
    for name, (kind, text) in QUERIES.items():
        q = sparql_prologue() + _concrete(ds, text)
        samples = []
        for _ in range(repeat[kind]):
            t = time.perf_counter()
            result = list(ds.query(q))
            samples.append(time.perf_counter() - t)
        times[name] = statistics.median(samples)
        rows[name] = len(result) if kind == "interactive" or name == "group-by" else int(result[0][0])
    return times, rows


def baseline_child(nquads: Path, timeout: float) -> dict:
    """Load the quads into rdflib's in-memory Dataset and time each query, bounded."""
    code = f"""
import json, signal, statistics, sys, time
from rdflib import Dataset
from bench.run import QUERIES, _concrete
from guidegraph.namespaces import sparql_prologue
class Late(Exception): pass
def late(*_): raise Late()
signal.signal(signal.SIGALRM, late)
ds = Dataset(default_union=True)
t = time.perf_counter(); ds.parse({str(nquads)!r}, format="nquads"); load = time.perf_counter() - t
out = {{"load": load, "queries": {{}}}}
for name, (kind, text) in QUERIES.items():
    q = sparql_prologue() + _concrete(ds, text)
    samples = []
    try:
        for _ in range(3 if kind == "interactive" else 1):
            signal.setitimer(signal.ITIMER_REAL, {timeout})
            t = time.perf_counter(); list(ds.query(q)); samples.append(time.perf_counter() - t)
            signal.setitimer(signal.ITIMER_REAL, 0)
        out["queries"][name] = statistics.median(samples)
    except Late:
        out["queries"][name] = None
print(json.dumps(out))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=timeout * (len(QUERIES) + 2) + 600)
    if proc.returncode:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr else f"exit {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(sizes: list[int], workers: int, baseline_timeout: float, baseline_max_triples: int, keep: bool) -> list[dict]:
    from bench.synth import write_corpus
    from guidegraph.store.embedded import Store

    OUT.mkdir(exist_ok=True)
    results = []
    for n in sizes:
        corpus, store_path = OUT / f"corpus-{n}", OUT / f"store-{n}"
        shutil.rmtree(corpus, ignore_errors=True)
        shutil.rmtree(store_path, ignore_errors=True)
        write_corpus(corpus, n)
        report = build_child(corpus, store_path, workers)
        store = Store(store_path)
        row = {
            "documents": n, "triples": report["totals"]["triples"], "build_s": report["wall"],
            "docs_per_s": n / report["wall"], "triples_per_s": report["totals"]["triples"] / report["wall"],
            "peak_mb": max(report["peak_mb"], report["peak_children_mb"]),
            "store_mb": _du(store.current) / 2**20,
        }
        row["reasoning"] = reasoning_child(store_path)
        row["checks"] = checks_child(store_path, baseline_timeout)
        times, rows = time_queries(store.dataset(), {"interactive": 20, "whole-corpus": 3})
        row["queries"] = {k: {"store_s": v, "rows": rows[k]} for k, v in times.items()}
        if row["triples"] <= baseline_max_triples:
            nq = OUT / f"export-{n}.nq"
            subprocess.run([sys.executable, "-m", "guidegraph", "export", "--store", str(store_path), "--format",
                            "nquads", "-o", str(nq)], check=True, capture_output=True)
            base = baseline_child(nq, baseline_timeout)
            nq.unlink()
            if "error" in base:
                print(f"baseline failed: {base['error']}", file=sys.stderr)
            row["baseline_load_s"] = base.get("load")
            for k, v in base.get("queries", {}).items():
                row["queries"][k]["baseline_s"] = v
        store.close()
        results.append(row)
        print_row(row, baseline_timeout)
        if not keep:
            shutil.rmtree(corpus, ignore_errors=True)
            shutil.rmtree(store_path, ignore_errors=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    return results


def print_row(row: dict, limit: float) -> None:
    """Print one size's figures."""
    print(f"\n== {row['documents']} documents, {row['triples']:,} triples ==")
    print(f"build {row['build_s']:.1f} s: {row['docs_per_s']:.0f} documents/s, {row['triples_per_s']:,.0f} triples/s, "
          f"peak {row['peak_mb']:.0f} MB, store {row['store_mb']:.1f} MB on disk")
    r = row["reasoning"]
    print(f"reasoning {r['read_s'] + r['hermit_s'] + r['realise_s']:.1f} s: "
          f"read {r['facts']:,} facts {r['read_s']:.1f} s, "
          f"HermiT {r['hermit_s']:.1f} s ({r['data_checked']:,} assertions checked), "
          f"realisation {r['realise_s']:.1f} s "
          f"({r['inferences']:,} statements, {r['inferred_triples']:,} inferred triples)")
    checks = row.get("checks", {})
    if "error" not in checks:
        slow = dict(checks)
        total = sum(v["seconds"] for v in slow.values() if v)
        dnf = [k for k, v in slow.items() if v is None]
        worst = max(((k, v["seconds"]) for k, v in slow.items() if v), key=lambda kv: kv[1], default=("-", 0))
        print(f"checks {total:.1f} s in all, slowest {worst[0]} {worst[1]:.1f} s"
              + (f"; did not finish in {limit:g} s: {', '.join(dnf)}" if dnf else ""))
    print(f"{'query':<26}{'rows':>9}{'store ms':>12}{'baseline ms':>16}{'ratio':>10}")
    for name, q in row["queries"].items():
        store_ms = q["store_s"] * 1000
        if "baseline_s" not in q:
            base, ratio = "not run", ""
        elif q["baseline_s"] is None:
            base, ratio = f"> {limit:g} s (DNF)", f"> {limit / q['store_s']:,.0f}x"
        else:
            base, ratio = f"{q['baseline_s'] * 1000:,.1f}", f"{q['baseline_s'] / q['store_s']:,.0f}x"
        print(f"{name:<26}{q['rows']:>9}{store_ms:>12.2f}{base:>16}{ratio:>10}")


def main() -> None:
    ap = argparse.ArgumentParser(description="guidegraph benchmark")
    ap.add_argument("--sizes", default="5,500,5000")
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--baseline-timeout", type=float, default=60.0)
    ap.add_argument("--baseline-max-triples", type=int, default=2_000_000,
                    help="skip the baseline above this size (rdflib needs ~1 KB of memory per triple)")
    ap.add_argument("--keep", action="store_true", help="keep the corpora and stores in bench/out")
    args = ap.parse_args()
    run([int(s) for s in args.sizes.split(",")], args.workers, args.baseline_timeout, args.baseline_max_triples,
        args.keep)


if __name__ == "__main__":
    main()
