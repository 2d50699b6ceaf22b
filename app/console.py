"""The SPARQL console: an editor, the saved queries as forms, results as a linked table, paged."""
from __future__ import annotations

import json
import time

from flask import Blueprint, abort, jsonify, render_template, request

from guidegraph.errors import QueryError
from guidegraph.namespaces import PREFIXES, curie
from guidegraph.query.run import run_query
from guidegraph.query.saved import load_queries

from .context import query_limits, store, urls, wants_json

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
    return {"text": text, "href": urls().node(text) if value["type"] == "uri" else None, "type": value["type"]}


@bp.route("/query")
@bp.route("/query.json", endpoint="console_json")
def console():
    """Run a query (typed, or a saved one with its parameters) and show one page of its results."""
    saved = load_queries()
    name = request.args.get("saved")
    text = request.args.get("query")
    chosen = saved.get(name) if name else None
    if name and chosen is None:
        abort(404, f"no saved query named {name!r}: the console's list shows the saved queries")
    # the examples of the forms: a value from the query's header, or a node of the store's own
    examples = {(q.name, p.name): p.example_in(store()) or "" for q in saved.values() for p in q.params}
    values = {p.name: request.args.get(p.name, examples[(chosen.name, p.name)])
              for p in chosen.params} if chosen else {}
    if chosen and not text:
        text = chosen.text
    text = text or DEFAULT_QUERY
    page_text = request.args.get("page", "1")
    if not page_text.isascii() or not page_text.isdigit() or not 1 <= int(page_text) <= 1_000_000:
        abort(400, f"page must be a whole number from 1, not {page_text[:40]!r}")
    page = int(page_text)
    share_args = {"saved": name, **values} if chosen else {"query": text}
    result = {"query": text, "saved": name, "values": values, "page": page, "pageSize": PAGE_SIZE, "downloads": {},
              "share": urls().query(**share_args)}
    status, headers = 200, {}
    # a store that cannot be read raises StoreError: the error handler's (503), not a failed query shown here
    path = store().path
    started = time.perf_counter()
    try:
        bindings = chosen.bindings(values) if chosen else {}
        outcome = run_query(path, text, bindings, fmt="json", max_rows=CONSOLE_MAX_ROWS, truncate=True,
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
                shown = rows[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
                result.update(form="SELECT", columns=columns, total=len(rows),
                              rows=[[_cell(r.get(c)) for c in columns] for r in shown])
        else:
            result.update(form=outcome.form, columns=[], rows=[], rdf=outcome.body.decode("utf-8"))
        if not chosen or not chosen.params:
            result["downloads"] = {fmt: urls().sparql(query=text, format=fmt) for fmt in ("csv", "json")}
    except QueryError as exc:
        # shown beside the query that caused it, with the status its cause carries
        result["error"] = str(exc)
        status, headers = exc.http_status, exc.http_headers()
    if wants_json():
        return jsonify(result), status, headers
    page_html = render_template("console/page.html", saved=saved, saved_name=name, share_args=share_args,
                                examples=examples,
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
    names = set()
    for row in store().dataset().query(TERMS_QUERY):
        prefix, _, name = curie(row[0]).partition(":")
        # a term completes as prefix:name only when that is valid SPARQL: no IRI in angle brackets, no slash
        if not prefix.startswith("<") and name and "/" not in name:
            names.add(f"{prefix}:{name}")
    return jsonify({"prefixes": PREFIXES, "terms": sorted(names)})
