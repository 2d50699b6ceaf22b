"""Bad requests get 400 or 404 with a message, never a 500; every response carries the security headers."""
from __future__ import annotations

import io
import json
import shutil
import threading
import urllib.parse
from pathlib import Path

import pytest
from flask import Request
from werkzeug.datastructures import ImmutableMultiDict

from guidegraph.build import build
from guidegraph.store.embedded import Store
from guidegraph.web import create_app

BREAST = "oracle-breast-cancer-bone-metastasis"
STATEMENT_IRI = f"https://w3id.org/guidegraph/id/document/{BREAST}/statement/1277"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def app(built_store):
    # not TESTING: an exception in a view must come back as the 500 a visitor would get, not be raised here
    return create_app({"STORE": str(built_store.path)})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def untitled_client(tmp_path_factory):
    """A client over a store of one document whose first line is a sentence, so no title is detected."""
    folder = tmp_path_factory.mktemp("untitled")
    (folder / "untitled.txt").write_text("Denosumab is recommended for patients with bone metastases.\n\n"
                                         "Zoledronic acid should be considered every 12 weeks.\n")
    store = Store(tmp_path_factory.mktemp("untitled-store") / "store")
    build([folder], store, reason=False, check_shapes=False)
    return create_app({"STORE": str(store.path)}).test_client()


def _error(response) -> dict:
    assert response.is_json, response.get_data(as_text=True)[:300]
    return response.get_json()


def test_a_statement_of_a_document_without_a_title_opens_in_html_and_json(untitled_client):
    assert untitled_client.get("/document/untitled.json").get_json()["title"] is None
    data = untitled_client.get("/document/untitled/statement/0.json").get_json()
    assert data["title"] is None and data["quote"].startswith("Denosumab is recommended")
    page = untitled_client.get("/document/untitled/statement/0")
    assert page.status_code == 200 and "untitled.txt" in page.get_data(as_text=True)


@pytest.mark.parametrize("path", ['/document/"x', '/document/"x.json', "/document/a%00b",
                                  f"/document/{BREAST}%3Cx/statement/1277", "/concept/%3Cscript%3E.json"])
def test_a_name_that_cannot_form_an_iri_is_a_bad_request_with_a_message(client, path):
    response = client.get(path)
    assert response.status_code == 400
    if path.endswith(".json"):
        assert "not a well-formed IRI" in _error(response)["message"]
    else:
        assert "not a well-formed IRI" in response.get_data(as_text=True) and response.mimetype == "text/html"


def test_a_well_formed_but_unknown_concept_is_not_found(client):
    assert client.get("/concept/'x").status_code == 404
    assert _error(client.get("/concept/'x.json"))["message"] == "no concept ''x' in the vocabulary"


def test_the_explorer_refuses_a_node_that_is_not_a_well_formed_iri_and_escapes_it(client):
    page = client.get("/explore", query_string={"node": "https://x/<script>"})
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "<script>" not in html and "https://x/&lt;script&gt;" in html
    expand = client.get("/explore/expand.json?node=http://x/%00")
    assert expand.status_code == 400 and "\\x00" in _error(expand)["message"]
    relative = client.get("/explore/expand.json", query_string={"node": "relative/iri"})
    assert relative.status_code == 400 and "relative IRI" in _error(relative)["message"]
    assert client.get("/explore/expand.json", query_string={"node": "http://[::1"}).status_code == 400


def test_the_explorer_refuses_unknown_graphs_kinds_and_negative_counts(client):
    for args in ({"graph": "inferrd"}, {"kind": "statment"}, {"have": "-1"}, {"have": "1e999"}):
        response = client.get("/explore/expand.json", query_string={"node": STATEMENT_IRI, **args})
        assert response.status_code == 400, args
        assert _error(response)["message"]
    assert client.get("/explore.json", query_string={"node": "x" * 201}).status_code == 400


def test_the_checks_report_refuses_an_unknown_severity_or_check(client):
    severity = client.get("/checks.json?severity=anything")
    assert severity.status_code == 400 and "choose error, warning, info" in _error(severity)["message"]
    check = client.get("/checks.json?check=no-such-check")
    assert check.status_code == 400 and "schedule-conflict" in _error(check)["message"]
    assert client.get("/checks?severity=anything").mimetype == "text/html"


@pytest.mark.parametrize("name,value", [
    ("PerformanceStatus", "1e999"), ("PerformanceStatus", "nan"), ("PerformanceStatus", "inf"),
    ("PerformanceStatus", "6"), ("PerformanceStatus", "-1"), ("SINS", "19"), ("SINS", "-0.5"),
    ("MirelsScore", "3"), ("MirelsScore", "13"), ("CreatinineClearance", "-1"), ("CreatinineClearance", "-inf"),
    ("CreatinineClearance", "1e999"),
])
def test_pathways_refuse_a_non_finite_or_out_of_range_number(client, name, value):
    response = client.get("/pathways.json", query_string={name: value})
    assert response.status_code == 400
    assert repr(value) in _error(response)["message"] and "must be a number" in _error(response)["message"]


@pytest.mark.parametrize("args", [{"PerformanceStatus": "0"}, {"PerformanceStatus": "5"}, {"SINS": "18"},
                                  {"MirelsScore": "4"}, {"MirelsScore": "12"}, {"CreatinineClearance": "0"}])
def test_pathways_accept_the_ends_of_each_scale(client, args):
    assert client.get("/pathways.json", query_string=args).status_code == 200


def test_a_store_that_was_never_built_answers_503_saying_what_to_run(tmp_path):
    client = create_app({"STORE": str(tmp_path / "empty")}).test_client()
    for path in ("/explore.json", "/document/x.json", "/pathways.json"):
        response = client.get(path)
        assert response.status_code == 503 and "guidegraph build" in _error(response)["message"], path


# --- the route sweep ------------------------------------------------------------------------------

class _Raw(str):
    """A value already percent-encoded, sent as it is (for bytes that are not UTF-8)."""


HOSTILE = ['"', "'x", "<script>alert(1)</script>", "\x00", _Raw("%FF"), _Raw("%ED%A0%80"), "9" * 400, "-1",
           "nan", "inf", "1e999", "x" * 5000, "https://example.org/unknown", "relative/iri", "http://[::1",
           "http://x:99999/", "", " ", "../../etc/passwd"]
# good values for what a route needs to reach the code that reads the other parameters
PATH_DEFAULTS = {"slug": BREAST, "start": "1277", "name": "ZoledronicAcid", "filename": "guidegraph.css",
                 "check": "dangling-citation", "key": "3cb1605b42ccd2d543b518e5e53496dc"}
ARG_DEFAULTS = {"explore.expand": {"node": STATEMENT_IRI}}
SKIPPED = ("/sparql", "/query")  # another module's routes, swept on their own


def _encode(value: str) -> str:
    return value if isinstance(value, _Raw) else urllib.parse.quote(value, safe="")


class _Recorder(ImmutableMultiDict):
    """Query arguments that note the name of every argument a view reads."""

    read: set[str] = set()

    def get(self, key, default=None, type=None):
        _Recorder.read.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        _Recorder.read.add(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        _Recorder.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        _Recorder.read.add(key)
        return super().__contains__(key)


class _RecordingRequest(Request):
    parameter_storage_class = _Recorder


def _routes(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.rule.startswith(SKIPPED):
            yield rule


def _path(rule, **values) -> str:
    path = rule.rule
    for spec in [part.split(">")[0] for part in rule.rule.split("<")[1:]]:  # "slug", "int:start", "path:filename"
        name = spec.rsplit(":", 1)[-1]
        path = path.replace(f"<{spec}>", values.get(name, PATH_DEFAULTS[name]))
    return path


def test_every_route_answers_hostile_values_without_a_server_error(built_store):
    app = create_app({"STORE": str(built_store.path)})
    app.request_class = _RecordingRequest
    client = app.test_client()
    failures, tried = [], 0

    def get(path: str, query: str = "") -> None:
        nonlocal tried
        tried += 1
        response = client.get(path, query_string=query)
        if response.status_code >= 500 or "Traceback" in response.get_data(as_text=True):
            failures.append((response.status_code, path[:120], query[:120]))
        elif (response.status_code >= 400 and path.endswith(".json")
              and not (response.get_json(silent=True) or {}).get("message")):
            failures.append((response.status_code, path[:120], query[:120], "no JSON message"))

    for rule in _routes(app):
        base = ARG_DEFAULTS.get(rule.endpoint, {})
        for arg in rule.arguments:
            for value in HOSTILE:
                get(_path(rule, **{arg: _encode(value)}), urllib.parse.urlencode(base))
        # the arguments the view reads, found by asking it; each gets every hostile value in turn
        _Recorder.read = set()
        get(_path(rule), urllib.parse.urlencode(base))
        for name in sorted(_Recorder.read):
            for value in HOSTILE:
                args = urllib.parse.urlencode({k: v for k, v in base.items() if k != name})
                get(_path(rule), "&".join(a for a in (args, f"{name}={_encode(value)}") if a))
    assert tried > 500
    assert failures == []


# --- security headers and request bodies ----------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/index.json", "/explore", "/nowhere", "/checks.json?severity=x",
                                  "/static/guidegraph.css", "/sparql?query=ASK%7B%7D"])
def test_every_response_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    csp = {d.split()[0]: d.split()[1:] for d in headers["Content-Security-Policy"].split("; ")}
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"] and csp["frame-ancestors"] == ["'none'"]
    assert csp["default-src"] == ["'none'"]
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


def test_pages_carry_no_inline_script_or_style_attribute(client):
    from html.parser import HTMLParser

    class Inline(HTMLParser):
        found: list = []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if "style" in attrs or any(a.startswith("on") for a in attrs):
                self.found.append((tag, attrs))
            if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json":
                self.found.append((tag, attrs))

    for path in ("/", f"/document/{BREAST}", f"/document/{BREAST}/statement/1277", "/concept/ZoledronicAcid",
                 "/compare", "/search?q=zoledronic", "/explore", "/pathways?PerformanceStatus=1",
                 "/pathways/path", "/checks", "/nowhere"):
        parser = Inline()
        parser.found = []
        parser.feed(client.get(path).get_data(as_text=True))
        assert parser.found == [], path


def test_the_body_limit_defaults_to_one_mebibyte_and_is_configurable(built_store):
    assert create_app({"STORE": str(built_store.path)}).config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    small = create_app({"STORE": str(built_store.path), "MAX_CONTENT_LENGTH": 10}).test_client()
    assert small.post("/sparql", data=b"ASK { ?s ?p ?o }", content_type="application/sparql-query").status_code == 413


def test_a_body_a_bit_over_the_limit_is_refused_with_413_by_the_error_handler(client, app):
    body = b"#" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    as_json = client.post("/sparql", data=body, content_type="application/sparql-query",
                          headers={"Accept": "application/json"})
    assert as_json.status_code == 413 and "accepts at most 1,048,576" in _error(as_json)["message"]
    as_html = client.post("/search", data=body, content_type="text/plain", headers={"Accept": "text/html"})
    assert as_html.status_code == 413 and "<h1>413 Request Entity Too Large</h1>" in as_html.get_data(as_text=True)
    # at the limit the body is not what is refused: /search only answers GET
    assert client.post("/search", data=body[:-1], content_type="text/plain").status_code == 405


def test_an_oversized_content_length_is_refused_before_the_body_is_read(client):
    class Unreadable(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, buffer):
            raise AssertionError("the body was read")

    # only the header says how long the body is: nothing is sent, and reading it would fail the test
    response = client.post("/sparql", content_type="application/sparql-query", headers={"Accept": "application/json"},
                           environ_overrides={"CONTENT_LENGTH": str(10 ** 12), "wsgi.input": Unreadable()})
    assert response.status_code == 413 and "1,000,000,000,000 bytes" in _error(response)["message"]


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)")
def test_the_pages_run_under_the_content_security_policy_without_a_violation(built_store):
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    httpd = make_server("127.0.0.1", 0, create_app({"STORE": str(built_store.path)}), threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_port}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--disable-sync"])
            page = browser.new_page(base_url=base)
            page.add_init_script("window.cspViolations = [];"
                                 "document.addEventListener('securitypolicyviolation', e => window.cspViolations.push("
                                 "e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + "
                                 "e.lineNumber));")
            for path, ready in (("/explore", "#network canvas"),
                                ("/pathways?PerformanceStatus=1", ".pathway-graph canvas"),
                                ("/compare", "button.fold"), ("/query", "body[data-editor='1']"), ("/sparql", "form")):
                page.goto(path, wait_until="load")
                assert json.loads(page.evaluate("JSON.stringify(window.cspViolations)")) == [], path
                page.wait_for_selector(ready)
            page.goto("/explore")
            page.wait_for_selector("body[data-ready='1']")
            page.evaluate("id => window.ggExpand(id)", STATEMENT_IRI)
            page.wait_for_selector("body[data-expanded]")
            page.goto("/compare")
            page.click("button.fold >> nth=0")
            assert page.locator("tr.g1").first.is_hidden()
            assert page.evaluate("window.cspViolations.length") == 0
            browser.close()
    finally:
        httpd.shutdown()
