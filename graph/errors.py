"""The one family of exceptions that guidegraph raises: each message says what to do.

Each class names the HTTP status that a server answers with when the error ends a request
(``http_status``), so the web app maps errors to statuses in one place: here.
"""
from __future__ import annotations


class GuidegraphError(Exception):
    """Base of every error guidegraph raises on purpose."""

    # an error nobody classified is the server's fault
    http_status = 500

    def http_headers(self) -> dict[str, str]:
        """Return the HTTP headers that go with this error's status (none, unless a subclass says)."""
        return {}


class DocumentError(GuidegraphError):
    """A document cannot be read or ingested; the rest of the corpus still builds."""

    def __init__(self, path: str, problem: str, fix: str | None = None):
        self.path = str(path)
        self.problem = problem
        self.fix = fix
        message = f"{self.path}: {problem}"
        if fix:
            message += f" ({fix})"
        super().__init__(message)


class CorpusError(GuidegraphError):
    """The corpus as a whole cannot be built (missing folder, no documents, all failed)."""


class StoreError(GuidegraphError):
    """The store cannot be opened or written."""

    http_status = 503


class QueryError(GuidegraphError):
    """A SPARQL query is malformed, refused or failed."""

    http_status = 400


class QueryRefused(QueryError):
    """The query asks for something a read-only, offline endpoint does not do (update, SERVICE)."""

    http_status = 403


class QueryTimeout(QueryError):
    """The query ran longer than the time limit and was stopped."""

    http_status = 503


class ResultTooLarge(QueryError):
    """The query's result has more rows than the configured cap."""

    http_status = 413


class QueryTooCostly(QueryError):
    """The query needed more memory than its limit and was stopped."""

    http_status = 503


class QueryBusy(QueryError):
    """Every query slot is taken and the waiting line is full; try again after ``retry_after`` seconds."""

    http_status = 503

    def __init__(self, message: str, retry_after: int = 1):
        super().__init__(message)
        self.retry_after = retry_after

    def http_headers(self) -> dict[str, str]:
        """Return Retry-After: when a slot is likely to be free."""
        return {"Retry-After": str(self.retry_after)}
