"""The guidegraph web UI and SPARQL endpoint: a thin Flask layer over the graph library."""
from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.exceptions import HTTPException

from guidegraph.errors import GuidegraphError
from guidegraph.namespaces import curie, local_name
from guidegraph.paths import default_store_path
from guidegraph.store.embedded import Store

from . import labels
from .errors import answer_error
from .server import production_server
from .urls import Urls

__all__ = ["create_app", "production_server", "start_query_workers"]

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
    urls = app.extensions["guidegraph_urls"] = Urls()
    app.jinja_env.globals["urls"] = urls
    app.jinja_env.filters["local_name"] = local_name
    app.jinja_env.filters["curie"] = curie
    app.jinja_env.filters["plural"] = labels.plural
    app.jinja_env.filters["clip"] = labels.clip
    app.jinja_env.filters["kind_label"] = labels.kind_label

    from . import browse, checks, console, explore, pathways, sparql

    for blueprint in (browse.bp, checks.bp, console.bp, explore.bp, pathways.bp, sparql.bp):
        app.register_blueprint(blueprint)

    # one handler for every error a request can end with: HTTP errors and guidegraph's own
    app.register_error_handler(HTTPException, answer_error)
    app.register_error_handler(GuidegraphError, answer_error)

    @app.route("/favicon.ico")
    def favicon():
        # browsers ask for /favicon.ico whatever the page names; answer with the icon the pages link to
        return app.send_static_file("favicon.svg")

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

    return app


def start_query_workers(app: Flask):
    """Start the app's pool of query workers now rather than with its first query; return the pool."""
    with app.app_context():
        from .context import query_pool

        return query_pool()
