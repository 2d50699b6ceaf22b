"""What every blueprint needs from the request it answers: the store, the URL builder, the format asked for.

Blueprints import these from here, never from the package, so that ``create_app`` can import
the blueprints without an import circle.
"""
from __future__ import annotations

from flask import current_app, request

from guidegraph.query.pool import WorkerPool, shared_pool
from guidegraph.store.embedded import Store

from .urls import Urls

# the media types of a JSON answer: a page's twin, or the SPARQL endpoint's JSON results
JSON_TYPES = ("application/json", "application/sparql-results+json", "application/ld+json")


def store() -> Store:
    """Return the store the running app reads."""
    return current_app.extensions["guidegraph_store"]


def urls() -> Urls:
    """Return the app's URL builder."""
    return current_app.extensions["guidegraph_urls"]


def wants_json() -> bool:
    """Tell whether the client asked for JSON: a page's twin (``.json``, ``format=json``) or by its Accept header."""
    if request.path.endswith(".json") or request.args.get("format") == "json":
        return True
    accept = request.accept_mimetypes
    best = accept.best_match(["text/html", *JSON_TYPES])
    return best in JSON_TYPES and accept[best] > accept["text/html"]


def query_pool() -> WorkerPool:
    """Return the pool of query workers of this app's limits (QUERY_SLOTS workers, QUERY_QUEUE in line)."""
    pool = current_app.extensions.get("guidegraph_pool")
    if pool is None or pool.closed:
        config = current_app.config
        pool = current_app.extensions["guidegraph_pool"] = shared_pool(
            config.get("QUERY_SLOTS", 2), config.get("QUERY_QUEUE", 16), config.get("QUERY_QUEUE_WAIT", 10.0),
            int(config.get("QUERY_MEMORY_MB", 2048) * 2**20))
    return pool


def query_limits() -> dict:
    """Return the keyword arguments that bound every query the app runs (time, memory, workers, a gone client)."""
    config = current_app.config
    # waitress reads on while the app runs and tells when the client has closed its connection
    cancelled = request.environ.get("waitress.client_disconnected")
    return {"timeout": config["QUERY_TIMEOUT"], "memory": int(config.get("QUERY_MEMORY_MB", 2048) * 2**20),
            "pool": query_pool(), "cancelled": cancelled}
