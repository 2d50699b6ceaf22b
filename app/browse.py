"""The overview page: the corpus, its figures and its findings, with a JSON twin."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template

from graph.checks import SEVERITIES, findings
from graph.cli import store_stats
from graph.errors import StoreError

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
    found = findings(s)
    return {"store": stats["store"], "generation": stats["generation"], "totals": stats["totals"],
            "documents": documents,
            "findings": {sev: sum(1 for f in found if f.severity == sev) for sev in SEVERITIES}}


@bp.route("/")
@bp.route("/index.json")
def index():
    """Show the corpus with its dates and kinds, the figures and the findings by severity."""
    data = overview_data()
    if wants_json():
        return jsonify(data)
    return render_template("browse/index.html", **data)
