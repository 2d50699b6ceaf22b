"""The production server: waitress, one process with threads, the app's query workers behind it."""
from __future__ import annotations

from flask import Flask


def production_server(app: Flask, host: str = "127.0.0.1", port: int = 5000, threads: int | None = None):
    """Return a waitress server for ``app`` on host:port, not yet running (``.run()``; ``.close()``).

    ``threads`` defaults to the query workers plus their line plus four, so that a full line is
    answered 503 by the app rather than left waiting in the server. Every size a client could
    make large is bounded here: the body (MAX_CONTENT_LENGTH), the headers, the connections
    and how long an idle one is kept.
    """
    from waitress import create_server

    config = app.config
    if threads is None:
        threads = config.get("QUERY_SLOTS", 2) + config.get("QUERY_QUEUE", 16) + 4
    return create_server(
        app, host=host, port=port, threads=threads, ident="guidegraph",
        # a body over the limit is refused before it is read whole (the app refuses it from its length too)
        max_request_body_size=config.get("MAX_CONTENT_LENGTH") or 1024 * 1024,
        max_request_header_size=64 * 1024,
        # reading on while a query runs is how a client that went away is noticed: its worker is freed
        channel_request_lookahead=1,
        connection_limit=max(100, 4 * threads), channel_timeout=60, clear_untrusted_proxy_headers=True)
