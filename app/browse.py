"""The reading pages: overview, documents, statements, concepts, comparison and search, each with a JSON twin."""
from __future__ import annotations

import bisect
import copy

from flask import Blueprint, abort, jsonify, render_template, request

from guidegraph.namespaces import local_name
from guidegraph.views.pages import compare_view, concept_view, document_view, overview_view, search_view, statement_view

from .context import store, urls, wants_json

bp = Blueprint("browse", __name__)
MAX_SEARCH_WORDS = 200  # characters
# the parts of a document that a link can land on, each at an anchor of the reader
ANCHORED = ("statement", "marker", "reference", "section")


def _answer(template: str, data: dict, **html_only):
    """Return the data as the JSON twin, or rendered into its page (with what only the page needs)."""
    if wants_json():
        return jsonify(data)
    return render_template(template, **data, **html_only)


@bp.route("/")
@bp.route("/index.json", endpoint="index_json")
def index():
    """Show the corpus with its dates and kinds, the figures and the findings by severity."""
    return _answer("browse/index.html", overview_view(store()))


@bp.route("/document/<slug>")
@bp.route("/document/<slug>.json", endpoint="document_json")
def document(slug: str):
    """Show a document's raw text with its statements, markers, references, furniture and findings."""
    data = document_view(store(), slug)
    return _answer("browse/document.html", data, segments=None if wants_json() else segments(data))


@bp.route("/document/<slug>/statement/<int:start>")
@bp.route("/document/<slug>/statement/<int:start>.json", endpoint="statement_json")
def statement(slug: str, start: int):
    """Show a statement's provenance panel."""
    data = statement_view(store(), slug=slug, start=start)
    data["documentPath"] = urls().document(slug, anchor=f"statement-{start}")
    for finding in data["findings"]:
        urls().link(finding["others"], "statement")
    return _answer("browse/statement.html", data)


@bp.route("/concept/<name>")
@bp.route("/concept/<name>.json", endpoint="concept_json")
def concept(name: str):
    """Show a concept with its hierarchy and every statement about it or a narrower concept."""
    data = concept_view(store(), name)
    urls().link(data["broader"], "other")
    urls().link(data["narrower"], "other")
    for items in data["statements"].values():
        urls().link(items, "statement")
    return _answer("browse/concept.html", data)


# the matrix is read once per generation of the store (a build makes a new one); each request gets its own copy
_compare_by_generation: dict = {}


def _compare() -> dict:
    # opened first, so a store that cannot be read is a StoreError, not a generation named None
    store().oxigraph()
    generation = store().current
    if generation not in _compare_by_generation:
        _compare_by_generation.clear()
        _compare_by_generation[generation] = compare_view(store())
    return copy.deepcopy(_compare_by_generation[generation])


@bp.route("/compare")
@bp.route("/compare.json", endpoint="compare_json")
def compare():
    """Show what each document says about each intervention, marking where they agree or disagree."""
    status, group, document = (request.args.get(k) or None for k in ("status", "group", "document"))
    if status not in (None, "disagree", "agree"):
        abort(400, f"status={status[:100]!r} is not a mark of the matrix: choose disagree or agree")
    data = _compare()
    groups = sorted({row["group"] for row in data["rows"]})
    if group is not None and group not in groups:
        abort(400, f"group={group[:100]!r} is not a class of interventions: choose one of {', '.join(groups)}")
    if document is not None and document not in data["documents"]:
        abort(400, f"document={document[:100]!r} is not a document of the matrix: choose one of "
                   f"{', '.join(data['documents'])}")
    data["rows"] = [row for row in data["rows"]
                    if (not status or row["status"] == status) and (not group or row["group"] == group)
                    and (not document or row["cells"].get(document))]
    data["filters"] = {"status": status, "group": group, "document": document}
    urls().link(data["rows"], "intervention")
    for row in data["rows"]:
        urls().link(row["findings"], "finding")
        for cell in row["cells"].values():
            urls().link(cell, "statement")
    return _answer("browse/compare.html", data, groups=groups)


@bp.route("/search")
@bp.route("/search.json", endpoint="search_json")
def search():
    """Find statements and concepts by their words."""
    words = request.args.get("q", "")
    if len(words) > MAX_SEARCH_WORDS:
        abort(400, f"search words are limited to {MAX_SEARCH_WORDS} characters")
    data = search_view(store(), words)
    urls().link(data["concepts"], "concept")
    urls().link(data["statements"], "statement")
    return _answer("browse/search.html", data)


def segments(data: dict) -> list[dict]:
    """Cut a document's raw text at every span boundary; each piece knows what covers it and where it links."""
    raw, spans = data["raw"], data["spans"]
    cuts = sorted({0, len(raw), *(s["start"] for s in spans), *(s["end"] for s in spans)})
    pieces = [{"text": raw[a:b], "start": a} for a, b in zip(cuts, cuts[1:], strict=False)]
    for s in spans:
        first, last = bisect.bisect_left(cuts, s["start"]), bisect.bisect_left(cuts, s["end"])
        for piece in pieces[first:last]:
            piece.setdefault(s["kind"], s)
        # the anchor that a link to a part lands on (urls.node: "#marker-<offset>", "#reference-<number>",
        # "#statement-<offset>"); a piece where two parts begin carries both
        if s["kind"] in ANCHORED and first < len(pieces):
            pieces[first].setdefault("anchors", []).append(f"{s['kind']}-{local_name(s['node'])}")
    for piece in pieces:
        # the element of a piece carries the anchor of what it shows (a marker inside a statement is the marker);
        # an anchor of a part that begins here too is an empty element before it
        own = next((k for k in ("marker", "statement", "reference", "section") if piece.get(k)), None)
        anchors = piece.pop("anchors", [])
        mine = [a for a in anchors if own and a.startswith(own + "-")]
        piece["id"] = mine[0] if mine else None
        piece["before"] = [a for a in anchors if a != piece["id"]]
        # every piece of a statement or reference names it, so the whole part is highlighted when it is the target
        part = piece.get("statement") or piece.get("reference")
        if part:
            piece["part"] = f"{part['kind']}-{local_name(part['node'])}"
        st = piece.get("statement")
        if st:
            piece["href"] = urls().node(st["node"])
            # the findings about a statement are flagged once, right after its last characters
            if st["findings"] and piece["start"] + len(piece["text"]) == st["end"]:
                worst = min(st["findings"], key=lambda f: ("error", "warning", "info").index(f["severity"]))
                piece["flag"] = {"severity": worst["severity"], "count": len(st["findings"]),
                                 "title": " · ".join(f["message"] for f in st["findings"])}
        marker = piece.get("marker")
        if marker and marker.get("reference"):
            piece["refHref"] = "#reference-" + str(marker["number"])
    return pieces
