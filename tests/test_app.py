"""The web app with Flask's test client: the overview and its JSON twin, errors, the SPARQL endpoint."""
from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
import urllib.request

import pytest

from guidegraph.build import build
from guidegraph.store.embedded import Store
from guidegraph.web import create_app

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def app(built_store):
    return create_app({"STORE": str(built_store.path), "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


def test_overview_shows_documents_figures_and_findings(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Treating Bone Metastases" in html and "oracle-esophageal-cancer-bone-metastases.txt" in html
    assert ">377<" in html and "20 dangling" in html and "20 errors" in html
    assert 'href="/document/acs-treating-bone-metastases"' in html


def test_overview_has_a_json_twin(client):
    data = client.get("/index.json").get_json()
    assert data["totals"]["statements"] == 377
    assert data["findings"] == {"error": 20, "warning": 19, "info": 46}
    assert [d["latestDate"] for d in data["documents"]][0] == "2026-02-01"
    assert client.get("/", headers={"Accept": "application/json"}).get_json() == data


def test_unknown_pages_are_404_in_html_and_json(client):
    assert client.get("/nowhere").status_code == 404
    missing = client.get("/nowhere.json")
    assert missing.status_code == 404 and missing.get_json()["error"] == "Not Found"


def test_pages_reference_nothing_outside_the_app(client):
    for path in ("/", "/sparql"):
        html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), path


def test_document_text_is_escaped(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "x.txt").write_text("Guide <script>alert('x')</script>\n\nDenosumab is recommended.\n")
    store = Store(tmp_path / "s")
    build([folder], store, reason=False, check_shapes=False)
    html = create_app({"STORE": str(store.path)}).test_client().get("/").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def _ask(client, **kwargs):
    return client.get("/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s a gg:Statement }", **kwargs}))


def test_sparql_get_form_post_and_direct_post(client):
    assert json.loads(_ask(client).data)["boolean"] is True
    form = client.post("/sparql", data={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a gg:Section }"})
    assert json.loads(form.data)["results"]["bindings"][0]["n"]["value"] == "75"
    direct = client.post("/sparql", data="SELECT (COUNT(*) AS ?n) WHERE { ?s a gg:Section }",
                         content_type="application/sparql-query", headers={"Accept": "text/csv"})
    assert direct.content_type.startswith("text/csv") and direct.get_data(as_text=True).splitlines()[1] == "75"


def test_sparql_content_negotiation_and_format_override(client):
    query = "SELECT ?s WHERE { ?s a gg:GuidelineDocument }"
    for accept, media in [("application/sparql-results+xml", "application/sparql-results+xml"),
                          ("text/tab-separated-values", "text/tab-separated-values"),
                          ("application/sparql-results+json", "application/sparql-results+json")]:
        r = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
        assert r.status_code == 200 and r.content_type.startswith(media)
    r = client.get("/sparql", query_string={"query": query, "format": "csv"}, headers={"Accept": "application/json"})
    assert r.content_type.startswith("text/csv")
    construct = "CONSTRUCT { ?d a gg:GuidelineDocument } WHERE { ?d a gg:GuidelineDocument }"
    for accept, media in [("text/turtle", "text/turtle"), ("application/ld+json", "application/ld+json"),
                          ("application/n-triples", "application/n-triples"),
                          ("application/rdf+xml", "application/rdf+xml")]:
        r = client.get("/sparql", query_string={"query": construct}, headers={"Accept": accept})
        assert r.status_code == 200 and r.content_type.startswith(media)
    assert _ask(client, format="turtle").status_code == 400
    assert client.get("/sparql", query_string={"query": query}, headers={"Accept": "image/png"}).status_code == 406


def test_sparql_dataset_parameters_choose_the_graphs(client):
    graph = "https://w3id.org/guidegraph/id/graph/document/oracle-breast-cancer-bone-metastasis"
    r = client.get("/sparql", query_string=[("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s a gg:Statement }"),
                                            ("default-graph-uri", graph)])
    assert json.loads(r.data)["results"]["bindings"][0]["n"]["value"] == "39"
    empty = client.get("/sparql", query_string=[("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
                                                ("default-graph-uri", "https://example.org/no-such-graph")])
    assert json.loads(empty.data)["results"]["bindings"][0]["n"]["value"] == "0"


@pytest.mark.parametrize("data,status,message", [
    ({"update": "DELETE WHERE { ?s ?p ?o }"}, 403, "updates are refused"),
    ({"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, 403, "updates are refused"),
    ({"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}, 403, "SERVICE is refused"),
    ({"query": "SELECT * WHERE { ?s ?p }"}, 400, "syntax error at line 1, column"),
    ({"format": "json"}, 400, "no query"),
])
def test_sparql_refusals_have_their_status_and_message(client, data, status, message):
    r = client.post("/sparql", data=data)
    assert r.status_code == status and message in r.get_data(as_text=True)


def test_sparql_result_cap_and_time_limit_are_distinct_errors(built_store):
    client = create_app({"STORE": str(built_store.path), "MAX_ROWS": 10, "QUERY_TIMEOUT": 1}).test_client()
    big = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s a gg:Statement }"})
    assert big.status_code == 413 and "more than 10 rows" in big.get_data(as_text=True)
    slow = client.get("/sparql", query_string={"query": ENDLESS})
    assert slow.status_code == 503 and "query stopped after 1 s" in slow.get_data(as_text=True)


def test_a_slow_query_does_not_stop_the_server_answering_others(built_store):
    from werkzeug.serving import make_server

    app = create_app({"STORE": str(built_store.path), "QUERY_TIMEOUT": 5})
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_port}/sparql?"
    try:
        results = {}

        def run_slow():
            try:
                urllib.request.urlopen(base + urllib.parse.urlencode({"query": ENDLESS}), timeout=30)
            except urllib.error.HTTPError as exc:
                results["slow"] = exc.code

        slow = threading.Thread(target=run_slow)
        slow.start()
        time.sleep(0.5)
        started = time.monotonic()
        quick = urllib.request.urlopen(base + urllib.parse.urlencode({"query": "ASK {}"}), timeout=30).read()
        results["quick_after"] = time.monotonic() - started
        slow.join()
        assert json.loads(quick)["boolean"] is True
        assert results["quick_after"] < 4  # answered while the slow query was still running
        assert results["slow"] == 503
    finally:
        httpd.shutdown()


BREAST = "/document/oracle-breast-cancer-bone-metastasis"


def test_document_reader_links_statements_markers_and_shows_dangling_ones(client):
    html = client.get(BREAST).get_data(as_text=True)
    assert f'href="{BREAST}/statement/1277"' in html
    assert 'class="marker dangling"' in html and 'id="reference-4"' in html and 'href="#reference-4"' in html
    assert 'class="furniture"' in html


def test_document_json_twin_spans_quote_the_raw_text(client, corpus_docs):
    data = client.get(BREAST + ".json").get_json()
    raw = corpus_docs["oracle-breast-cancer-bone-metastasis"].raw
    assert data["raw"] == raw
    kinds = {}
    for s in data["spans"]:
        assert raw[s["start"]:s["end"]]
        kinds[s["kind"]] = kinds.get(s["kind"], 0) + 1
    assert kinds["statement"] == 39 and kinds["marker"] == 46 and kinds["reference"] == 4
    assert sum(1 for s in data["spans"] if s.get("dangling")) == 2


def test_statement_page_is_the_provenance_panel(client):
    data = client.get(BREAST + "/statement/1277.json").get_json()
    assert data["quote"].startswith("Zoledronate 4 mg IV") and data["quote"].endswith("stable disease 1")
    assert data["section"] == "Immediate Bone-Directed Therapy" and data["modality"] == "consider"
    assert [m["number"] for m in data["markers"]] == [1]
    assert {d["frequency"] for d in data["doses"]} == {"every 12 weeks", "monthly"}
    bma = next(i for i in data["inferred"] if i["object"].endswith("BoneModifyingAgentRecommendation"))
    assert len(bma["premises"]) == 4
    assert any(f["check"] == "schedule-conflict" for f in data["findings"])
    html = client.get(BREAST + "/statement/1277").get_data(as_text=True)
    assert "The SPARQL behind this panel" in html and "ggv:ZoledronicAcid ⊑ ggv:Bisphosphonate" in html


def test_statement_panel_shows_its_directives_with_their_parts_and_the_roles_of_its_mentions(client):
    data = client.get(BREAST + "/statement/1411.json").get_json()
    directives = {d["words"]: d for d in data["directives"]}
    assert set(directives) == {"complete dental evaluation", "dental work"}
    evaluation = directives["complete dental evaluation"]
    assert evaluation["strength"] == "require" and evaluation["rank"] == 8
    assert evaluation["purpose"]["words"] == "minimize osteonecrosis of the jaw risk"
    assert evaluation["purpose"]["conceptLabel"] == "osteonecrosis of the jaw"
    assert [t["words"] for t in evaluation["timing"]] == ["Before starting BMAs"]
    roles = {c["words"]: c["role"] for c in data["concepts"]}
    assert roles["BMAs"] == "precondition" and roles["dental work"] == "recommended action"
    html = client.get(BREAST + "/statement/1411").get_data(as_text=True)
    assert "<strong>require</strong>" in html and "purpose: minimize osteonecrosis of the jaw risk" in html


def test_concept_page_groups_statements_by_document(client):
    data = client.get("/concept/Bisphosphonate.json").get_json()
    assert {n["label"] for n in data["narrower"]} == {"zoledronic acid", "pamidronate"}
    assert [b["label"] for b in data["broader"]] == ["bone-modifying agent"]
    assert set(data["statements"]) == {"acs-treating-bone-metastases.txt",
                                       "icliniq-bone-metastasis-therapeutic-approaches.txt",
                                       "oracle-breast-cancer-bone-metastasis.txt",
                                       "oracle-esophageal-cancer-bone-metastases.txt",
                                       "oracle-osteoblastic-metastases.txt"}
    assert client.get("/concept/Bisphosphonate").status_code == 200


@pytest.mark.parametrize("path", ["/document/nope", "/document/nope.json", BREAST + "/statement/5",
                                  "/concept/Nope.json"])
def test_unknown_nodes_are_404(client, path):
    assert client.get(path).status_code == 404


def test_explorer_starts_from_the_first_document_by_title_with_capped_neighbours(client):
    documents = client.get("/index.json").get_json()["documents"]
    first = min(documents, key=lambda d: (d["title"] or d["sourceFile"]).lower())
    data = client.get("/explore.json").get_json()
    assert data["center"] == first["document"]
    assert len(data["nodes"]) == 1 + 25 and data["truncated"] is True and data["neighbours"] > 25
    assert {e["arrows"] for e in data["edges"]} == {"to"}
    html = client.get("/explore").get_data(as_text=True)
    assert "vendor/vis-network-9.1.2.min.js" in html and "showing 25 of" in html


def test_explorer_expands_a_node_by_graph_and_type_and_enforces_the_total_cap(client):
    statement = "https://w3id.org/guidegraph/id/document/oracle-breast-cancer-bone-metastasis/statement/1277"
    inferred = client.get("/explore/expand.json", query_string={"node": statement, "graph": "inferred"}).get_json()
    assert inferred["nodes"] and all(e["graph"] == "inferred" for e in inferred["edges"])
    concepts = client.get("/explore/expand.json", query_string={"node": statement, "kind": "concept"}).get_json()
    assert {n["kind"] for n in concepts["nodes"]} == {"concept"}
    full = client.get("/explore/expand.json", query_string={"node": statement, "have": 300}).get_json()
    assert full["nodes"] == [] and "at most 300 nodes" in full["message"]
    assert client.get("/explore/expand.json").status_code == 400
    assert client.get("/explore?node=https://example.org/unknown").status_code == 404


def test_pathways_for_a_situation(client):
    esophageal = "https://w3id.org/guidegraph/vocabulary#EsophagealCancer"
    data = client.get("/pathways.json", query_string={"PerformanceStatus": "1", "condition": esophageal}).get_json()
    (good,) = data["pathways"]
    assert good["label"] == "Good performance status (ECOG 0-2)" and [c["met"] for c in good["conditions"]] == [True]
    assert [s["number"] for s in good["steps"]] == [1, 2, 3, 4]
    assert good["steps"][1]["text"] == "Add zoledronic acid 4 mg IV every 3-4 weeks"
    labels = {n["label"] for n in good["drawing"]["nodes"]}
    assert "zoledronic acid" in labels and "Good performance status (ECOG 0-2)" in labels
    poor = client.get("/pathways.json", query_string={"PerformanceStatus": "3", "condition": esophageal}).get_json()
    assert [p["label"] for p in poor["pathways"]] == ["Poor performance status (ECOG 3-4)"]
    her2 = client.get("/pathways.json", query_string={"status": "https://w3id.org/guidegraph/vocabulary#HER2PositiveBreastCancer"}).get_json()
    assert her2["pathways"][0]["label"] == "HER2-Positive Disease"
    assert client.get("/pathways", query_string={"PerformanceStatus": "abc"}).status_code == 400
    assert "vendor/vis-network-9.1.2.min.js" in client.get("/pathways").get_data(as_text=True)


def test_path_between_two_concepts_goes_through_statements(client):
    data = client.get("/pathways/path.json", query_string={"from": "SpinalInstability", "to": "Surgery"}).get_json()
    kinds = [n["kind"] for n in data["path"]]
    assert kinds[0] == kinds[-1] == "concept" and "statement" in kinds
    assert data["path"][0]["label"] == "spinal instability" and data["path"][-1]["label"] == "surgery"
    # every step but the last names how it leads to the next
    assert data["path"][0]["relation"] == "is mentioned in" and data["path"][-1]["relation"] is None
    assert all(n["relation"] for n in data["path"][:-1])
    assert client.get("/pathways/path.json", query_string={"from": "Nope", "to": "Surgery"}).get_json()["path"] == []


def test_checks_report_filters_and_links_to_statements(client):
    data = client.get("/checks.json").get_json()
    assert data["counts"] == {"error": 20, "warning": 19, "info": 46}
    assert len(data["shacl"]) == 5 and all(r["conforms"] for r in data["shacl"])
    warnings = client.get("/checks.json", query_string={"severity": "warning"}).get_json()
    assert warnings["counts"] == {"error": 20, "warning": 19, "info": 0}
    conflict = client.get("/checks.json", query_string={"check": "schedule-conflict"}).get_json()["findings"]
    assert [i["path"] for i in conflict[0]["involves"]] == [
        "/document/oracle-breast-cancer-bone-metastasis/statement/1277",
        "/document/oracle-esophageal-cancer-bone-metastases/statement/1801"]
    acs = client.get("/checks.json", query_string={"document": "acs-treating-bone-metastases.txt"}).get_json()
    # the stale source, the poor-effect tension, the safety conflict (poor kidney function) and the timing conflict
    assert acs["counts"]["warning"] == 4
    assert "schedule-conflict" in client.get("/checks").get_data(as_text=True)


def test_console_runs_saved_queries_with_parameters_and_pages_results(client):
    dangling = client.get("/query.json", query_string={"saved": "dangling-markers"}).get_json()
    assert dangling["total"] == 20 and dangling["truncated"] is False and dangling["columns"][0] == "document"
    assert dangling["rows"][0][0]["href"].startswith("/document/")
    cites = client.get("/query.json", query_string={
        "saved": "document-citations",
        "document": "https://w3id.org/guidegraph/id/document/oracle-breast-cancer-bone-metastasis"}).get_json()
    assert cites["total"] == 4 and cites["share"].startswith("/query?saved=document-citations&document=")
    second = client.get("/query.json", query_string={"query": "SELECT ?s WHERE { ?s a gg:Statement }",
                                                      "page": 2}).get_json()
    assert second["total"] == 377 and len(second["rows"]) == 50
    assert second["downloads"]["csv"].startswith("/query/download?format=csv&query=")
    everything = client.get("/query.json", query_string={"query": "SELECT ?s WHERE { ?s ?p ?o }"}).get_json()
    assert everything["truncated"] is True and everything["total"] == 5000


def test_console_shows_errors_with_their_position(client):
    bad = client.get("/query.json", query_string={"query": "SELECT * WHERE { ?s ?p }"}).get_json()
    assert bad["error"].startswith("syntax error at line 1, column")
    html = client.get("/query", query_string={"query": "SELECT * WHERE { ?s ?p }"}).get_data(as_text=True)
    assert 'class="error"' in html


def test_compare_matrix_marks_where_documents_disagree_and_agree(client):
    data = client.get("/compare.json").get_json()
    assert len(data["documents"]) == 5
    rows = {r["label"]: r for r in data["rows"]}
    zoledronic = rows["zoledronic acid"]
    assert zoledronic["status"] == "disagree" and any("every 12 weeks" in n for n in zoledronic["notes"])
    breast = zoledronic["cells"]["oracle-breast-cancer-bone-metastasis.txt"]
    assert any("every 12 weeks" in d for s in breast for d in s["doses"])
    assert rows["hydration"]["status"] == "agree"
    assert rows["denosumab"]["group"] == "RANKL inhibitor"
    html = client.get("/compare").get_data(as_text=True)
    assert 'class="row g' in html and "disagree" in html


def test_search_finds_statements_and_concepts_and_escapes_its_words(client):
    data = client.get("/search.json", query_string={"q": "Zoledronate"}).get_json()
    assert [c["label"] for c in data["concepts"]] == ["zoledronic acid"]
    assert all("zoledronate" in s["text"].lower() for s in data["statements"]) and len(data["statements"]) == 3
    html = client.get("/search", query_string={"q": "<b>x</b>"}).get_data(as_text=True)
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert client.get("/search", query_string={"q": "x" * 201}).status_code == 400
    overview = client.get("/").get_data(as_text=True)
    assert 'action="/search"' in overview and "Guideline authors" in overview and "Educators" in overview


def test_terms_for_completion_come_from_the_graphs_own_vocabulary(client):
    data = client.get("/query/terms.json").get_json()
    expected = {"gg:Statement", "gg:aboutIntervention", "ggv:ZoledronicAcid", "oa:hasBody", "dcterms:isPartOf"}
    assert expected <= set(data["terms"])
    assert data["prefixes"]["gg"] == "https://w3id.org/guidegraph/ontology#"


def test_explorer_starts_from_words_and_filters_by_document(client):
    data = client.get("/explore.json", query_string={"node": "zoledronate"}).get_json()
    assert data["center"] == "https://w3id.org/guidegraph/vocabulary#ZoledronicAcid"
    only = client.get("/explore.json", query_string={"node": "zoledronate",
                                                     "document": "oracle-breast-cancer-bone-metastasis"}).get_json()
    docs = {n["id"].split("/document/")[1].split("/")[0] for n in only["nodes"] if "/document/" in n["id"]}
    assert docs == {"oracle-breast-cancer-bone-metastasis"}
    assert client.get("/explore", query_string={"node": "no such words anywhere"}).status_code == 404


def test_document_reader_flags_findings_beside_their_statements(client):
    html = client.get("/document/oracle-esophageal-cancer-bone-metastases").get_data(as_text=True)
    # 10 dangling markers, one in each of 10 statements (5: 2 statements, 6: 7, 7: 1)
    assert html.count('class="flag sev-error"') == 10
    # 29 statements whose worst finding is a warning: 27 cite the off-topic reference 2 (13 of them rest only on
    # flagged or dangling references; three of them also take part in the restriction conflict on monotherapy), the
    # zoledronic acid statement, whose worst is the schedule conflict, and the renal dose adjustment, whose worst is
    # the safety conflict (the contradictions inside the document are info: their avoidances are hedged)
    assert html.count('class="flag sev-warning"') == 29
    assert 'class="flag sev-warning" href="/document/oracle-esophageal-cancer-bone-metastases/statement/1801"' in html


def test_urls_find_the_page_of_each_kind_of_node_and_none_for_the_rest(app):
    urls = app.jinja_env.globals["urls"]
    doc = "https://w3id.org/guidegraph/id/document/x"
    with app.test_request_context():
        assert urls.node(doc) == "/document/x"
        assert urls.node(doc + "/statement/12") == "/document/x/statement/12"
        assert urls.node(doc + "/reference/4") == "/document/x#reference-4"
        assert urls.node(doc + "/marker/99") == "/document/x#marker-99"
        assert urls.node("https://w3id.org/guidegraph/vocabulary#Surgery") == "/concept/Surgery"
        for nowhere in (doc + "/statement/abc", doc + "/pathway/1", "https://w3id.org/guidegraph/id/finding/f",
                        "https://example.org/x", "", None):
            assert urls.node(nowhere) is None, nowhere
        assert urls.json("/") == "/index.json"
        assert urls.json("/query?saved=a&b=1#top") == "/query.json?saved=a&b=1"


def test_urls_follow_the_app_root_when_the_app_is_mounted_under_a_prefix(app):
    urls = app.jinja_env.globals["urls"]
    with app.test_request_context("/", base_url="http://localhost/gg/"):
        assert urls.index() == "/gg/"
        assert urls.json(urls.index()) == "/gg/index.json"
        assert urls.statement("x", 5) == "/gg/document/x/statement/5"


def test_every_json_twin_is_routed_as_its_page_endpoint_with_the_twin_suffix(app):
    from guidegraph.web.urls import TWIN

    pages = {r.endpoint: r.rule for r in app.url_map.iter_rules()}
    twins = {e: rule for e, rule in pages.items() if e.endswith(TWIN)}
    # overview, document, statement, concept, compare, search, checks, finding, console, explorer, pathways,
    # concept path
    assert len(twins) == 12
    for endpoint, rule in twins.items():
        page = pages[endpoint.removesuffix(TWIN)]
        assert rule == (page.rstrip("/") or "/index") + ".json", endpoint


def test_the_header_links_are_pages_and_the_footer_links_the_twin(client):
    html = client.get("/search?q=bone").get_data(as_text=True)
    nav = re.search(r"<nav>(.*?)</nav>", html, re.S).group(1)
    links = re.findall(r'href="([^"]+)"', nav)
    assert links == ["/", "/pathways", "/compare", "/explore", "/checks", "/query"]
    for path in links:
        assert client.get(path, headers={"Accept": "text/html"}).mimetype == "text/html", path
    assert '<a href="/search.json?q=bone">This page as JSON</a>' in html


def test_statement_panel_shows_its_beliefs_with_their_figures_and_the_antecedent_of_an_elliptical_item(client):
    esophageal = BREAST.replace("oracle-breast-cancer-bone-metastasis", "oracle-esophageal-cancer-bone-metastases")
    data = client.get(esophageal + "/statement/3499.json").get_json()
    (belief,) = data["beliefs"]
    assert belief["effect"] == "improves" and belief["outcome"]["words"] == "dysphagia"
    assert [(f["words"], f["kind"], f["value"]) for f in belief["figures"]] == [("72%", "percentage", 0.72)]
    assert belief["antecedent"]["words"] == belief["words"] == "Palliative chemoradiotherapy"
    assert belief["antecedent"]["start"] < 3499
    html = client.get(esophageal + "/statement/3499").get_data(as_text=True)
    assert "<strong>improves</strong> dysphagia" in html and "refers to: Palliative chemoradiotherapy" in html
    data = client.get(esophageal + "/statement/2076.json").get_json()
    (safety,) = data["beliefs"]
    assert safety["safety"] == "dose-adjust" and safety["condition"]["words"] == "creatinine clearance <60 mL/min"


def test_statement_panel_shows_the_directive_of_an_anaphor_with_its_antecedent(client):
    esophageal = BREAST.replace("oracle-breast-cancer-bone-metastasis", "oracle-esophageal-cancer-bone-metastases")
    data = client.get(esophageal + "/statement/3594.json").get_json()
    (directive,) = data["directives"]
    assert directive["words"] == "this approach" and directive["strength"] == "avoid"
    assert directive["antecedent"]["words"] == "Palliative chemoradiotherapy"
    assert directive["actionLabel"] == directive["antecedent"]["conceptLabel"]


def test_a_finding_has_a_page_and_twin_at_its_iri_and_an_unknown_one_is_404(client):
    finding = "https://w3id.org/guidegraph/id/finding/dangling-citation/3cb1605b42ccd2d543b518e5e53496dc"
    from guidegraph.web.urls import Urls

    with client.application.test_request_context():
        path = Urls().node(finding)
    assert path == "/finding/dangling-citation/3cb1605b42ccd2d543b518e5e53496dc"
    data = client.get(path + ".json").get_json()
    assert data["finding"] == finding and data["checkTitle"] == "Dangling citation markers"
    (statement, marker) = data["involves"]
    assert statement["inDocument"] == f"/document/{BREAST.rsplit('/', 1)[-1]}#statement-2525"
    assert marker["label"] == "citation marker" and marker["quote"] == "5" and marker["before"].endswith("4, ")
    assert "--dismiss" in data["reviewCommands"]["dismiss"]
    assert client.get("/finding/dangling-citation/0000").status_code == 404
    assert client.get("/finding/dangling-citation/0000.json").get_json()["status"] == 404
    assert client.get("/finding/%22x/y").status_code == 400


def test_the_checks_csv_download_holds_the_rows_of_guidegraph_check(client, built_store, run_cli):
    download = client.get("/checks.csv")
    assert download.mimetype == "text/csv" and "attachment" in download.headers["Content-Disposition"]
    cli = run_cli("check", "--format", "csv", "--store", built_store.path)
    assert download.get_data(as_text=True).splitlines() == cli.stdout.splitlines()
    errors = client.get("/checks.csv?severity=error").get_data(as_text=True).splitlines()
    assert len(errors) == 41 and all(r.startswith("error,") for r in errors[1:])


def test_the_compare_matrix_filters_and_links_its_marks_to_findings(client):
    data = client.get("/compare.json?status=disagree").get_json()
    assert data["rows"] and all(r["status"] == "disagree" for r in data["rows"])
    assert all(f["path"].startswith("/finding/") for r in data["rows"] for f in r["findings"])
    assert client.get("/compare?status=maybe").status_code == 400
    assert client.get("/compare.json?document=nothing.txt").get_json()["status"] == 400


VOCABULARY = "https://w3id.org/guidegraph/vocabulary#"


def test_a_cancer_with_or_without_its_subtype_and_a_performance_status_selects_its_pathways(client):
    breast = {"condition": VOCABULARY + "BreastCancer", "PerformanceStatus": "1", "status": ""}
    data = client.get("/pathways.json", query_string=breast).get_json()
    assert len(data["pathways"]) == 4
    assert {p["sourceFile"] for p in data["pathways"]} == {"oracle-breast-cancer-bone-metastasis.txt"}
    # a subtype the situation does not give is explained, not silently unknown
    assert all(c["met"] is None and c["reason"].startswith("not given: choose") for p in data["pathways"]
               for c in p["conditions"])
    her2 = client.get("/pathways.json", query_string={"condition": VOCABULARY + "HER2PositiveBreastCancer"}).get_json()
    # the other subtypes are disjoint from it in the vocabulary: their pathways do not fit
    assert [p["label"] for p in her2["pathways"]][0] == "HER2-Positive Disease"
    assert "Triple-Negative Disease" not in [p["label"] for p in her2["pathways"]]


def test_the_situation_picker_offers_subtypes_under_the_cancer_and_statuses_once(client):
    html = client.get("/pathways").get_data(as_text=True)
    cancer = re.search(r'<select name="condition">(.*?)</select>', html, re.S).group(1)
    assert "HER2-positive breast cancer" in cancer and "esophageal adenocarcinoma" in cancer
    statuses = re.findall(r'name="status" value="([^"]+)"', html)
    assert len(statuses) == len(set(statuses)) and VOCABULARY + "HER2PositiveBreastCancer" not in statuses
    assert VOCABULARY + "Postmenopausal" in statuses


def test_a_spinal_instability_score_selects_the_statements_for_its_band(client):
    data = client.get("/pathways.json", query_string={"SINS": "13"}).get_json()
    texts = [s["text"] for s in data["statements"]]
    assert any("SINS score ≥13" in t for t in texts)
    stable = client.get("/pathways.json", query_string={"SINS": "3"}).get_json()
    assert not any("≥13" in s["text"] and "≤6" not in s["text"] for s in stable["statements"])


def test_a_low_creatinine_clearance_rules_out_the_step_that_needs_adequate_renal_function(client):
    situation = {"condition": VOCABULARY + "EsophagealCancer", "PerformanceStatus": "3", "CreatinineClearance": "25"}
    data = client.get("/pathways.json", query_string=situation).get_json()
    (poor,) = data["pathways"]
    step = next(s for s in poor["steps"] if "adequate renal function" in s["text"])
    assert step["applies"] is False
    assert any(c["met"] is False and "25 mL/min" in c["reason"] for c in step["conditions"])
    assert any(n["withholds"] for n in step["safety"])
    # the picture does not offer the withheld action
    drawn = {n["id"] for n in poor["drawing"]["nodes"]}
    assert VOCABULARY + "ZoledronicAcid" not in drawn
    assert any(n["withholds"] and n["path"].startswith("/document/") for n in data["safety"])
    healthy = client.get("/pathways.json", query_string=situation | {"CreatinineClearance": "90"}).get_json()
    (poor,) = healthy["pathways"]
    step = next(s for s in poor["steps"] if "adequate renal function" in s["text"])
    assert step["applies"] is True and VOCABULARY + "ZoledronicAcid" in {n["id"] for n in poor["drawing"]["nodes"]}


def test_a_saved_query_keeps_its_parameter_when_its_text_is_run_again_and_downloads_whole(client):
    breast = "https://w3id.org/guidegraph/id/document/oracle-breast-cancer-bone-metastasis"
    opened = client.get("/query.json", query_string={"saved": "document-citations", "document": breast}).get_json()
    again = client.get("/query.json", query_string={"saved": "document-citations", "document": breast,
                                                     "query": opened["query"]}).get_json()
    assert again["total"] == opened["total"] == 4 and again["values"] == {"document": breast}
    download = client.get(again["downloads"]["csv"])
    assert download.mimetype == "text/csv" and "attachment" in download.headers["Content-Disposition"]
    assert len(download.get_data(as_text=True).splitlines()) == 5
    assert client.get("/query/download?format=exe&query=ASK{}").status_code == 400


def test_select_star_lists_columns_as_the_query_names_them_and_pages_are_a_window(client):
    data = client.get("/query.json", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}).get_json()
    assert data["columns"] == ["s", "p", "o"]
    html = client.get("/query", query_string={"query": "SELECT ?s WHERE { ?s ?p ?o }", "page": 50}).get_data(
        as_text=True)
    assert len(re.findall(r'<nav class="pages">.*?</nav>', html, re.S)[0].split("<a ")) < 12


def test_the_statement_panel_links_its_citations_its_findings_and_its_spot_in_the_document(client):
    html = client.get(BREAST + "/statement/2525").get_data(as_text=True)
    assert f'href="{BREAST}#statement-2525"' in html
    assert f'href="{BREAST}#reference-4">[4]' in html and f'href="{BREAST}#marker-2631">[5]' in html
    assert 'class="finding-link" href="/finding/dangling-citation/' in html
    assert 'class="explore-link" rel="nofollow" href="/explore?node=' in html
