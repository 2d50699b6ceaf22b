"""What a stranger's query may do: decided from the parsed query, fenced off from the network, bounded.

Every test that listens for a connection listens on 127.0.0.1 only and stops by itself.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from bench.probe import Listener, free_port
from guidegraph.errors import QueryBusy, QueryError, QueryRefused, QueryTimeout, QueryTooCostly
from guidegraph.query.run import Admission, run_query
from guidegraph.query.sparql import parse_query

from .conftest import ROOT

NEVER_ENDS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
MEMORY_HOG = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i LIMIT 1"


@pytest.fixture
def listener():
    lis = Listener()
    yield lis
    lis.close()


def service_variants(port: int) -> list[str]:
    """Return queries that reach SERVICE in every place and spelling a parser must see through."""
    target = f"http://127.0.0.1:{port}/sparql"
    return [
        f"SELECT * WHERE {{ BIND(<http://x/\\u0041#> AS ?a) SERVICE <{target}> {{ ?leak ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND('\\u0027#' AS ?a) SERVICE <{target}> {{ ?leak ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(\"x\\\"#\" AS ?a) SERVICE <{target}> {{ ?leak ?p ?o }} }}",
        f"PREFIX x: <http://x/\\u0023> SELECT * WHERE {{ SERVICE <{target}> {{ ?leak ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{target}> {{ ?leak ?p ?o }} }}",
        f"SELECT * WHERE {{ service <{target}> {{ ?leak ?p ?o }} }}",
        f"SELECT * WHERE {{ SeRvIcE SILENT <{target}> {{ ?leak ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }} LIMIT 1",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }} LIMIT 1",
        f"SELECT * WHERE {{ ?s ?p ?o FILTER NOT EXISTS {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }} LIMIT 1",
        f"SELECT * WHERE {{ ?s ?p ?o MINUS {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }} LIMIT 1",
        f"SELECT * WHERE {{ # a comment }}\n SERVICE <{target}> {{ ?leak ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE # comment\n <{target}> {{ ?leak ?p ?o }} }}",
        f"PREFIX ep: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE ep:sparql {{ ?leak ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{target}> AS ?ep) SERVICE ?ep {{ ?leak ?p ?o }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"ASK {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"DESCRIBE ?s WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
    ]


def test_every_spelling_of_service_is_refused_before_anything_runs(listener):
    for query in service_variants(listener.port):
        with pytest.raises(QueryError) as caught:
            parse_query(query)
        assert isinstance(caught.value, QueryRefused) or "syntax error" in str(caught.value), query


def test_service_queries_reach_no_listener_through_the_endpoint(built_store, listener):
    from guidegraph.web import create_app

    client = create_app({"STORE": str(built_store.path), "QUERY_TIMEOUT": 10}).test_client()
    for query in service_variants(listener.port):
        answers = [client.get("/sparql?" + urllib.parse.urlencode({"query": query})),
                   client.post("/sparql", data={"query": query}),
                   client.post("/sparql", data=query.encode(), content_type="application/sparql-query"),
                   client.get("/query.json?" + urllib.parse.urlencode({"query": query}))]
        for answer in answers:
            assert answer.status_code in (400, 403), (query, answer.status_code)
    assert listener.connections() == 0


def test_a_query_process_cannot_open_a_network_socket_even_if_service_got_past_the_parser(built_store, listener):
    # run Oxigraph's SERVICE directly, behind only the second wall, in a confined child
    script = f"""
import os, socket
from guidegraph.sandbox import confine
import pyoxigraph as ox
confine(os.getppid(), 1 << 30)
try:
    socket.create_connection(("127.0.0.1", {listener.port}), timeout=2)
    print("socket: connected")
except OSError as exc:
    print("socket:", type(exc).__name__)
store = ox.Store.read_only({str(built_store.current)!r})
try:
    list(store.query("SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/s> {{ ?s ?p ?o }} }}"))
    print("service: answered")
except OSError as exc:
    print("service:", type(exc).__name__)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.stdout.splitlines() == ["socket: PermissionError", "service: PermissionError"], out.stderr
    assert listener.connections() == 0


@pytest.mark.parametrize("update", [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/x>",
    "load silent <http://127.0.0.1:9/x> into graph <urn:g>",
    "CLEAR ALL",
    "DROP SILENT GRAPH <urn:g>",
    "CREATE GRAPH <urn:g>",
    "COPY DEFAULT TO <urn:g>",
    "MOVE <urn:a> TO <urn:b>",
    "ADD <urn:a> TO <urn:b>",
    "PREFIX x: <urn:x#> WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
])
def test_updates_are_refused_as_updates(update):
    with pytest.raises(QueryRefused, match="updates are refused"):
        parse_query(update)


def test_variables_named_like_update_keywords_are_ordinary_variables(built_store):
    query = "SELECT ?copy ?load ?add ?drop WHERE { ?copy ?load ?add . BIND(1 AS ?drop) } LIMIT 2"
    assert parse_query(query).projected == {"copy", "load", "add", "drop"}
    rows = json.loads(run_query(built_store.path, query).body)["results"]["bindings"]
    assert len(rows) == 2


def test_a_byte_order_mark_before_a_query_is_ignored(built_store):
    outcome = run_query(built_store.path, "\ufeffASK { ?s a gg:Statement }")
    assert json.loads(outcome.body)["boolean"] is True


def test_very_deep_nesting_is_refused_with_a_message():
    with pytest.raises(QueryError, match="nested too deeply"):
        parse_query("SELECT * WHERE " + "{ " * 5000 + "?s ?p ?o" + " }" * 5000)


def test_a_query_over_its_memory_limit_is_stopped_and_said_so(built_store):
    with pytest.raises(QueryTooCostly, match="memory limit of 512 MB"):
        run_query(built_store.path, MEMORY_HOG, memory=512 * 2**20, timeout=120)


def test_a_query_past_its_time_limit_is_stopped(built_store):
    with pytest.raises(QueryTimeout, match="stopped after 1 s"):
        run_query(built_store.path, NEVER_ENDS, timeout=1)


def test_a_query_waits_for_a_slot_and_gives_up_when_none_frees():
    admission = Admission(running=1, waiting=1, wait_seconds=0.2)
    with admission.slot(), pytest.raises(QueryBusy, match="no query slot became free"), admission.slot():
        pass
    with admission.slot():
        assert admission.running == 1
    assert admission.running == 0


def test_a_query_is_turned_away_at_once_when_the_line_is_full():
    admission = Admission(running=1, waiting=0, wait_seconds=30)
    with admission.slot(), pytest.raises(QueryBusy, match="0 are waiting") as caught, admission.slot():
        pass
    assert caught.value.retry_after == 30


def test_a_waiting_query_runs_when_a_slot_frees():
    admission = Admission(running=1, waiting=1, wait_seconds=30)
    ran = []
    with admission.slot():
        waiter = threading.Thread(target=lambda: admission.slot().__enter__() or ran.append(True))
        waiter.start()
        for _ in range(100):
            if admission.waiting:
                break
            time.sleep(0.01)
        assert admission.waiting == 1 and not ran
    waiter.join(10)
    assert ran == [True]


def test_the_endpoint_answers_503_with_retry_after_when_every_slot_is_taken(built_store):
    from guidegraph.web import create_app

    app = create_app({"STORE": str(built_store.path), "QUERY_TIMEOUT": 5, "QUERY_SLOTS": 1, "QUERY_QUEUE": 0})
    never_ends = "/sparql?" + urllib.parse.urlencode({"query": NEVER_ENDS})
    slow = threading.Thread(target=lambda: app.test_client().get(never_ends))
    slow.start()
    try:
        for _ in range(100):  # until the slow query holds the slot
            if app.extensions.get("guidegraph_pool") and app.extensions["guidegraph_pool"].running:
                break
            time.sleep(0.05)
        busy = app.test_client().get("/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}))
        assert busy.status_code == 503
        assert busy.headers["Retry-After"].isdigit()
        assert "try again" in busy.get_data(as_text=True)
        console = app.test_client().get("/query.json?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}))
        assert console.status_code == 503 and "try again" in console.get_json()["error"]
    finally:
        slow.join(30)


def test_the_console_keeps_to_the_servers_time_limit(built_store):
    from guidegraph.web import create_app

    client = create_app({"STORE": str(built_store.path), "QUERY_TIMEOUT": 1}).test_client()
    answer = client.get("/query.json?" + urllib.parse.urlencode({"query": NEVER_ENDS}))
    assert answer.status_code == 503
    assert "stopped after 1 s" in answer.get_json()["error"]
    assert "--timeout" not in answer.get_json()["error"]


def test_console_errors_carry_the_status_of_their_cause(built_store):
    from guidegraph.web import create_app

    client = create_app({"STORE": str(built_store.path)}).test_client()
    assert client.get("/query.json?query=SELECT").status_code == 400
    assert client.get("/query.json?" + urllib.parse.urlencode({"query": "CLEAR ALL"})).status_code == 403
    assert client.get("/query?" + urllib.parse.urlencode({"query": "CLEAR ALL"})).status_code == 403


def test_parameters_that_are_not_utf8_are_refused_not_replaced(built_store):
    from guidegraph.web import create_app

    client = create_app({"STORE": str(built_store.path)}).test_client()
    answer = client.get("/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%22%FF%22%20%7D")
    assert answer.status_code == 400
    assert "not valid UTF-8" in answer.get_data(as_text=True)


def test_the_endpoint_advertises_only_the_methods_it_takes(built_store):
    from guidegraph.web import create_app

    client = create_app({"STORE": str(built_store.path)}).test_client()
    allowed = {m.strip() for m in client.options("/sparql").headers["Allow"].split(",")}
    assert allowed == {"GET", "HEAD", "OPTIONS", "POST"}
    assert client.put("/sparql", data="x").status_code == 405


def test_load_as_a_query_gets_403_like_any_update(built_store):
    from guidegraph.web import create_app

    client = create_app({"STORE": str(built_store.path)}).test_client()
    answer = client.post("/sparql", data="LOAD <http://127.0.0.1:9/x>", content_type="application/sparql-query")
    assert answer.status_code == 403


def test_sparqlwrappers_rdf_xml_format_name_is_understood(built_store):
    from guidegraph.web import create_app

    client = create_app({"STORE": str(built_store.path)}).test_client()
    query = "CONSTRUCT { ?s a gg:Section } WHERE { ?s a gg:Section } LIMIT 1"
    answer = client.get("/sparql?" + urllib.parse.urlencode({"query": query, "format": "rdf+xml"}))
    assert answer.status_code == 200
    assert answer.mimetype == "application/rdf+xml"


@pytest.mark.parametrize("param", ["statement=ggid:x> } ; DROP ALL #", "statement=ggid:a b", "statement=not-an-iri"])
def test_a_parameter_that_is_not_an_iri_is_refused_on_the_command_line(built_store, run_cli, param):
    result = run_cli("query", "statement-provenance", "--store", built_store.path, "--param", param)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "IRI" in result.stderr


def _children(pid: int) -> set[int]:
    out = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            text = (task / "children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):  # a server thread that ended after the listing
            continue
        out.update(int(t) for t in text)
    return out


def _gone(pid: int, seconds: float = 10) -> bool:
    for _ in range(int(seconds / 0.1)):
        try:
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            if state == "Z":
                return True
        except FileNotFoundError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_running_query_dies_with_the_server(built_store, how):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "guidegraph", "serve", "--store", str(built_store.path),
                               "--port", str(port), "--timeout", "120"], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": NEVER_ENDS})
        for _ in range(100):  # until the server answers
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D", timeout=5).read()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        threading.Thread(target=lambda: _quietly(url), daemon=True).start()
        children = set()
        for _ in range(100):  # until the query process is running
            children = _children(server.pid)
            if children:
                break
            time.sleep(0.1)
        assert children, "no query process was started"
        for pid in children:  # the pipe to the server is the only socket a query process holds
            links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
            assert sum(link.startswith("socket:") for link in links) == 1, links
        server.send_signal(how)
        server.wait(30)
        assert all(_gone(pid) for pid in children)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(30)


def _quietly(url: str) -> None:
    try:
        urllib.request.urlopen(url, timeout=60).read()
    except (urllib.error.URLError, ConnectionError, OSError):
        pass


def test_the_sandbox_says_where_the_network_wall_cannot_stand(monkeypatch):
    from guidegraph import sandbox

    monkeypatch.setattr(sandbox.platform, "machine", lambda: "sparc64")
    assert "sparc64" in sandbox.network_wall()
    with pytest.raises(OSError, match="sparc64"):
        sandbox.forbid_network()


def test_an_empty_query_or_a_bare_prologue_is_not_taken_for_an_update():
    for text in ("", "   ", "# only a comment", "PREFIX a: <urn:a#>"):
        with pytest.raises(QueryError, match="not a SPARQL query") as caught:
            parse_query(text)
        assert not isinstance(caught.value, QueryRefused)


def test_the_console_refuses_an_unknown_saved_query_and_a_page_that_is_not_a_number(built_store):
    from guidegraph.web import create_app

    client = create_app({"STORE": str(built_store.path)}).test_client()
    missing = client.get("/query.json?saved=../../etc/passwd")
    assert missing.status_code == 404 and "no saved query named" in missing.get_json()["message"]
    for page in ("1e999", "-1", "0", "x", "\u00b2"):
        assert client.get("/query.json", query_string={"page": page}).status_code == 400


def test_a_dataset_iri_that_is_not_an_iri_is_refused_with_a_plain_message(built_store):
    from guidegraph.web import create_app

    client = create_app({"STORE": str(built_store.path)}).test_client()
    for name in ("default-graph-uri", "named-graph-uri"):
        answer = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }", name: 'http://x/"y'})
        assert answer.status_code == 400
        text = answer.get_data(as_text=True)
        assert name in text and "not a valid IRI" in text and "ValueError" not in text


def test_a_query_on_a_store_that_is_gone_raises_a_store_error_not_a_query_error(tmp_path):
    from guidegraph.errors import StoreError

    with pytest.raises(StoreError, match="folder is missing") as raised:
        run_query(tmp_path / "gone", "ASK { ?s ?p ?o }")
    assert not isinstance(raised.value, QueryError) and raised.value.http_status == 503
