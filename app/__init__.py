"""The guidegraph web UI and SPARQL endpoint: a thin Flask layer over the graph library."""
from __future__ import annotations

from flask import Flask, abort, jsonify, render_template, request
from werkzeug.exceptions import BadRequest, HTTPException, ServiceUnavailable

from guidegraph.errors import StoreError
from guidegraph.views.pages import BadInput
from guidegraph.paths import default_store_path
from guidegraph.store.embedded import Store

# sent with every response: only the app's own scripts, styles and fetches; never framed, never sniffed
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
                               "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app; ``test_config`` overrides the defaults (STORE, QUERY_TIMEOUT, MAX_ROWS …)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        STORE=str(default_store_path()),
        # the SPARQL endpoint's limits: seconds before a query is stopped, rows before it is refused
        QUERY_TIMEOUT=30.0,
        MAX_ROWS=10_000,
        # the graph explorer: neighbours shown per node, nodes in all
        LINK_CAP=25,
        MAX_NODES=300,
        # the largest request body accepted (bytes); a longer one is refused with 413 before it is read
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    app.config.from_pyfile("config.py", silent=True)
    if test_config:
        app.config.from_mapping(test_config)
    app.extensions["guidegraph_store"] = Store(app.config["STORE"])

    from . import browse, checks, console, explore, pathways, sparql

    app.register_blueprint(browse.bp)
    app.register_blueprint(checks.bp)
    app.register_blueprint(console.bp)
    app.register_blueprint(explore.bp)
    app.register_blueprint(pathways.bp)
    app.register_blueprint(sparql.bp)

    @app.before_request
    def refuse_oversized_bodies():
        # decided from the Content-Length header alone, so an oversized body is never read
        limit = app.config["MAX_CONTENT_LENGTH"]
        if limit is not None and request.content_length is not None and request.content_length > limit:
            abort(413, f"the request body is {request.content_length:,} bytes; this server accepts at most "
                       f"{limit:,} (MAX_CONTENT_LENGTH)")

    @app.after_request
    def add_security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        # one handler for every error: JSON for machines (".json" URLs, JSON Accept), HTML for people
        payload = {"status": error.code, "error": error.name, "message": error.description}
        if wants_json():
            return jsonify(payload), error.code
        return render_template("errors/error.html", **payload), error.code

    @app.errorhandler(BadInput)
    def bad_input(error: BadInput):
        return http_error(BadRequest(str(error)))

    @app.errorhandler(StoreError)
    def store_unavailable(error: StoreError):
        return http_error(ServiceUnavailable(str(error)))

    return app


def store() -> Store:
    """Return the store the running app reads."""
    from flask import current_app

    return current_app.extensions["guidegraph_store"]


def wants_json() -> bool:
    """Tell whether the client asked for the JSON twin of a page."""
    if request.path.endswith(".json") or request.args.get("format") == "json":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
