"""The SPARQL console: an editor, the saved queries as forms, results as a linked table, paged."""
from __future__ import annotations

import json
import re
import time

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

from guidegraph.errors import QueryError
from guidegraph.namespaces import PREFIXES, curie, sparql_prologue
from guidegraph.query.run import run_query
from guidegraph.query.saved import load_queries
from guidegraph.query.sparql import parse_query

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
    if value["type"] != "uri":
        return {"text": text, "type": value["type"]}
    # an IRI is shown prefixed (ggid:document/…), the whole IRI in its title and its link
    return {"text": text, "short": curie(text), "href": urls().node(text), "type": "uri"}


# the file suffix of a download, by format name
SUFFIXES = {"csv": "csv", "tsv": "tsv", "json": "srj", "xml": "srx", "turtle": "ttl", "ntriples": "nt",
            "jsonld": "jsonld"}
SELECT_DOWNLOADS = ("csv", "tsv", "json", "xml")
GRAPH_DOWNLOADS = ("turtle", "ntriples", "jsonld")
PAGE_LINKS = 2  # pages linked on either side of the current one


def _request_query(saved: dict):
    """Read the query the request asks for: (the saved query or None, its parameter values, the text, share args).

    A saved query's parameters go with it when its text is edited and run again: the text runs
    with the saved query's bindings, so a Run never drops them.
    """
    name = request.args.get("saved") or None
    text = request.args.get("query")
    chosen = saved.get(name) if name else None
    if name and chosen is None:
        abort(404, f"no saved query named {name!r}: the console's list shows the saved queries")
    values = {}
    if chosen:
        for p in chosen.params:
            value = request.args.get(p.name)
            values[p.name] = value if value not in (None, "") else (p.example_in(store()) or "")
    edited = bool(text) and chosen is not None and text.strip() != chosen.text.strip()
    if chosen and not text:
        text = chosen.text
    text = text or DEFAULT_QUERY
    share_args = {"saved": name, **values, **({"query": text} if edited else {})} if chosen else {"query": text}
    return chosen, values, text, share_args


def _columns(text: str, columns: list[str], parsed_projection) -> list[str]:
    """Return the result's columns in the order the query names them (SELECT * lists them as they first appear)."""
    if parsed_projection is not None:
        return columns
    order = {}
    for match in re.finditer(r"[?$]([A-Za-z_][A-Za-z0-9_]*)", text):
        order.setdefault(match.group(1), len(order))
    return sorted(columns, key=lambda c: order.get(c, len(order)))


def _page_numbers(page: int, pages: int) -> list[int | None]:
    """Return the pages to link: the first, the last, and a few around the current one (None for a gap)."""
    shown = sorted({1, pages, *range(max(1, page - PAGE_LINKS), min(pages, page + PAGE_LINKS) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - out[-1] > 1:
            out.append(None)
        out.append(n)
    return out


@bp.route("/query")
@bp.route("/query.json", endpoint="console_json")
def console():
    """Run a query (typed, or a saved one with its parameters) and show one page of its results."""
    saved = load_queries()
    chosen, values, text, share_args = _request_query(saved)
    name = chosen.name if chosen else None
    # the examples of the forms: a value from the query's header, or a node of the store's own
    examples = {(q.name, p.name): p.example_in(store()) or "" for q in saved.values() for p in q.params}
    page_text = request.args.get("page", "1")
    if not page_text.isascii() or not page_text.isdigit() or not 1 <= int(page_text) <= 1_000_000:
        abort(400, f"page must be a whole number from 1, not {page_text[:40]!r}")
    page = int(page_text)
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
                # parsed again only once it ran, so a syntax error keeps the line numbers of the text as typed
                columns = _columns(text, data["head"]["vars"], parse_query(sparql_prologue() + text).projected)
                rows = data["results"]["bindings"]
                shown = rows[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
                result.update(form="SELECT", columns=columns, total=len(rows),
                              rows=[[_cell(r.get(c)) for c in columns] for r in shown])
        else:
            result.update(form=outcome.form, columns=[], rows=[], rdf=outcome.body.decode("utf-8"))
        kinds = GRAPH_DOWNLOADS if outcome.form in ("CONSTRUCT", "DESCRIBE") else SELECT_DOWNLOADS
        result["downloads"] = {fmt: urls().query_download(format=fmt, **share_args) for fmt in kinds}
        result["downloadLimit"] = current_app.config["MAX_ROWS"]
    except QueryError as exc:
        # shown beside the query that caused it, with the status its cause carries
        result["error"] = str(exc)
        status, headers = exc.http_status, exc.http_headers()
    if wants_json():
        return jsonify(result), status, headers
    pages = ((result.get("total") or 0) - 1) // PAGE_SIZE + 1
    page_html = render_template("console/page.html", saved=saved, saved_name=name, chosen=chosen,
                                share_args=share_args, examples=examples, page_numbers=_page_numbers(page, pages),
                                pages=pages, **{k: v for k, v in result.items() if k != "saved"})
    return page_html, status, headers


@bp.route("/query/download")
def download():
    """Return the whole result of a console query as a file, within the endpoint's row limit (MAX_ROWS)."""
    saved = load_queries()
    chosen, values, text, _ = _request_query(saved)
    fmt = request.args.get("format") or "csv"
    if fmt not in SUFFIXES:
        abort(400, f"format={fmt[:40]!r} is not a download format: choose {', '.join(SUFFIXES)}")
    limit = current_app.config["MAX_ROWS"]
    bindings = chosen.bindings(values) if chosen else {}
    # run_query finds the current generation, or raises StoreError (503)
    outcome = run_query(store().path, text, bindings, fmt=fmt, max_rows=limit, **query_limits())
    filename = f"guidegraph-{chosen.name if chosen else 'query'}.{SUFFIXES[fmt]}"
    return Response(outcome.body, mimetype=outcome.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


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
