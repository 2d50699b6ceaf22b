"""The hostile-input probe: attack a running guidegraph server on loopback and count what held.

    python -m bench.probe [--store PATH] [--load 400] [--clients 8]

Starts ``guidegraph serve`` on a free 127.0.0.1 port (building the default corpus into a
temporary store unless --store is given), with a listener on another loopback port that a
``SERVICE`` query would reach, then sends every request of :func:`attacks` and a bounded burst
of simple queries. It prints one line per attack (tried / held, and why not) and the totals,
and exits 1 when anything did not hold. Every loop is bounded in count and time; nothing is
sent anywhere but 127.0.0.1.
"""
from __future__ import annotations

import argparse
import http.client
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEVER_ENDS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
MEMORY_HOG = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i LIMIT 1"


@dataclass
class Answer:
    """What the server said to one request."""

    status: int
    headers: dict
    body: bytes


@dataclass
class Attack:
    """One hostile request and what a server that holds must answer."""

    name: str
    send: Callable[[int], Answer]
    holds: Callable[[Answer], bool]
    expected: str


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
            timeout: float = 60) -> Answer:
    """Send one request to the server on 127.0.0.1 and read its whole answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    except (ConnectionError, TimeoutError, http.client.HTTPException) as exc:
        return Answer(0, {}, repr(exc).encode())
    finally:
        conn.close()


def get(query: str, route: str = "/sparql", **extra) -> Callable[[int], Answer]:
    return lambda port: request(port, "GET", route + "?" + urllib.parse.urlencode({"query": query, **extra}))


def form_post(query: str) -> Callable[[int], Answer]:
    return lambda port: request(port, "POST", "/sparql", urllib.parse.urlencode({"query": query}).encode(),
                                {"Content-Type": "application/x-www-form-urlencoded"})


def direct_post(query: str) -> Callable[[int], Answer]:
    return lambda port: request(port, "POST", "/sparql", query.encode("utf-8"),
                                {"Content-Type": "application/sparql-query"})


def status_in(*codes: int) -> Callable[[Answer], bool]:
    return lambda a: a.status in codes


def service_queries(target: str) -> list[str]:
    """Return SERVICE queries in the spellings and places a text filter misses."""
    return [
        f"SELECT * WHERE {{ BIND(<http://x/\\u0041#> AS ?a) SERVICE <{target}> {{ ?leak ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND('\\u0027#' AS ?a) SERVICE <{target}> {{ ?leak ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{target}> {{ ?leak ?p ?o }} }}",
        f"select * where {{ service silent <{target}> {{ ?leak ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }} LIMIT 1",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }} LIMIT 1",
        f"SELECT * WHERE {{ ?s ?p ?o MINUS {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }} LIMIT 1",
        f"SELECT * WHERE {{ SERVICE # comment\n <{target}> {{ ?leak ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{target}> AS ?ep) SERVICE ?ep {{ ?leak ?p ?o }} }}",
    ]


UPDATES = ["INSERT DATA { <urn:a> <urn:b> <urn:c> }", "DELETE WHERE { ?s ?p ?o }", "LOAD <http://127.0.0.1:9/x>",
           "CLEAR ALL", "DROP SILENT GRAPH <urn:g>", "COPY DEFAULT TO <urn:g>", "ADD <urn:a> TO <urn:b>"]
MALFORMED = ["SELECT * WHERE { ?s ?p }", "hello", "", "SELECT * WHERE " + "{ " * 5000 + "?s ?p ?o" + " }" * 5000,
             "SELECT * WHERE { ?s ?p \"\\uZZZZ\" }", "ASK {" * 3, "SELECT (" * 2000]
BAD_PAGES = ['/document/"x', "/concept/'x", "/explore?node=https://x/<script>", "/explore/expand.json?node=http://x/%00",
             "/checks.json?severity=anything", "/pathways?PerformanceStatus=1e999", "/pathways?PerformanceStatus=nan",
             "/document/../../etc/passwd", "/static/../../pyproject.toml", "/query.json?saved=../../etc/passwd",
             "/sparql?query=ASK%7B%3Fs%20%3Fp%20%22%FF%22%7D", "/query.json?page=1e999", "/query.json?page=-1"]


def attacks(listener_port: int, body_limit: int) -> list[Attack]:
    """Return every hostile request of the probe with what must come back."""
    target = f"http://127.0.0.1:{listener_port}/sparql"
    out = []
    for i, q in enumerate(service_queries(target), 1):
        for how, send in (("GET", get(q)), ("form POST", form_post(q)), ("direct POST", direct_post(q)),
                          ("console", get(q, "/query.json"))):
            out.append(Attack(f"SERVICE variant {i} by {how}", send, status_in(400, 403), "400/403"))
    for q in UPDATES:
        out.append(Attack(f"update as a query: {q[:30]}", direct_post(q), status_in(403), "403"))
        out.append(Attack(f"update by the protocol: {q[:30]}", lambda port, q=q: request(
            port, "POST", "/sparql", urllib.parse.urlencode({"update": q}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"}), status_in(403), "403"))
    for q in MALFORMED:
        out.append(Attack(f"malformed: {q[:30]!r}", direct_post(q), status_in(400), "400"))
    out.append(Attack("memory hog", get(MEMORY_HOG), lambda a: a.status == 503 and b"memory" in a.body, "503 memory"))
    out.append(Attack("never-ending query", get(NEVER_ENDS), lambda a: a.status == 503 and b"stopped" in a.body,
                      "503 in time"))
    out.append(Attack("never-ending query in the console", get(NEVER_ENDS, "/query.json"),
                      lambda a: a.status == 503, "503 in time"))
    out.append(Attack("body over the limit", lambda port: request(
        port, "POST", "/sparql", b"#" * (body_limit + 1), {"Content-Type": "application/sparql-query"}),
        status_in(413), "413"))
    out.append(Attack("Content-Length over the limit, no body", lambda port: _claimed_length(port, body_limit * 500),
                      lambda a: a.status in (0, 413), "413 before reading"))
    for path in BAD_PAGES:
        out.append(Attack(f"bad page: {path}", lambda port, path=path: request(port, "GET", path),
                          lambda a: a.status in (400, 404), "400/404"))
    out.append(Attack("OPTIONS advertises only GET and POST", lambda port: request(port, "OPTIONS", "/sparql"),
                      lambda a: set(a.headers.get("allow", "").replace(" ", "").split(","))
                      <= {"GET", "HEAD", "POST", "OPTIONS"},
                      "Allow: GET, POST"))
    out.append(Attack("security headers", lambda port: request(port, "GET", "/"),
                      lambda a: a.headers.get("x-content-type-options") == "nosniff"
                      and "content-security-policy" in a.headers
                      and ("x-frame-options" in a.headers
                           or "frame-ancestors" in a.headers.get("content-security-policy", "")),
                      "CSP, nosniff, framing refused"))
    return out


def _claimed_length(port: int, length: int) -> Answer:
    # announce a huge body, send none: the server must answer without waiting to read it
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                  f"Content-Length: {length}\r\n\r\n".encode())
        try:
            head = s.recv(4096)
        except TimeoutError:
            return Answer(-1, {}, b"no answer while the body was awaited")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return Answer(status, {}, head)


class Listener:
    """A loopback TCP listener that counts the connections a SERVICE query would make."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]

    def connections(self) -> int:
        """Return how many connections came (each accepted and closed)."""
        count = 0
        for _ in range(100):
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                return count
            count += 1
            conn.close()
        return count

    def close(self) -> None:
        self.sock.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store: str, port: int, timeout: float, slots: int, queue: int) -> subprocess.Popen:
    """Start guidegraph serve on 127.0.0.1:port and wait (bounded) until it answers."""
    proc = subprocess.Popen([sys.executable, "-m", "guidegraph", "serve", "--store", store, "--port", str(port),
                             "--timeout", str(timeout), "--memory-mb", "512", "--query-slots", str(slots),
                             "--query-queue", str(queue)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(150):
        if request(port, "GET", "/sparql?query=ASK%7B%7D", timeout=5).status == 200:
            return proc
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("guidegraph serve did not start")


def burst(port: int, total: int, clients: int) -> dict:
    """Send ``total`` simple queries from ``clients`` threads; return counts by status and the rate."""
    path = "/sparql?" + urllib.parse.urlencode({"query": "SELECT ?d WHERE { ?d a gg:GuidelineDocument }"})
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        statuses = list(pool.map(lambda _: request(port, "GET", path, timeout=60).status, range(total)))
    seconds = time.perf_counter() - started
    counts: dict[int, int] = {}
    for s in statuses:
        counts[s] = counts.get(s, 0) + 1
    return {"statuses": counts, "seconds": seconds, "per_second": total / seconds}


def crowd(port: int, slots: int, queue: int) -> tuple[bool, str]:
    """Send more never-ending queries than slots and line together; the extra ones must get 503 + Retry-After."""
    n = slots + queue + 3
    with ThreadPoolExecutor(n) as pool:
        answers = list(pool.map(lambda _: get(NEVER_ENDS)(port), range(n)))
    busy = [a for a in answers if a.status == 503 and "retry-after" in a.headers]
    alive = request(port, "GET", "/sparql?query=ASK%7B%7D").status == 200
    held = len(busy) >= 3 and all(a.status == 503 for a in answers) and alive
    return held, (f"{len(busy)} of {n} turned away with Retry-After, the rest stopped in time; "
                  f"server answers after: {alive}")


def memory_peak(pid: int) -> int:
    """Return the peak resident memory of a process in kB (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def run(store: str, load: int = 400, clients: int = 8, timeout: float = 8, out=sys.stdout) -> tuple[int, int]:
    """Run the whole probe against a server started on ``store``; print and return (tried, held)."""
    from guidegraph.web import create_app

    body_limit = create_app({"STORE": store}).config["MAX_CONTENT_LENGTH"]
    slots, queue = 2, 16  # the defaults of guidegraph serve
    listener = Listener()
    port = free_port()
    server = start_server(store, port, timeout, slots, queue)
    tried = held = 0
    try:
        for attack in attacks(listener.port, body_limit):
            answer = attack.send(port)
            ok = attack.holds(answer)
            tried += 1
            held += ok
            detail = "" if ok else f"  got {answer.status}: {answer.body[:120]!r}"
            print(f"{'held  ' if ok else 'FAILED'} {attack.name} (expected {attack.expected}){detail}", file=out)
        leaked = listener.connections()
        tried += 1
        held += leaked == 0
        print(f"{'held  ' if leaked == 0 else 'FAILED'} the SERVICE listener received {leaked} connections", file=out)
        ok, detail = crowd(port, slots, queue)
        tried += 1
        held += ok
        print(f"{'held  ' if ok else 'FAILED'} a crowd of never-ending queries: {detail}", file=out)
        figures = burst(port, load, clients)
        ok = set(figures["statuses"]) == {200}
        tried += 1
        held += ok
        print(f"{'held  ' if ok else 'FAILED'} {load} simple queries from {clients} clients: statuses "
              f"{figures['statuses']}, {figures['per_second']:.0f} queries/s", file=out)
        alive = server.poll() is None
        tried += 1
        held += alive
        print(f"{'held  ' if alive else 'FAILED'} the server is still running; its peak memory "
              f"{memory_peak(server.pid) / 1024:.0f} MB", file=out)
    finally:
        server.terminate()
        server.wait(30)
        listener.close()
    print(f"tried {tried}, held {held}", file=out)
    return tried, held


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", help="a built store (default: build corpus/ into a temporary one)")
    ap.add_argument("--load", type=int, default=400, help="simple queries in the burst (default 400)")
    ap.add_argument("--clients", type=int, default=8, help="threads sending the burst (default 8)")
    args = ap.parse_args()
    store = args.store
    if store is None:
        from guidegraph.build import build

        store = tempfile.mkdtemp() + "/store"
        build(None, store, reason=False)
    tried, held = run(store, args.load, args.clients)
    sys.exit(0 if tried == held else 1)


if __name__ == "__main__":
    main()
