"""The one error handler: whatever ends a request with an error is answered here, with one message.

HTTP errors (``abort``, routing) carry their status; guidegraph's own errors carry theirs as
``http_status`` (``guidegraph.errors``). The answer is JSON for a client that asked for JSON (a
``.json`` twin, ``format=json``, a JSON Accept header, SPARQL JSON results); plain text for one
whose Accept header takes neither HTML nor JSON (a SPARQL client asking for CSV), or that calls
the endpoint without naming HTML (curl's ``*/*``); an HTML page otherwise. An unexpected
exception is logged by Flask and answered as a 500 that says nothing of its insides.
"""
from __future__ import annotations

from flask import Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from guidegraph.errors import GuidegraphError

from .context import wants_json

UNEXPECTED = "the server failed while answering this request; what went wrong is in the server's log"


def answer_error(error: HTTPException | GuidegraphError):
    """Answer an error as JSON, plain text or an HTML page, with its status, headers and message."""
    if isinstance(error, GuidegraphError):
        status, message, headers = error.http_status, str(error), error.http_headers()
        if status >= 500:
            current_app.logger.warning("%s on %s: %s", status, request.path, message)
    else:
        status, headers = error.code or 500, {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        unexpected = isinstance(error, InternalServerError) and error.original_exception is not None
        message = UNEXPECTED if unexpected else error.description
    payload = {"status": status, "error": HTTP_STATUS_CODES.get(status, "Error"), "message": message}
    if wants_json():
        return jsonify(payload), status, headers
    accept = request.accept_mimetypes
    # the endpoint's clients (curl, SPARQL libraries) send */*: they get text unless they name HTML
    names_html = any(mimetype in ("text/html", "application/xhtml+xml") for mimetype, _ in accept)
    if (accept and not accept.accept_html) or (request.blueprint == "sparql" and not names_html):
        return Response(f"{status} {payload['error']}: {message}\n", status, headers, mimetype="text/plain")
    return render_template("errors/error.html", **payload), status, headers
