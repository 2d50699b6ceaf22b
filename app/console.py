"""The SPARQL console: an editor, the saved queries as forms, results as a linked table, paged."""
from __future__ import annotations

import json
import time
from urllib.parse import urlencode

from flask import Blueprint, abort, jsonify, render_template, request

from guidegraph.errors import QueryError
from guidegraph.views.pages import page_path
from guidegraph.query.saved import load_queries

from . import store, wants_json
from .sparql import query_limits, status_of

bp = Blueprint("console", __name__)
PAGE_SIZE = 50
CONSOLE_MAX_ROWS = 5_000
DEFAULT_QUERY = """SELECT ?document ?title ?kind WHERE {
  ?document a gg:GuidelineDocument ; dcterms:title ?title ; gg:documentKind ?kind .
}"""


def _cell(value: dict | None) -> dict:
    if value is None:
        return {"text": ""}
    text = value["value"]
    return {"text": text, "href": page_path(text) if value["type"] == "uri" else None, "type": value["type"]}


@bp.route("/query")
@bp.route("/query.json")
def console():
    """Run a query (typed, or a saved one with its parameters) and show one page of its results."""
    from guidegraph.query.sparql import run_query

    saved = load_queries()
    name = request.args.get("saved")
    text = request.args.get("query")
    chosen = saved.get(name) if name else None
    if name and chosen is None:
        abort(404, f"no saved query named {name!r}: the console's list shows the saved queries")
    values = {p.name: request.args.get(p.name, p.example or "") for p in chosen.params} if chosen else {}
    if chosen and not text:
        text = chosen.text
    text = text or DEFAULT_QUERY
    page_text = request.args.get("page", "1")
    if not page_text.isascii() or not page_text.isdigit() or not 1 <= int(page_text) <= 1_000_000:
        abort(400, f"page must be a whole number from 1, not {page_text[:40]!r}")
    page = int(page_text)
    result = {"query": text, "saved": name, "values": values, "page": page, "pageSize": PAGE_SIZE, "downloads": {}}
    status, headers = 200, {}
    started = time.perf_counter()
    try:
        bindings = chosen.bindings(values) if chosen else {}
        outcome = run_query(store().path, text, bindings, fmt="json", max_rows=CONSOLE_MAX_ROWS, truncate=True,
                            **query_limits())
        result["seconds"] = round(time.perf_counter() - started, 3)
        result["truncated"] = outcome.truncated
        if outcome.form in ("SELECT", "ASK"):
            data = json.loads(outcome.body)
            if "boolean" in data:
                result.update(form="ASK", boolean=data["boolean"], rows=[], columns=[])
            else:
                columns = data["head"]["vars"]
                rows = data["results"]["bindings"]
                result.update(form="SELECT", columns=columns, total=len(rows),
                              rows=[[_cell(r.get(c)) for c in columns] for r in rows[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]])
        else:
            result.update(form=outcome.form, columns=[], rows=[], rdf=outcome.body.decode("utf-8"))
        result["downloads"] = {fmt: "/sparql?" + urlencode({"query": text, "format": fmt})
                               for fmt in ("csv", "json")} if not chosen or not chosen.params else {}
    except QueryError as exc:
        result["error"] = str(exc)
        status, headers = status_of(exc)
    result["share"] = "/query?" + urlencode({"saved": name, **values} if chosen else {"query": text})
    if wants_json():
        return jsonify(result), status, headers
    page_html = render_template("console/page.html", saved=saved, saved_name=name,
                                **{k: v for k, v in result.items() if k != "saved"})
    return page_html, status, headers


TERMS_QUERY = """
SELECT DISTINCT ?t WHERE {
  { GRAPH <https://w3id.org/guidegraph/id/graph/ontology> { ?t a ?kind } }
  UNION { GRAPH <https://w3id.org/guidegraph/id/graph/vocabulary> { ?t a skos:Concept } }
  UNION { SELECT DISTINCT ?t WHERE { ?s ?t ?o } }
  FILTER(isIRI(?t))
}"""


@bp.route("/query/terms.json")
def terms():
    """Return the prefixes and every prefixed term of the graph's own vocabulary, for completion (offline)."""
    from guidegraph.namespaces import PREFIXES

    names = set()
    for row in store().dataset().query(TERMS_QUERY):
        iri = str(row[0])
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if iri.startswith(ns) and iri[len(ns):] and "/" not in iri[len(ns):]:
                names.add(f"{prefix}:{iri[len(ns):]}")
                break
    return jsonify({"prefixes": PREFIXES, "terms": sorted(names)})
