"""The one family of exceptions that guidegraph raises: each message says what to do."""
from __future__ import annotations


class GuidegraphError(Exception):
    """Base of every error guidegraph raises on purpose."""


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


class QueryError(GuidegraphError):
    """A SPARQL query is malformed, refused or failed."""


class QueryRefused(QueryError):
    """The query asks for something a read-only, offline endpoint does not do (update, SERVICE)."""


class QueryTimeout(QueryError):
    """The query ran longer than the time limit and was stopped."""


class ResultTooLarge(QueryError):
    """The query's result has more rows than the configured cap."""


class QueryTooCostly(QueryError):
    """The query needed more memory than its limit and was stopped."""


class QueryBusy(QueryError):
    """Every query slot is taken and the waiting line is full; try again after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int = 1):
        super().__init__(message)
        self.retry_after = retry_after
