"""Browser tests: Playwright driving Debian's Chromium against a live server on a free local port.

Screenshots of every page go to instance/screenshots/ (1280×800) to be looked at.
"""
from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import pytest

from .conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "instance" / "screenshots"

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                 reason="Debian's chromium is not installed (make test installs it)")]


@pytest.fixture(scope="module")
def base_url(built_store):
    from werkzeug.serving import make_server

    from guidegraph.web import create_app

    httpd = make_server("127.0.0.1", 0, create_app({"STORE": str(built_store.path)}), threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=base_url, accept_downloads=True)
    requests = []
    context.on("request", lambda r: requests.append(r.url))
    p = context.new_page()
    p.requests = requests
    yield p
    # nothing is ever fetched from outside the app
    outside = [u for u in requests if not u.startswith((base_url, "data:"))]
    assert outside == []
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.mark.parametrize("name,path,expect", [
    ("overview", "/", "Bone metastasis guidelines"),
    ("document", "/document/oracle-esophageal-cancer-bone-metastases", "Treatment Algorithm by Performance Status"),
    ("statement", "/document/oracle-breast-cancer-bone-metastasis/statement/1277", "BoneModifyingAgentRecommendation"),
    ("concept", "/concept/ZoledronicAcid", "Statements about zoledronic acid"),
    ("compare", "/compare", "What each source says about each intervention"),
    ("checks", "/checks?severity=warning", "Checks report"),
    ("console", "/query?saved=dangling-markers", "20 rows"),
    ("pathways", "/pathways?PerformanceStatus=1", "Good performance status (ECOG 0-2)"),
    ("path", "/pathways/path?from=SpinalInstability&to=Surgery", "How two concepts connect"),
    ("explore", "/explore", "Graph explorer"),
    ("sparql", "/sparql", "SPARQL endpoint"),
])
def test_each_page_opens_and_is_screenshotted(page, name, path, expect):
    page.goto(path)
    assert expect in page.content()
    shot(page, name)


def test_the_header_links_open_each_page_and_the_footer_link_its_json_twin(page):
    page.goto("/")
    for name in ("Pathways", "Compare", "Explore", "Checks", "SPARQL", "Overview"):
        page.click(f"header nav a:has-text('{name}')")
        page.wait_for_load_state()
        assert not page.url.split("?")[0].endswith(".json"), page.url
        assert page.locator("main h1").count() == 1, page.url
    page.click("footer a:has-text('This page as JSON')")
    page.wait_for_load_state()
    assert page.url.endswith("/index.json")
    assert '"totals"' in page.content()


def test_follow_a_document_to_a_statement_and_to_a_reference(page):
    page.goto("/")
    page.click("text=What is the treatment approach for breast cancer with bone metastasis?")
    page.wait_for_url("**/document/oracle-breast-cancer-bone-metastasis")
    page.click("a.statement >> nth=0")
    page.wait_for_url("**/statement/552")
    assert "Guideline Directed Topic Overview" in page.inner_text("table.facts")
    page.go_back()
    page.click('a.marker[href="#reference-4"] >> nth=0')
    assert page.url.endswith("#reference-4")
    assert "Management of Hypercalcemia" in page.inner_text("#reference-4")
    assert page.locator("a.marker.dangling").count() == 2


def test_expand_a_node_in_the_graph_explorer(page):
    page.goto("/explore")
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_selector("#network canvas")
    statement = "https://w3id.org/guidegraph/id/document/oracle-esophageal-cancer-bone-metastases/statement/1801"
    page.evaluate("id => window.ggExpand(id)", statement)
    page.wait_for_selector("body[data-expanded]")
    assert int(page.get_attribute("body", "data-expanded")) > 26
    # the layout settles within a second or so and the expanded view fits the canvas
    page.wait_for_selector("body[data-settled='2']", timeout=5000)
    assert page.evaluate("window.ggFits()")
    shot(page, "explore-expanded")


def test_from_a_finding_into_the_explorer_then_select_show_more_and_open_a_node(page):
    page.goto("/finding/dangling-citation/3cb1605b42ccd2d543b518e5e53496dc")
    page.click("a.explore-link")
    page.wait_for_url(re.compile(r"/explore\?node="))
    page.wait_for_selector("body[data-settled]")
    # a document node has more neighbours than the cap: select it, show more, and the view still fits
    page.goto("/explore")
    page.wait_for_selector("body[data-settled]")
    center = page.evaluate("JSON.parse(document.getElementById('network-data').textContent).center")
    page.evaluate("id => window.ggExpand(id, 25)", center)
    page.wait_for_selector("body[data-settled='2']", timeout=5000)
    assert int(page.get_attribute("body", "data-expanded")) == 1 + 25 + 25
    page.click("#fit")
    assert page.evaluate("window.ggFits()")
    shot(page, "explore-more")


def test_pick_a_pathway(page):
    page.goto("/pathways")
    page.fill("input[name=PerformanceStatus]", "3")
    page.select_option("select[name=condition]", "https://w3id.org/guidegraph/vocabulary#EsophagealCancer")
    page.click("form.situation button")
    page.wait_for_selector(".pathway-graph canvas")
    headings = page.locator("section.pathway h2").all_inner_texts()
    assert len(headings) == 1 and headings[0].startswith("Poor performance status (ECOG 3-4)")
    shot(page, "pathway-picked")


def test_run_a_saved_query_and_download_its_csv(page):
    page.goto("/query")
    page.click("button:has-text('Dangling citation markers')")
    page.wait_for_selector("table.results")
    assert page.locator("table.results tbody tr").count() == 20
    with page.expect_download() as download:
        page.click("a.download:has-text('CSV')")
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("document,number,content") and len(lines) == 21


def test_the_console_editor_highlights_and_completes_from_the_vocabulary(page):
    page.goto("/query")
    page.wait_for_selector("body[data-editor='1']")
    assert page.locator("pre.highlight span.kw", has_text="SELECT").count() >= 1
    area = page.locator("textarea.query")
    area.fill("")
    area.type("SELECT ?s WHERE { ?s a gg:Statem")
    # a locator, not wait_for_function: the page's Content-Security-Policy forbids evaluating strings
    page.locator("ul.completions li", has_text="gg:Statement").first.wait_for()
    assert page.locator("ul.completions li").first.inner_text() == "gg:Statement"
    area.press("Enter")
    assert area.input_value().endswith("gg:Statement")
    area.type(" }")
    page.click("form button:has-text('Run')")
    page.wait_for_selector("table.results")
    assert "377 rows" in page.content()
    shot(page, "console-completion")


def _target(page) -> dict:
    """Return the id of the element the URL's fragment targets, whether it is highlighted, and where it is drawn."""
    page.wait_for_selector(":target")
    target = page.locator(":target")
    box = target.bounding_box()
    return {"id": target.get_attribute("id"), "background": target.evaluate("e => getComputedStyle(e).backgroundColor"),
            "inView": box is not None and 0 <= box["y"] < 800}


HIGHLIGHT = "rgb(255, 226, 122)"  # the reader's :target background (guidegraph.css)


def test_from_a_finding_to_its_statement_the_highlighted_spot_in_the_document_and_the_highlighted_reference(page):
    page.goto("/checks")
    group = page.locator("details.finding-group", has_text="oracle-breast-cancer-bone-metastasis.txt").first
    assert "Dangling citation markers" in group.inner_text()
    group.locator("a.permalink").first.click()
    page.wait_for_url("**/finding/dangling-citation/*")
    assert "Dangling citation markers" in page.inner_text("main h1")
    assert "citation marker" in page.inner_text("table.facts")
    assert "InTextReferencePointer" not in page.inner_text("main")
    shot(page, "finding")
    page.click("a.statement-link")
    page.wait_for_url("**/statement/*")
    start = page.url.rsplit("/", 1)[-1]
    # the panel's citation "[4] …" is a link to the reference, highlighted in the document
    page.click("table.facts .citation a:has-text('[4]')")
    page.wait_for_url("**/document/oracle-breast-cancer-bone-metastasis#reference-4")
    landed = _target(page)
    assert landed == {"id": "reference-4", "background": HIGHLIGHT, "inView": True}
    assert "Management of Hypercalcemia" in page.inner_text("#reference-4")
    # the reference list is numbered as the markers cite it
    assert page.locator("#reference-4").get_attribute("data-number") == "4"
    page.go_back()
    page.click("a.in-document")
    page.wait_for_url(f"**/document/oracle-breast-cancer-bone-metastasis#statement-{start}")
    assert _target(page) == {"id": f"statement-{start}", "background": HIGHLIGHT, "inView": True}
    shot(page, "document-at-statement")
    page.locator(f'a.marker[data-part="statement-{start}"][href="#reference-4"]').click()
    page.wait_for_url("**#reference-4")
    assert _target(page)["id"] == "reference-4"
    # the statement is no longer highlighted: only the new target is
    highlighted = page.locator(".reader .hit").evaluate_all("els => [...new Set(els.map(e => e.dataset.part))]")
    assert highlighted == ["reference-4"]
    shot(page, "document-at-reference")


def test_the_checks_report_groups_findings_counts_in_words_and_downloads_its_csv(page):
    page.goto("/checks")
    summaries = page.locator("details.finding-group summary").all_inner_texts()
    dangling = [s for s in summaries if "Dangling citation markers" in s]
    assert len(dangling) == 3 and any("10 findings" in s for s in dangling)
    text = page.inner_text("main")
    assert "20 errors" in text and "19 warnings" in text
    assert not re.search(r"\b1 (finding|error|warning)s\b", text)
    options = page.locator("select[name=severity] option").all_inner_texts()
    assert len(options) == len(set(options))
    shot(page, "checks")
    with page.expect_download() as download:
        page.click("a.download:has-text('Download CSV')")
    rows = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("severity,check,type,finding,message")
    assert sum(1 for r in rows if r.startswith("error,dangling-citation,")) == 40  # a statement and a marker each


def test_the_compare_matrix_filters_disagreements_keeps_its_header_and_links_each_mark_to_its_finding(page):
    page.goto("/compare")
    page.select_option("select[name=status]", "disagree")
    page.click("form.compare-filters button")
    page.wait_for_url("**/compare?status=disagree*")
    rows = page.locator("table.compare tr.row")
    assert rows.count() >= 1 and rows.count() == page.locator("table.compare tr.row.disagree").count()
    page.mouse.wheel(0, 1500)
    page.wait_for_timeout(100)
    assert abs(page.locator("table.compare thead th").first.bounding_box()["y"]) < 2
    shot(page, "compare-disagreements")
    page.locator("table.compare a.mark").first.click()
    page.wait_for_url("**/finding/*/*")
    assert page.locator("main h1").count() == 1


def test_an_educator_picks_breast_cancer_then_a_spinal_instability_score(page):
    page.goto("/pathways")
    page.select_option("select[name=condition]", label="\u2003breast cancer")
    page.fill("input[name=PerformanceStatus]", "1")
    page.click("form.situation button")
    page.wait_for_selector(".pathway-graph canvas")
    headings = page.locator("section.pathway h2").all_inner_texts()
    assert len(headings) == 4 and all("oracle-breast-cancer-bone-metastasis.txt" in h for h in headings)
    assert "not given: choose" in page.inner_text("section.pathway .conditions >> nth=0")
    shot(page, "pathways-breast")
    page.select_option("select[name=condition]", "")
    page.fill("input[name=PerformanceStatus]", "")
    page.fill("input[name=SINS]", "13")
    page.click("form.situation button")
    page.wait_for_url("**SINS=13*")
    assert "SINS score ≥13" in page.inner_text("section.applies")
    shot(page, "pathways-sins")


def test_a_saved_query_with_a_parameter_keeps_it_after_run_and_downloads_its_whole_result(page):
    page.goto("/query")
    page.click("button:has-text('What a document cites')")
    page.wait_for_selector("table.results")
    rows = page.locator("table.results tbody tr").count()
    document = page.input_value(".chosen input[name=document]")
    page.locator("textarea.query").press("Control+Enter")
    page.wait_for_load_state()
    page.wait_for_selector("table.results")
    assert page.locator("table.results tbody tr").count() == rows
    assert page.input_value(".chosen input[name=document]") == document
    # an IRI cell reads prefixed and sorts by its heading
    page.locator("table.results th button.sort").first.click()
    assert page.locator("table.results th button.sort").first.get_attribute("data-order") == "up"
    shot(page, "console-saved-run")
    with page.expect_download() as download:
        page.click("a.download:has-text('CSV')")
    assert download.value.suggested_filename == "guidegraph-document-citations.csv"
    assert len(Path(download.value.path()).read_text(encoding="utf-8").splitlines()) == rows + 1
