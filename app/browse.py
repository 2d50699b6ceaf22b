"""The overview page: the corpus, its figures and its findings, with a JSON twin."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template

from guidegraph.checks.sparql import SEVERITIES
from guidegraph.store import store_stats
from guidegraph.errors import StoreError

from . import store, wants_json

bp = Blueprint("browse", __name__)

DOCUMENTS = """
SELECT ?document ?title ?publisher ?kind ?file (MAX(?date) AS ?latest) WHERE {
  ?document a gg:GuidelineDocument ; gg:sourceFile ?file .
  OPTIONAL { ?document dcterms:title ?title }
  OPTIONAL { ?document dcterms:publisher ?publisher }
  OPTIONAL { ?document gg:documentKind ?kind }
  OPTIONAL { ?document gg:statedDate/rdf:value ?date }
} GROUP BY ?document ?title ?publisher ?kind ?file ORDER BY DESC(?latest)
"""


SEVERITY_QUERY = """
SELECT ?severity (COUNT(?f) AS ?n) WHERE {
  GRAPH <https://w3id.org/guidegraph/id/graph/findings> { ?f a gg:Finding ; gg:severity ?severity }
} GROUP BY ?severity"""


def overview_data() -> dict:
    """Return what the overview shows: documents, figures and findings by severity."""
    s = store()
    try:
        stats = store_stats(s)
    except StoreError as exc:
        abort(503, str(exc))
    by_doc = {d["document"]: d for d in stats["documents"]}
    documents = []
    for r in s.dataset().query(DOCUMENTS):
        figures = by_doc.get(str(r.document), {})
        documents.append({"document": str(r.document), "title": str(r.title) if r.title else None,
                          "publisher": str(r.publisher) if r.publisher else None,
                          "kind": str(r.kind) if r.kind else None, "sourceFile": str(r.file),
                          "latestDate": str(r.latest) if r.latest else None,
                          **{k: figures.get(k, 0) for k in ("statements", "markers", "dangling", "references")}})
    counts = {str(r.severity): int(r.n) for r in s.dataset().query(SEVERITY_QUERY)}
    return {"store": stats["store"], "generation": stats["generation"], "totals": stats["totals"],
            "documents": documents, "findings": {sev: counts.get(sev, 0) for sev in SEVERITIES}}


@bp.route("/")
@bp.route("/index.json")
def index():
    """Show the corpus with its dates and kinds, the figures and the findings by severity."""
    data = overview_data()
    if wants_json():
        return jsonify(data)
    return render_template("browse/index.html", **data)


def _page(view, template: str, **kwargs):
    """Render a guidegraph.views.pages view as HTML, or as its JSON twin; 404 for what the store lacks."""
    from guidegraph.views.pages import NotFound

    try:
        data = view(store(), **kwargs)
    except NotFound as exc:
        abort(404, str(exc))
    if wants_json():
        return jsonify(data)
    return render_template(template, **data, segments=segments(data) if "spans" in data else None)


def segments(data: dict) -> list[dict]:
    """Cut a document's raw text at every span boundary; each piece knows what covers it."""
    import bisect

    raw, spans = data["raw"], data["spans"]
    cuts = sorted({0, len(raw), *(s["start"] for s in spans), *(s["end"] for s in spans)})
    pieces = [{"text": raw[a:b], "start": a} for a, b in zip(cuts, cuts[1:])]
    for s in spans:
        first, last = bisect.bisect_left(cuts, s["start"]), bisect.bisect_left(cuts, s["end"])
        for piece in pieces[first:last]:
            piece.setdefault(s["kind"], s)
    for piece in pieces:
        st = piece.get("statement")
        if st:
            piece["href"] = f"/document/{data['slug']}/statement/{st['start']}"
            # the findings about a statement are flagged once, right after its last characters
            if st["findings"] and piece["start"] + len(piece["text"]) == st["end"]:
                worst = min(st["findings"], key=lambda f: ("error", "warning", "info").index(f["severity"]))
                piece["flag"] = {"severity": worst["severity"], "title": " · ".join(f["message"] for f in st["findings"]),
                                 "count": len(st["findings"])}
        marker = piece.get("marker")
        if marker and marker.get("reference"):
            piece["refHref"] = "#reference-" + str(marker["number"])
    return pieces


@bp.route("/document/<slug>")
@bp.route("/document/<slug>.json")
def document(slug: str):
    """Show a document's raw text with its statements, markers, references, furniture and findings."""
    from guidegraph.views.pages import document_view

    return _page(document_view, "browse/document.html", slug=slug)


@bp.route("/document/<slug>/statement/<int:start>")
@bp.route("/document/<slug>/statement/<int:start>.json")
def statement(slug: str, start: int):
    """Show a statement's provenance panel."""
    from guidegraph.views.pages import statement_view

    return _page(statement_view, "browse/statement.html", slug=slug, start=start)


@bp.route("/concept/<name>")
@bp.route("/concept/<name>.json")
def concept(name: str):
    """Show a concept with its hierarchy and every statement about it or a narrower concept."""
    from guidegraph.views.pages import concept_view

    return _page(concept_view, "browse/concept.html", name=name)


@bp.route("/compare")
@bp.route("/compare.json")
def compare():
    """Show what each document says about each intervention, marking where they agree or disagree."""
    from guidegraph.views.pages import compare_view

    data = compare_view(store())
    if wants_json():
        return jsonify(data)
    return render_template("browse/compare.html", **data)


@bp.route("/search")
@bp.route("/search.json")
def search():
    """Find statements and concepts by their words."""
    from flask import request

    from guidegraph.views.pages import search_view

    words = request.args.get("q", "")
    if len(words) > 200:
        abort(400, "search words are limited to 200 characters")
    data = search_view(store(), words)
    if wants_json():
        return jsonify(data)
    return render_template("browse/search.html", **data)
