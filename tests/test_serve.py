"""The production server and its pool of query workers: time limits, a full line, a gone client, swaps, kills.

Each test reads a small store of its own (a few hundred triples: enough for a query that never
ends, a four-way cross product, and cheap to write). Every connection goes to 127.0.0.1 and
every wait is bounded.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
import urllib.parse

import pytest

from guidegraph.errors import QueryBusy, QueryTimeout
from guidegraph.query.pool import WorkerPool
from guidegraph.query.run import run_query
from guidegraph.store.embedded import Store

NEVER_ENDS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
LABEL = "SELECT ?label WHERE { <urn:thing> <urn:label> ?label }"


def _quads(label: str) -> str:
    filler = "".join(f"<urn:s{i}> <urn:p> <urn:o{i % 7}> <urn:g> .\n" for i in range(300))
    return filler + f'<urn:thing> <urn:label> "{label}" <urn:g> .\n'


@pytest.fixture(scope="module")
def small_store(tmp_path_factory) -> Store:
    store = Store(tmp_path_factory.mktemp("serve") / "store")
    store.write_generation([_quads("first")])
    return store


@pytest.fixture(scope="module")
def pool():
    pool = WorkerPool(size=2, queue=0, wait_seconds=5, memory=1 << 30)
    assert pool.ready(60), "the query workers did not start"
    yield pool
    pool.close()


def _label(store: Store, pool: WorkerPool) -> str:
    outcome = run_query(store.path, LABEL, pool=pool, timeout=30)
    return json.loads(outcome.body)["results"]["bindings"][0]["label"]["value"]


def _wait_until(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_never_ending_query_is_stopped_while_a_simple_one_beside_it_answers(small_store, pool):
    before = set(pool.pids())
    stopped = []

    def never():
        try:
            run_query(small_store.path, NEVER_ENDS, pool=pool, timeout=2)
        except QueryTimeout as exc:
            stopped.append(exc)

    slow = threading.Thread(target=never)
    slow.start()
    assert _wait_until(lambda: pool.running == 1)
    assert _label(small_store, pool) == "first"  # the other worker answers meanwhile
    slow.join(60)
    assert stopped and "stopped after 2 s" in str(stopped[0]) and stopped[0].http_status == 503
    # the overrunning worker was killed, and another one took its place
    assert _wait_until(lambda: len(pool.pids()) == 2 and set(pool.pids()) != before)
    assert _label(small_store, pool) == "first"


def test_a_full_line_is_answered_busy_with_retry_after(small_store, pool):
    threads = [threading.Thread(target=lambda: pytest.raises(QueryTimeout, run_query, small_store.path, NEVER_ENDS,
                                                             pool=pool, timeout=3)) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        assert _wait_until(lambda: pool.running == 2)
        with pytest.raises(QueryBusy, match="try again") as busy:
            run_query(small_store.path, LABEL, pool=pool)
        assert busy.value.http_status == 503 and busy.value.http_headers()["Retry-After"].isdigit()
    finally:
        for t in threads:
            t.join(60)
    assert _wait_until(lambda: len(pool.pids()) == 2)


def test_a_killed_worker_is_replaced(small_store, pool):
    assert _wait_until(lambda: len(pool.pids()) == 2)
    victim = pool.pids()[0]
    os.kill(victim, signal.SIGKILL)
    # queries go on answering: the dead worker's next query is an error at worst, never a hang
    answers = []
    for _ in range(4):
        try:
            answers.append(_label(small_store, pool))
        except Exception as exc:  # the one query that drew the dead worker
            answers.append(type(exc).__name__)
    assert answers.count("first") >= 3
    assert _wait_until(lambda: len(pool.pids()) == 2 and victim not in pool.pids())
    assert _label(small_store, pool) == "first"


def test_a_swap_of_generations_under_a_running_pool_answers_from_the_new_one(tmp_path, pool):
    store = Store(tmp_path / "store")
    store.write_generation([_quads("old")])
    assert [_label(store, pool) for _ in range(4)] == ["old"] * 4  # both workers have the old generation open
    store.write_generation([_quads("new")])
    assert [_label(store, pool) for _ in range(4)] == ["new"] * 4


class _Served:
    """The production server on a free loopback port, in a thread; close() stops it."""

    def __init__(self, app):
        from guidegraph.web import production_server

        self.server = production_server(app, "127.0.0.1", 0)
        self.effective_port = self.server.effective_port
        self.closing = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            self.server.run()
        except (OSError, ValueError):  # its sockets were closed under its loop by close()
            if not self.closing.is_set():
                raise

    def close(self):
        self.closing.set()
        self.server.close()
        self.thread.join(10)


def _serve(app):
    return _Served(app)


def test_a_client_that_goes_away_frees_its_worker(small_store):
    from guidegraph.web import create_app

    app = create_app({"STORE": str(small_store.path), "QUERY_TIMEOUT": 120, "QUERY_SLOTS": 1, "QUERY_QUEUE": 0})
    server = _serve(app)
    try:
        with app.app_context():
            from guidegraph.web.context import query_pool

            pool = query_pool()
        assert pool.ready(60)
        worker = pool.pids()[0]
        client = socket.create_connection(("127.0.0.1", server.effective_port), timeout=10)
        path = "/sparql?" + urllib.parse.urlencode({"query": NEVER_ENDS})
        client.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        assert _wait_until(lambda: pool.running == 1)
        client.close()
        # long before its 120 s limit, the query is stopped and its worker replaced
        assert _wait_until(lambda: pool.running == 0 and worker not in pool.pids(), 20)
        assert _wait_until(lambda: len(pool.pids()) == 1)
        answer = _get(server.effective_port, "/sparql?" + urllib.parse.urlencode({"query": LABEL}))
        assert answer[0] == 200 and b"first" in answer[1]
    finally:
        server.close()


def _get(port: int, path: str) -> tuple[int, bytes]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_the_production_server_refuses_a_body_over_the_limit_before_reading_it(small_store):
    from guidegraph.web import create_app

    app = create_app({"STORE": str(small_store.path), "MAX_CONTENT_LENGTH": 1000})
    server = _serve(app)
    try:
        with socket.create_connection(("127.0.0.1", server.effective_port), timeout=10) as client:
            client.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                           b"Transfer-Encoding: chunked\r\n\r\n" + b"1000\r\n" + b"x" * 4096 + b"\r\n")
            head = client.recv(200)
        assert head.startswith(b"HTTP/1.1 413")
    finally:
        server.close()


def test_debug_is_refused_on_an_address_others_reach(small_store, run_cli):
    result = run_cli("serve", "--store", small_store.path, "--debug", "--host", "0.0.0.0", timeout=60)
    assert result.returncode == 2
    assert "--debug serves on this machine only" in result.stderr
