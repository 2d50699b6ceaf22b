"""The SPARQL 1.1 Protocol endpoint at /sparql (query operation, read-only).

GET with ``query=…``; POST form-encoded (``application/x-www-form-urlencoded``) with
``query=…``; POST direct (``application/sparql-query``, UTF-8). Dataset from
``default-graph-uri`` and ``named-graph-uri`` (they override FROM / FROM NAMED in the query).
Results by content negotiation, or the ``format`` parameter: json, xml, csv, tsv for SELECT and
ASK; turtle, jsonld, ntriples, xml for CONSTRUCT and DESCRIBE; 406 when nothing acceptable.
Updates and SERVICE are refused (403); a query is stopped after QUERY_TIMEOUT seconds (503)
and refused when its result exceeds MAX_ROWS (413). Without a query, GET shows a form.
"""
from __future__ import annotations

import time
from urllib.parse import parse_qs

from flask import Blueprint, Response, abort, current_app, render_template, request

from graph.errors import QueryError, QueryRefused, QueryTimeout, ResultTooLarge
from graph.sparql import GRAPH_FORMATS, RESULT_FORMATS, query_form, run_query

from . import store

bp = Blueprint("sparql", __name__)

_RESULT_BY_MEDIA = {media: name for name, media in RESULT_FORMATS.items()}
_RESULT_BY_MEDIA.update({"application/json": "json", "application/xml": "xml", "text/xml": "xml"})
_GRAPH_BY_MEDIA = {media: name for name, media in GRAPH_FORMATS.items() if name in ("turtle", "jsonld", "ntriples", "xml")}
_GRAPH_BY_MEDIA.update({"application/x-turtle": "turtle", "text/plain": "ntriples", "application/xml": "xml"})
_FORMAT_ALIASES = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "turtle": "turtle", "ttl": "turtle",
                   "jsonld": "jsonld", "json-ld": "jsonld", "ntriples": "ntriples", "nt": "ntriples", "rdfxml": "xml"}


def _fail(status: int, message: str):
    abort(Response(message + "\n", status=status, mimetype="text/plain"))


def _query_and_dataset() -> tuple[str | None, list[str], list[str]]:
    """Read the query and dataset the protocol way, refusing what the protocol refuses."""
    url_params = parse_qs(request.query_string.decode("utf-8", "replace"), keep_blank_values=True)
    if request.method == "GET":
        params = url_params
        if "update" in params:
            _fail(403, "updates are refused: this endpoint is read-only")
        queries = params.get("query", [])
    else:
        content_type = (request.mimetype or "").lower()
        charset = (request.mimetype_params.get("charset") or "utf-8").lower()
        if content_type == "application/x-www-form-urlencoded":
            try:
                body = request.get_data().decode("utf-8")
            except UnicodeDecodeError:
                _fail(400, "the form is not UTF-8")
            form = parse_qs(body, keep_blank_values=True)
            if "update" in form:
                _fail(403, "updates are refused: this endpoint is read-only")
            queries = form.get("query", [])
            params = {**url_params, **{k: v for k, v in form.items() if k != "query"}}
        elif content_type == "application/sparql-query":
            if charset not in ("utf-8", "utf8"):
                _fail(415, f"the query must be sent as UTF-8, not {charset}")
            try:
                queries = [request.get_data().decode("utf-8")]
            except UnicodeDecodeError:
                _fail(400, "the query is not valid UTF-8")
            params = url_params
        elif content_type == "application/sparql-update":
            _fail(403, "updates are refused: this endpoint is read-only")
        elif not content_type:
            _fail(415, "a POST needs a Content-Type: application/x-www-form-urlencoded or application/sparql-query")
        else:
            _fail(415, f"unsupported Content-Type {content_type}: use application/x-www-form-urlencoded or "
                       "application/sparql-query")
    if len(queries) > 1:
        _fail(400, "more than one query in the request: send one")
    query = queries[0] if queries else None
    return query, params.get("default-graph-uri", []), params.get("named-graph-uri", [])


def _negotiate(form: str, override: str | None) -> str:
    """Choose the result format from the format parameter or the Accept header; 406 when none fits."""
    tabular = form in ("SELECT", "ASK")
    allowed = RESULT_FORMATS if tabular else {k: GRAPH_FORMATS[k] for k in ("turtle", "jsonld", "ntriples", "xml")}
    if override:
        name = _FORMAT_ALIASES.get(override.lower())
        if name not in allowed:
            _fail(400, f"format {override!r} is not one of {', '.join(allowed)} for a {form} query")
        return name
    by_media = _RESULT_BY_MEDIA if tabular else _GRAPH_BY_MEDIA
    if not request.accept_mimetypes or request.accept_mimetypes.best == "*/*":
        return "json" if tabular else "turtle"
    best = request.accept_mimetypes.best_match(list(by_media))
    if best is None:
        _fail(406, f"none of the accepted types can carry a {form} result; offered: {', '.join(sorted(by_media))}")
    return by_media[best]


@bp.route("/sparql", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
def endpoint():
    """Answer a SPARQL query (or show the query form)."""
    if request.method not in ("GET", "POST"):
        _fail(405, "the query operation takes GET or POST")
    query, default_graphs, named_graphs = _query_and_dataset()
    if query is None:
        if request.method == "GET" and "text/html" in request.accept_mimetypes.values():
            return render_template("sparql/form.html")
        _fail(400, "no query: send query=… (GET or form POST) or a body of type application/sparql-query")
    try:
        form = query_form(query)
    except QueryRefused as exc:
        _fail(403, str(exc))
    except QueryError as exc:
        _fail(400, str(exc))
    fmt = _negotiate(form, request.values.get("format") if request.method == "GET" else request.args.get("format"))
    started = time.perf_counter()
    try:
        outcome = run_query(store().path, query, fmt=fmt, timeout=current_app.config["QUERY_TIMEOUT"],
                            default_graphs=default_graphs, named_graphs=named_graphs,
                            max_rows=current_app.config["MAX_ROWS"], base_iri=request.base_url)
    except QueryRefused as exc:
        _fail(403, str(exc))
    except QueryTimeout as exc:
        _fail(503, str(exc))
    except ResultTooLarge as exc:
        _fail(413, str(exc))
    except QueryError as exc:
        _fail(400, str(exc))
    response = Response(outcome.body, mimetype=outcome.media_type)
    if outcome.media_type.startswith("text/"):
        response.mimetype_params["charset"] = "utf-8"
    response.headers["X-Guidegraph-Query-Seconds"] = f"{time.perf_counter() - started:.3f}"
    if outcome.rows is not None:
        response.headers["X-Guidegraph-Rows"] = str(outcome.rows)
    return response
