"""Load on the SPARQL endpoint: guidegraph's `/sparql` beside Oxigraph's own server, on the same store.

    python -m bench.serve [--store PATH] [--seconds 5] [--clients 1,8] [--max-requests 20000]

Starts ``guidegraph serve`` and ``oxigraph serve-read-only`` (PyPI's ``oxigraph``, the same
engine as pyoxigraph) on the current generation of one store, each on a free 127.0.0.1 port,
and drives both from this process, which is neither server: for each query and each number of
clients, every client sends the query over one kept-alive connection, again and again, until
``--seconds`` pass or ``--max-requests`` were sent. It prints queries/s, p50, p95 and errors
side by side with their ratio, then the simple SELECT again while one never-ending query holds
a query worker of guidegraph. Both servers are stopped at the end. Nothing is sent anywhere but
127.0.0.1, every loop is bounded in count and time, and the run stops by itself.

``--store`` defaults to a temporary store of the default corpus, built first (without
reasoning). ``--guidegraph-only`` skips Oxigraph's server (when the ``oxigraph`` package is
not installed: ``pip install -e '.[bench]'``).
"""
from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROLOGUE = ("PREFIX gg: <https://w3id.org/guidegraph/ontology#>\n"
            "PREFIX dcterms: <http://purl.org/dc/terms/>\n")
SIMPLE = PROLOGUE + "SELECT ?document ?title WHERE { ?document a gg:GuidelineDocument ; dcterms:title ?title }"
POINT = PROLOGUE + "SELECT ?text ?start ?end WHERE {{ <{iri}> gg:text ?text ; gg:start ?start ; gg:end ?end }}"
NEVER_ENDS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
ACCEPT = {"Accept": "application/sparql-results+json"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(port: int, path: str, seconds: float) -> bool:
    """Poll (bounded) until GET path on 127.0.0.1:port answers 200."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path, headers=ACCEPT)
            ok = conn.getresponse().status == 200
            conn.close()
            if ok:
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def start(command: list[str], port: int) -> subprocess.Popen:
    """Start a server and wait (at most 60 s) until it answers ASK {} on its port."""
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not _answers(port, "/query?" + urllib.parse.urlencode({"query": "ASK {}"})
                    if "oxigraph" in Path(command[0]).name else "/sparql?query=ASK%7B%7D", 60):
        stop(proc)
        raise SystemExit(f"{command[0]} did not start on 127.0.0.1:{port}")
    return proc


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(30)


@dataclass
class Figures:
    """What one run of clients measured."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def quantile(self, q: float) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[round(q * 100) - 1]


def drive(port: int, route: str, queries, clients: int, seconds: float, max_requests: int) -> Figures:
    """Send queries from ``clients`` threads over kept-alive connections; bounded by time and count."""
    figures = Figures()
    lock = threading.Lock()
    sent = [0]
    stop_at = time.monotonic() + seconds

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = k
        try:
            while time.monotonic() < stop_at:
                with lock:
                    if sent[0] >= max_requests:
                        return
                    sent[0] += 1
                path = route + "?" + urllib.parse.urlencode({"query": queries(n)})
                n += clients
                began = time.perf_counter()
                try:
                    conn.request("GET", path, headers=ACCEPT)
                    resp = conn.getresponse()
                    resp.read()
                    ok = resp.status == 200
                    if resp.will_close:
                        conn.close()
                except (OSError, http.client.HTTPException):
                    ok = False
                    conn.close()
                took = time.perf_counter() - began
                with lock:
                    if ok:
                        figures.latencies.append(took)
                    else:
                        figures.errors += 1
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    figures.seconds = time.perf_counter() - began
    return figures


def _row(name: str, clients: int, gg: Figures, ox: Figures | None) -> str:
    def cells(f: Figures) -> str:
        return f"{f.per_second:8,.0f} {f.quantile(0.5) * 1000:7.1f} {f.quantile(0.95) * 1000:7.1f} {f.errors:6d}"

    line = f"{name:<32} {clients:>3}  {cells(gg)}"
    if ox is not None:
        ratio = ox.per_second / gg.per_second if gg.per_second else float("inf")
        line += f"   {cells(ox)}   {ratio:6.1f}×"
    return line


def cpu_seconds(pid: int, with_children: bool = False) -> float:
    """Return the CPU time (user + system) a process has used, and its live children's when asked."""
    pids = [pid]
    if with_children:
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                pids += [int(p) for p in (task / "children").read_text().split()]
            except OSError:
                continue
    total = 0.0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def statement_iris(store_path: str, count: int) -> list[str]:
    import pyoxigraph as ox

    from guidegraph.store.embedded import Store

    db = ox.Store.read_only(str(Store(store_path).current))
    rows = db.query("PREFIX gg: <https://w3id.org/guidegraph/ontology#> "
                    f"SELECT ?s WHERE {{ ?s a gg:Statement ; gg:text ?t }} LIMIT {count}",
                    use_default_graph_as_union=True)
    return [r["s"].value for r in rows]


def run(store: str, seconds: float, clients: list[int], max_requests: int, with_oxigraph: bool,
        serve_args: list[str], out=sys.stdout) -> dict:
    """Measure both servers; print the table and return the figures by (query, clients, server)."""
    from guidegraph.store.embedded import Store

    iris = statement_iris(store, 64)
    queries = {
        "simple SELECT": lambda n: SIMPLE,
        "point lookup (64 statements)": lambda n: POINT.format(iri=iris[n % len(iris)]),
        # a text no worker has seen: the parse-tree check cannot come from a cache
        "point lookup, every text new": lambda n: POINT.format(iri=iris[n % len(iris)]) + f"\n# request {n}",
    }
    gg_port = free_port()
    gg = start([sys.executable, "-m", "guidegraph", "serve", "--store", store, "--port", str(gg_port), *serve_args],
               gg_port)
    ox_proc = None
    results: dict = {}
    cpu_rows: list[str] = []
    try:
        if with_oxigraph:
            ox_port = free_port()
            oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
            ox_proc = start([oxigraph, "serve-read-only", "--location", str(Store(store).current),
                             "--bind", f"127.0.0.1:{ox_port}", "--union-default-graph"], ox_port)
        head = f"{'':<32} {'':>3}  {'guidegraph /sparql':^37}"
        if with_oxigraph:
            head += f"   {'oxigraph serve-read-only':^37}   {'ratio':>7}"
        print(head, file=out)
        sub = f"{'query':<32} {'cl':>3}  {'q/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6}"
        if with_oxigraph:
            sub += f"   {'q/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6}   {'ox/gg':>7}"
        print(sub, file=out)
        for name, queries_of in queries.items():
            for n in clients:
                drive(gg_port, "/sparql", queries_of, n, min(1.0, seconds), max_requests)  # warm up
                used = (cpu_seconds(gg.pid), cpu_seconds(gg.pid, True), time.process_time())
                g = drive(gg_port, "/sparql", queries_of, n, seconds, max_requests)
                cpu = {"server": cpu_seconds(gg.pid) - used[0],
                       "workers": cpu_seconds(gg.pid, True) - used[1] - (cpu_seconds(gg.pid) - used[0]),
                       "load generator": time.process_time() - used[2]}
                o = None
                if with_oxigraph:
                    drive(ox_port, "/query", queries_of, n, min(1.0, seconds), max_requests)
                    before = cpu_seconds(ox_proc.pid)
                    o = drive(ox_port, "/query", queries_of, n, seconds, max_requests)
                    cpu["oxigraph server"] = cpu_seconds(ox_proc.pid) - before
                results[(name, n)] = (g, o)
                print(_row(name, n, g, o), file=out, flush=True)
                cpu_rows.append(f"{name:<32} {n:>3}  " + ", ".join(
                    f"{who} {seconds_used * 1000 / max(1, len((o if who == 'oxigraph server' else g).latencies)):.2f}"
                    for who, seconds_used in cpu.items()))
        print("\nCPU ms per answered query (guidegraph's server process, its query workers, this load "
              "generator while it drove guidegraph; Oxigraph's server):", file=out)
        for line in cpu_rows:
            print(line, file=out)
        print(file=out)
        # one never-ending query holds a worker (until the server's time limit) while eight clients go on
        n = max(clients)
        base = results[("simple SELECT", n)][0]
        holder = threading.Thread(target=drive, args=(gg_port, "/sparql", lambda k: NEVER_ENDS, 1, 0.01, 1),
                                  daemon=True)
        holder.start()
        time.sleep(0.5)
        loaded = drive(gg_port, "/sparql", queries["simple SELECT"], n, seconds, max_requests)
        share = loaded.per_second / base.per_second if base.per_second else 0.0
        print(_row("simple SELECT + 1 never-ending", n, loaded, None)
              + f"   {share:.0%} of the throughput without it", file=out)
        results[("never-ending", n)] = (loaded, None)
    finally:
        stop(gg)
        if ox_proc is not None:
            stop(ox_proc)
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", help="a built store (default: build corpus/ into a temporary one)")
    ap.add_argument("--seconds", type=float, default=5.0, help="seconds each measurement lasts (default 5)")
    ap.add_argument("--clients", default="1,8", help="numbers of clients, comma-separated (default 1,8)")
    ap.add_argument("--max-requests", type=int, default=20_000, help="requests at most per measurement")
    ap.add_argument("--guidegraph-only", action="store_true", help="do not start Oxigraph's server")
    ap.add_argument("--timeout", type=float, default=30, help="guidegraph serve --timeout (default 30)")
    args = ap.parse_args()
    if not 0 < args.seconds <= 120 or not 0 < args.max_requests <= 1_000_000:
        ap.error("--seconds must be in (0, 120] and --max-requests in (0, 1000000]")
    clients = [int(c) for c in args.clients.split(",")]
    if not all(1 <= c <= 64 for c in clients):
        ap.error("--clients: each from 1 to 64")
    store = args.store
    if store is None:
        from guidegraph.build import build

        store = tempfile.mkdtemp() + "/store"
        build(None, store, reason=False)
    with_oxigraph = not args.guidegraph_only
    if with_oxigraph and not (shutil.which("oxigraph") or (Path(sys.executable).parent / "oxigraph").exists()):
        raise SystemExit("the oxigraph command is missing: pip install -e '.[bench]', or give --guidegraph-only")
    run(store, args.seconds, clients, args.max_requests, with_oxigraph, ["--timeout", str(args.timeout)])


if __name__ == "__main__":
    main()
