"""The web app on a corpus that shares nothing with the default one: every page opens, nothing assumes bone metastases.

The corpus is tests/data/other-corpus/ (fictional hypertension guidance, see its README). The app
is crawled from the overview by following every link a page carries, and the pages no link
reaches (the saved queries, the explorer's endpoint, searches) are opened by name.
"""
from __future__ import annotations

import re
import urllib.parse
from html.parser import HTMLParser

import pytest

from guidegraph.build import build
from guidegraph.namespaces import local_name
from guidegraph.query.saved import load_queries
from guidegraph.store.embedded import Store
from guidegraph.web import create_app

from .conftest import DATA

OTHER = DATA / "other-corpus"
ADULTS = "hypertension-adults-summary"
# words of the default corpus that no page of this one may show
DEFAULT_CORPUS_WORDS = ("bone metasta", "zoledron", "esophageal", "Dr.Oracle", "American Cancer Society", "iCliniq")


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    """The other corpus built, with reasoning and checks, into a store of its own."""
    built = Store(tmp_path_factory.mktemp("other-store") / "store")
    report = build([OTHER], built)
    assert report.failures == []
    return built


@pytest.fixture(scope="module")
def client(store):
    # not TESTING: a failing view must come back as the 500 a visitor would get, so the crawl can list them all
    return create_app({"STORE": str(store.path)}).test_client()


class _Links(HTMLParser):
    """The same-site paths a page links to (anchors dropped)."""

    def __init__(self):
        super().__init__()
        self.paths: list[str] = []

    def handle_starttag(self, tag, attrs):
        # a download is a file, not a page, and a nofollow link leads into the explorer (one page per node, reached
        # from the header too): both are tested on their own
        attrs = dict(attrs)
        href = attrs.get("href") if tag == "a" and "download" not in attrs and attrs.get("rel") != "nofollow" else None
        if href and href.startswith("/") and not href.startswith("//"):
            self.paths.append(href.split("#", 1)[0])


def _crawl(client, start: str, limit: int = 600) -> dict[str, int]:
    """Open every page reachable from ``start`` by links; return the status of each path."""
    seen: dict[str, int] = {}
    todo = [start]
    while todo and len(seen) < limit:
        path = todo.pop()
        if path in seen or path.startswith("/static/"):
            continue
        response = client.get(path, headers={"Accept": "text/html"})
        seen[path] = response.status_code
        if response.mimetype == "text/html":
            parser = _Links()
            parser.feed(response.get_data(as_text=True))
            todo.extend(p for p in parser.paths if p not in seen)
    assert len(seen) < limit, "the crawl did not finish"
    return seen


def test_every_page_a_link_reaches_opens(client):
    statuses = _crawl(client, "/")
    assert {p: s for p, s in statuses.items() if s != 200} == {}
    # it reached each document, each statement (with their twins), concepts, and every area of the UI
    documents = [p for p in statuses if re.fullmatch(r"/document/[\w-]+", p)]
    statements = [p for p in statuses if re.fullmatch(r"/document/[^/]+/statement/\d+", p)]
    assert len(documents) == 3 and len(statements) == 41
    assert f"/document/{ADULTS}.json" in statuses and f"{statements[0]}.json" in statuses
    assert any(p.startswith("/concept/") for p in statuses)
    for area in ("/compare", "/explore", "/pathways", "/checks", "/query", "/sparql", "/pathways/path"):
        assert area in statuses, area


def test_the_pages_no_link_reaches_open_too(client):
    overview = client.get("/index.json").get_json()
    example = overview["searchExample"]
    paths = ["/index.json", "/compare.json", "/explore.json", "/pathways.json", "/checks.json", "/query.json",
             "/query/terms.json", f"/search?q={urllib.parse.quote(example)}", "/search.json?q=blood+pressure",
             "/pathways.json?Age=40", "/pathways/path.json?from=PhysicalActivity&to=NSAID",
             "/explore/expand.json?node=" + urllib.parse.quote(overview["documents"][0]["document"], safe="")]
    for name in load_queries():
        paths += [f"/query?saved={name}", f"/query.json?saved={name}"]
    failed = {p: s for p in paths if (s := client.get(p).status_code) != 200}
    assert failed == {}


def test_the_overview_names_no_topic_the_corpus_does_not_share_and_searches_for_its_own_words(client):
    data = client.get("/index.json").get_json()
    assert data["totals"]["documents"] == 3 and data["totals"]["statements"] == 41
    assert data["topic"] is None  # one document of three is about pregnancy: not the corpus's topic
    assert data["searchExample"] == "physical activity"
    html = client.get("/").get_data(as_text=True)
    assert "<h1>Guidelines: the corpus as a knowledge graph</h1>" in html
    assert 'placeholder="Search statements and concepts, e.g. physical activity"' in html


@pytest.mark.parametrize("path", ["/", "/compare", "/explore", "/pathways", "/checks", f"/document/{ADULTS}",
                                  "/pathways/path", "/search?q=blood", "/query", "/query?saved=statement-provenance"])
def test_no_page_shows_what_belongs_to_the_default_corpus(client, path):
    html = client.get(path).get_data(as_text=True)
    assert [w for w in DEFAULT_CORPUS_WORDS if w.lower() in html.lower()] == []


def test_the_explorer_starts_from_this_corpus_first_document_by_title(client):
    data = client.get("/explore.json").get_json()
    assert local_name(data["center"]) == "hypertension-patient-leaflet"  # "Living With High Blood Pressure"
    assert len(data["nodes"]) > 1 and data["edges"]


def test_pathways_pick_by_a_numeric_criterion_the_vocabulary_defines(client):
    young = client.get("/pathways.json", query_string={"Age": "40"}).get_json()
    # the situation names a condition, whichever the corpus is about (it was "cancer", for the default corpus)
    assert young["situation"] == {"condition": None, "status": [], "Age": 40.0}
    assert [p["label"] for p in young["pathways"]] == ["Adults with age <55 years"]
    assert [s["path"] for s in young["pathways"][0]["steps"]][0].startswith(f"/document/{ADULTS}/statement/")
    old = client.get("/pathways.json", query_string={"Age": "70"}).get_json()
    assert [p["label"] for p in old["pathways"]] == ["Adults with age ≥55 years"]
    refused = client.get("/pathways.json", query_string={"Age": "-3"})
    assert refused.status_code == 400 and "age must be a number of 0 or more (years)" in refused.get_json()["message"]
    assert 'name="Age"' in client.get("/pathways").get_data(as_text=True)


def test_the_checks_find_this_corpus_dangling_marker_and_link_it_to_its_statement(client):
    data = client.get("/checks.json", query_string={"check": "dangling-citation"}).get_json()
    (finding,) = data["findings"]
    assert "cites entry 4" in finding["message"]
    statement = next(i for i in finding["involves"] if i["kind"] == "Statement")
    assert statement["path"].startswith(f"/document/{ADULTS}/statement/")
    assert client.get(statement["path"]).status_code == 200
    # a marker has no page of its own: its link lands on it in the document's reader
    marker = next(i for i in finding["involves"] if i["kind"] == "InTextReferencePointer")
    page, anchor = marker["path"].split("#")
    assert page == f"/document/{ADULTS}" and f'id="{anchor}"' in client.get(page).get_data(as_text=True)


def test_a_statement_quotes_its_own_document_at_its_offsets(client, store):
    document = client.get(f"/document/{ADULTS}.json").get_json()
    for span in (s for s in document["spans"] if s["kind"] == "statement"):
        data = client.get(f"/document/{ADULTS}/statement/{span['start']}.json").get_json()
        assert data["quote"] == document["raw"][span["start"]:span["end"]]
        assert data["documentPath"] == f"/document/{ADULTS}#statement-{span['start']}"


def test_what_this_corpus_lacks_is_a_deliberate_404(client):
    assert client.get("/concept/ZoledronicAcid.json").status_code == 200  # the vocabulary is shared
    assert client.get("/document/oracle-breast-cancer-bone-metastasis").status_code == 404
    missing = client.get("/document/oracle-breast-cancer-bone-metastasis.json").get_json()
    assert missing["message"] == "no document 'oracle-breast-cancer-bone-metastasis' in the store"


def test_the_consoles_examples_are_nodes_of_this_corpus(client):
    for saved, param in (("document-citations", "document"), ("statement-provenance", "statement")):
        data = client.get("/query.json", query_string={"saved": saved}).get_json()
        assert data["values"][param].startswith("https://w3id.org/guidegraph/id/document/hypertension-"), data["values"]
        assert data.get("error") is None and data["rows"], (saved, data.get("error"))
