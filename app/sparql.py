"""The SPARQL 1.1 Protocol endpoint at /sparql (query operation, read-only).

GET with ``query=…``; POST form-encoded (``application/x-www-form-urlencoded``) with
``query=…``; POST direct (``application/sparql-query``, UTF-8). Dataset from
``default-graph-uri`` and ``named-graph-uri`` (they override FROM / FROM NAMED in the query).
Results by content negotiation, or the ``format`` parameter: json, xml, csv, tsv for SELECT and
ASK; turtle, jsonld, ntriples, xml for CONSTRUCT and DESCRIBE; 406 when nothing acceptable.
Updates and SERVICE are refused (403), decided from the parsed query; a query is stopped after
QUERY_TIMEOUT seconds or past QUERY_MEMORY_MB (503), refused when its result exceeds MAX_ROWS
(413), and waits for one of QUERY_SLOTS (503 with Retry-After when the line is full). Without a
query, GET shows a form. docs/limits.md lists every limit. Every refusal is raised, with its
status, and answered by the app's one error handler (JSON to a client that asked for JSON).
"""
from __future__ import annotations

import time
from functools import lru_cache
from urllib.parse import parse_qs

from flask import Blueprint, Response, abort, current_app, render_template, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from guidegraph.errors import QueryError, QueryRefused
from guidegraph.formats import GRAPH_FORMATS, RDF_SYNTAXES, RESULT_FORMATS
from guidegraph.query.run import run_query
from guidegraph.query.sparql import term_for

from .context import query_limits, store

bp = Blueprint("sparql", __name__)

_RESULT_BY_MEDIA = {media: name for name, media in RESULT_FORMATS.items()}
_RESULT_BY_MEDIA.update({"application/json": "json", "application/xml": "xml", "text/xml": "xml"})
_GRAPH_BY_MEDIA = {media: name for name, media in GRAPH_FORMATS.items()
                   if name in ("turtle", "jsonld", "ntriples", "xml")}
_GRAPH_BY_MEDIA.update({"application/x-turtle": "turtle", "text/plain": "ntriples", "application/xml": "xml"})
# what format= may say: a result format's name, an RDF syntax's name or one of its aliases
_FORMAT_ALIASES = {name: name for name in RESULT_FORMATS}
_FORMAT_ALIASES.update({alias: s.name for s in RDF_SYNTAXES.values() for alias in (s.name, *s.aliases)})


def _params(raw: bytes) -> dict[str, list[str]]:
    """Decode URL-encoded parameters strictly: bytes that are not UTF-8 are refused, not replaced."""
    try:
        return parse_qs(raw.decode("ascii"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        abort(400, "the parameters are not valid UTF-8 (percent-encode UTF-8 bytes)")


def _query_and_dataset() -> tuple[str | None, list[str], list[str]]:
    """Read the query and dataset the protocol way, refusing what the protocol refuses."""
    url_params = _params(request.query_string)
    if request.method == "GET":
        params = url_params
        if "update" in params:
            raise QueryRefused("updates are refused: this endpoint is read-only")
        queries = params.get("query", [])
    else:
        content_type = (request.mimetype or "").lower()
        charset = (request.mimetype_params.get("charset") or "utf-8").lower()
        if content_type == "application/x-www-form-urlencoded":
            form = _params(request.get_data())
            if "update" in form:
                raise QueryRefused("updates are refused: this endpoint is read-only")
            queries = form.get("query", [])
            params = {**url_params, **{k: v for k, v in form.items() if k != "query"}}
        elif content_type == "application/sparql-query":
            if charset not in ("utf-8", "utf8"):
                abort(415, f"the query must be sent as UTF-8, not {charset}")
            try:
                queries = [request.get_data().decode("utf-8")]
            except UnicodeDecodeError:
                abort(400, "the query is not valid UTF-8")
            params = url_params
        elif content_type == "application/sparql-update":
            raise QueryRefused("updates are refused: this endpoint is read-only")
        elif not content_type:
            abort(415, "a POST needs a Content-Type: application/x-www-form-urlencoded or application/sparql-query")
        else:
            abort(415, f"unsupported Content-Type {content_type}: use application/x-www-form-urlencoded or "
                       "application/sparql-query")
    if len(queries) > 1:
        abort(400, "more than one query in the request: send one")
    query = queries[0] if queries else None
    graphs = {}
    for name in ("default-graph-uri", "named-graph-uri"):
        try:
            graphs[name] = [str(term_for(iri, "iri")) for iri in params.get(name, [])]
        except QueryError as exc:
            abort(400, f"{name}: {exc}")
    return query, graphs["default-graph-uri"], graphs["named-graph-uri"]


def _negotiate(form: str, override: str | None) -> str:
    """Choose the result format from the format parameter or the Accept header; 406 when none fits."""
    accept = request.headers.get("Accept", "")
    chosen = _choose(form, override, accept) if len(accept) <= 1024 else _choose.__wrapped__(form, override, accept)
    if isinstance(chosen, tuple):
        abort(*chosen)
    return chosen


@lru_cache(maxsize=256)
def _choose(form: str, override: str | None, accept: str) -> str | tuple[int, str]:
    """Return the format's name, or the status and message that refuse the request (the same for the same headers)."""
    tabular = form in ("SELECT", "ASK")
    allowed = RESULT_FORMATS if tabular else {k: GRAPH_FORMATS[k] for k in ("turtle", "jsonld", "ntriples", "xml")}
    if override:
        name = _FORMAT_ALIASES.get(override.lower())
        if name not in allowed:
            return 400, f"format {override!r} is not one of {', '.join(allowed)} for a {form} query"
        return name
    by_media = _RESULT_BY_MEDIA if tabular else _GRAPH_BY_MEDIA
    accepted = parse_accept_header(accept, MIMEAccept)
    if not accepted or accepted.best == "*/*":
        return "json" if tabular else "turtle"
    best = accepted.best_match(list(by_media))
    if best is None:
        return 406, f"none of the accepted types can carry a {form} result; offered: {', '.join(sorted(by_media))}"
    return by_media[best]


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint():
    """Answer a SPARQL query (or show the query form)."""
    query, default_graphs, named_graphs = _query_and_dataset()
    if query is None:
        if request.method == "GET" and "text/html" in request.accept_mimetypes.values():
            return render_template("sparql/form.html")
        abort(400, "no query: send query=… (GET or form POST) or a body of type application/sparql-query")
    override = request.args.get("format")
    path = store().path  # run_query finds its current generation, or raises StoreError (503)
    started = time.perf_counter()
    # the format is chosen once the query is parsed (its form decides what can carry the result)
    outcome = run_query(path, query, fmt=lambda form: _negotiate(form, override),
                        default_graphs=default_graphs, named_graphs=named_graphs,
                        max_rows=current_app.config["MAX_ROWS"], base_iri=request.base_url, **query_limits())
    response = Response(outcome.body, mimetype=outcome.media_type)
    if outcome.media_type.startswith("text/"):
        response.mimetype_params["charset"] = "utf-8"
    response.headers["X-Guidegraph-Query-Seconds"] = f"{time.perf_counter() - started:.3f}"
    if outcome.rows is not None:
        response.headers["X-Guidegraph-Rows"] = str(outcome.rows)
    return response
