"""One error path: each error carries its HTTP status, and one handler answers it as HTML, JSON or text."""
from __future__ import annotations

import shutil

import pytest
from markupsafe import escape

from guidegraph.errors import (
    CorpusError,
    DocumentError,
    GuidegraphError,
    QueryBusy,
    QueryError,
    QueryRefused,
    QueryTimeout,
    QueryTooCostly,
    ResultTooLarge,
    StoreError,
)
from guidegraph.store.embedded import StoreBusy
from guidegraph.views.pages import BadInput, NotFound
from guidegraph.web import create_app
from guidegraph.web.errors import UNEXPECTED

BREAST = "oracle-breast-cancer-bone-metastasis"
STATEMENT = f"https://w3id.org/guidegraph/id/document/{BREAST}/statement/1277"
# what a route needs to reach the store: path values, and the arguments of the routes that refuse to start without
PATH_VALUES = {"slug": BREAST, "start": "1277", "name": "ZoledronicAcid", "check": "dangling-citation",
               "key": "3cb1605b42ccd2d543b518e5e53496dc"}
CONCEPTS = {"from": "SpinalInstability", "to": "Surgery"}
ARGS = {"explore.expand": {"node": STATEMENT}, "sparql.endpoint": {"query": "ASK { ?s ?p ?o }"},
        "browse.search": {"q": "zoledronate"}, "browse.search_json": {"q": "zoledronate"},
        "pathways.path": CONCEPTS, "pathways.path_json": CONCEPTS}


@pytest.mark.parametrize("error,status", [
    (StoreError("x"), 503), (StoreBusy("x"), 503), (QueryError("x"), 400), (QueryRefused("x"), 403),
    (QueryTimeout("x"), 503), (QueryTooCostly("x"), 503), (ResultTooLarge("x"), 413), (QueryBusy("x"), 503),
    (NotFound("x"), 404), (BadInput("x"), 400), (CorpusError("x"), 500), (DocumentError("f", "x"), 500),
])
def test_each_error_carries_the_http_status_a_server_answers_it_with(error, status):
    assert isinstance(error, GuidegraphError) and error.http_status == status


def test_a_busy_query_line_says_when_to_try_again():
    assert QueryBusy("full", retry_after=7).http_headers() == {"Retry-After": "7"}
    assert QueryError("bad").http_headers() == {}


def _routes(app):
    """Yield (path, arguments) for every GET route of the app but its static files."""
    for rule in app.url_map.iter_rules():
        # files that are not read from the store (the static folder, the icon) are served without it
        if "GET" not in rule.methods or rule.endpoint in ("static", "favicon"):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<{name}>", PATH_VALUES[name]).replace(f"<int:{name}>", PATH_VALUES[name])
        yield path, ARGS.get(rule.endpoint, {})


@pytest.fixture(params=["moved", "removed"])
def moved_store_app(built_store, tmp_path, request):
    """An app that read its store once, after which the store folder was moved away or removed; and the store's path."""
    store = tmp_path / "store"
    shutil.copytree(built_store.path, store, symlinks=True)
    app = create_app({"STORE": str(store)})
    assert app.test_client().get("/index.json").status_code == 200
    if request.param == "moved":
        shutil.move(store, tmp_path / "moved-away")
    else:
        shutil.rmtree(store)
    return app, store


def test_every_page_and_json_twin_answers_503_naming_the_store_and_the_fix_when_the_store_goes_away(
        moved_store_app):
    app, store = moved_store_app
    client = app.test_client()
    answers = {}
    for path, args in _routes(app):
        for accept in ("text/html", "application/json"):
            response = client.get(path, query_string=args, headers={"Accept": accept})
            answers[(path, accept)] = response
            if accept == "application/json" or path.endswith(".json"):
                assert response.is_json, (path, accept, response.get_data(as_text=True)[:200])
                message = response.get_json()["message"]
            else:
                assert response.mimetype == "text/html", (path, accept)
                message = response.get_data(as_text=True)
            assert response.status_code == 503, (path, accept, response.status_code, message[:300])
            assert str(store) in message and "guidegraph build" in message, (path, accept, message[:300])
    assert len({path for path, _ in answers}) >= 20  # every page, its twin, the explorer's and console's endpoints


def test_a_moved_store_is_not_reported_as_a_bad_query_by_the_console_or_the_endpoint(moved_store_app):
    app, store = moved_store_app
    client = app.test_client()
    console = client.get("/query.json", query_string={"query": "ASK { ?s ?p ?o }"})
    assert console.status_code == 503 and "StoreError" not in console.get_data(as_text=True)
    endpoint = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"},
                          headers={"Accept": "application/sparql-results+json"})
    assert endpoint.status_code == 503 and str(store) in endpoint.get_json()["message"]


@pytest.fixture
def failing_app(built_store):
    """An app (not in testing mode, as a visitor meets it) whose compare page fails with an unexpected exception."""
    app = create_app({"STORE": str(built_store.path)})

    def fail(**kwargs):
        raise RuntimeError("secret detail of /srv/internal/config.py")

    app.view_functions["browse.compare"] = app.view_functions["browse.compare_json"] = fail
    return app


def test_an_unexpected_exception_gives_the_error_page_without_a_traceback(failing_app):
    page = failing_app.test_client().get("/compare", headers={"Accept": "text/html"})
    html = page.get_data(as_text=True)
    assert page.status_code == 500 and page.mimetype == "text/html"
    assert "<h1>500 Internal Server Error</h1>" in html and UNEXPECTED.split(";")[0] in html
    assert "Traceback" not in html and "secret detail" not in html and "RuntimeError" not in html


def test_an_unexpected_exception_in_a_json_twin_is_a_500_with_a_json_message(failing_app):
    answer = failing_app.test_client().get("/compare.json")
    assert answer.status_code == 500
    assert answer.get_json() == {"status": 500, "error": "Internal Server Error", "message": UNEXPECTED}


@pytest.fixture
def client(built_store):
    return create_app({"STORE": str(built_store.path)}).test_client()


def test_the_sparql_endpoint_answers_its_errors_in_json_to_a_client_that_asked_for_json_results(client):
    bad = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"},
                     headers={"Accept": "application/sparql-results+json"})
    assert bad.status_code == 400 and bad.get_json()["message"].startswith("syntax error at line 1, column")
    refused = client.get("/sparql", query_string={"query": "CLEAR ALL", "format": "json"})
    assert refused.status_code == 403 and refused.get_json()["error"] == "Forbidden"


def test_a_client_that_takes_neither_html_nor_json_gets_the_message_as_plain_text(client):
    answer = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"}, headers={"Accept": "text/csv"})
    assert answer.status_code == 400 and answer.mimetype == "text/plain"
    assert answer.get_data(as_text=True).startswith("400 Bad Request: syntax error at line 1, column")


def test_a_browser_gets_the_error_page_with_the_same_message(client):
    json_message = client.get("/concept/Nope.json").get_json()["message"]
    page = client.get("/concept/Nope", headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert f'<p class="error">{escape(json_message)}</p>' in page.get_data(as_text=True)
    assert "This page as JSON" not in page.get_data(as_text=True)


def test_a_client_of_the_endpoint_that_accepts_anything_gets_text_and_a_browser_gets_the_page(client):
    bad = {"query": "SELECT * WHERE { ?s ?p }"}
    curl = client.get("/sparql", query_string=bad, headers={"Accept": "*/*"})
    assert curl.status_code == 400 and curl.mimetype == "text/plain"
    assert curl.get_data(as_text=True).startswith("400 Bad Request: syntax error")
    browser = client.get("/sparql", query_string=bad, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.status_code == 400 and browser.mimetype == "text/html"
