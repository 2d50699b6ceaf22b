"""Run a SPARQL query safely: parsed and checked, in a confined process, bounded in time and memory.

A server hands its queries to a pool of long-lived query workers (graph/query/pool.py,
graph/query/worker.py); `guidegraph query` forks one child for its one query. Either way the
process is killed when the time limit passes, because a query that never ends cannot be
interrupted from inside Oxigraph, and the evaluation is the same (worker.evaluate).
"""
from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from pathlib import Path

from rdflib.term import Identifier

from guidegraph.errors import (
    QueryBusy,
    QueryError,
    QueryRefused,
    QueryTimeout,
    QueryTooCostly,
    ResultTooLarge,
    StoreError,
)
from guidegraph.formats import GRAPH_FORMATS, RESULT_FORMATS
from guidegraph.query.pool import WorkerPool, WorkerVanished
from guidegraph.query.sparql import (
    DEFAULT_MAX_ROWS,
    DEFAULT_MEMORY_BYTES,
    DEFAULT_TIMEOUT,
    FORMS,
    MAX_PARSE_DEPTH,
    MAX_QUERY_CHARS,
    QueryOutcome,
)
from guidegraph.query.worker import Generations, evaluate, quiet_stderr
from guidegraph.sandbox import ChildTimedOut, ChildVanished, confine, run_in_child


def _child(conn, parent_pid: int, job: dict, memory: int | None) -> None:
    """Evaluate one query inside the confined child forked for it; send the answer over ``conn``."""
    # the server's listening and client sockets must not live on in the query process
    keep = conn.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, 1 << 20)
    quiet_stderr()
    try:
        confine(parent_pid, memory)
        sys.setrecursionlimit(MAX_PARSE_DEPTH)
        conn.send(evaluate(Generations(), job))
    finally:
        conn.close()
        os._exit(0)


class Admission:
    """How many queries may run at once, and how many may wait for their turn (and how long)."""

    def __init__(self, running: int, waiting: int, wait_seconds: float):
        self.running_max, self.waiting_max, self.wait_seconds = running, waiting, wait_seconds
        self.running = 0
        self.waiting = 0
        self._cond = threading.Condition()

    @contextmanager
    def slot(self):
        """Hold a place among the running queries; raise QueryBusy when none comes in time."""
        with self._cond:
            if self.running >= self.running_max:
                if self.waiting >= self.waiting_max:
                    raise QueryBusy(f"{self.running} queries are running and {self.waiting} are waiting: "
                                    "try again shortly", retry_after=max(1, round(self.wait_seconds)))
                self.waiting += 1
                try:
                    if not self._cond.wait_for(lambda: self.running < self.running_max, timeout=self.wait_seconds):
                        raise QueryBusy(f"no query slot became free in {self.wait_seconds:g} s: try again shortly",
                                        retry_after=max(1, round(self.wait_seconds)))
                finally:
                    self.waiting -= 1
            self.running += 1
        try:
            yield
        finally:
            with self._cond:
                self.running -= 1
                self._cond.notify()


def run_query(store_path: str | Path, query: str, bindings: dict[str, Identifier] | None = None,
              fmt: str | Callable[[str], str] | None = None, timeout: float = DEFAULT_TIMEOUT,
              default_graphs: list[str] | None = None, named_graphs: list[str] | None = None,
              max_rows: int = DEFAULT_MAX_ROWS, base_iri: str | None = None, truncate: bool = False,
              memory: int | None = DEFAULT_MEMORY_BYTES, admission: Admission | None = None,
              pool: WorkerPool | None = None, cancelled: Callable[[], bool] | None = None) -> QueryOutcome:
    """Run a query on the store at ``store_path`` and return its serialised result.

    The query is parsed, checked (parse_query) and evaluated in a confined process (no network,
    at most ``memory`` bytes, killed after ``timeout`` seconds from the start, parse included):
    a worker of ``pool`` (whose own memory limit applies), or else a child forked for this query
    alone. ``fmt`` is a format name, or a function from the query's form to one (content
    negotiation); None takes JSON or Turtle. ``default_graphs`` / ``named_graphs`` are the SPARQL
    protocol's dataset (an unknown graph is an empty graph); without them the default graph is
    the union of all graphs. A result of more than ``max_rows`` rows (or triples) is refused
    rather than cut silently, unless ``truncate``: then it is cut and the outcome says so.
    Relative IRIs resolve against ``base_iri``. With ``admission`` (or a pool), the query waits
    for a slot and raises QueryBusy when none comes. With a pool, ``cancelled()`` turning true
    (the client went away) stops the query and frees its worker.
    """
    from guidegraph.store.embedded import Store

    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(query):,} characters long, over the limit of {MAX_QUERY_CHARS:,}")
    query = query.removeprefix("\ufeff")
    formats, refusals = _formats(fmt)
    # the generation current now is the one this query reads, even if a build swaps it meanwhile
    job = {"query": query, "bindings": dict(bindings or {}), "formats": formats,
           "refused_forms": set(refusals) & set(FORMS), "generation": str(Store(store_path).readable_generation()),
           "default_graphs": list(default_graphs or []), "named_graphs": list(named_graphs or []),
           "max_rows": max_rows, "base_iri": base_iri, "truncate": truncate}
    if pool is not None:
        try:
            message = pool.run(job, timeout, cancelled)
        except WorkerVanished as exc:
            raise _vanished(exc.exitcode, pool.memory) from None
        return _outcome(message, refusals, pool.memory)
    with admission.slot() if admission else nullcontext():
        try:
            message = run_in_child(_child, (job, memory), timeout)
        except ChildTimedOut:
            raise QueryTimeout(f"query stopped after {timeout:g} s: it did not finish in time") from None
        except ChildVanished as exc:
            raise _vanished(exc.exitcode, memory) from None
    return _outcome(message, refusals, memory)


def _formats(fmt: str | Callable[[str], str] | None) -> tuple[dict[str, str | None], dict]:
    """Decide the format of each query form before the query is sent; keep what the negotiation raised."""
    if not callable(fmt):
        return dict.fromkeys(FORMS, fmt), {}
    formats, refusals = {}, {}
    for family in (("SELECT", "ASK"), ("CONSTRUCT", "DESCRIBE")):  # each family's results take the same formats
        try:
            formats.update(dict.fromkeys(family, fmt(family[0])))
        except Exception as exc:  # raised again only if the query turns out to be of this family (406, 400)
            formats.update(dict.fromkeys(family))
            refusals.update(dict.fromkeys(family, exc))
    if refusals:
        refusals["negotiate"] = fmt
    return formats, refusals


def _too_costly(memory: int | None) -> QueryTooCostly:
    return QueryTooCostly(f"the query needed more than its memory limit of {(memory or 0) / 2**20:,.0f} MB and "
                          "was stopped: narrow its patterns, add LIMIT, or raise the limit")


def _vanished(exitcode: int | None, memory: int | None) -> QueryError:
    # an allocation past RLIMIT_DATA aborts Oxigraph (or, rarely, faults): that is the memory limit
    if memory and exitcode in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGKILL, -signal.SIGBUS):
        return _too_costly(memory)
    return QueryError(f"the query process ended without an answer (exit code {exitcode})")


def _outcome(message: tuple, refusals: dict, memory: int | None) -> QueryOutcome:
    """Turn a query process's answer into a QueryOutcome, or raise what it reported."""
    status, kind, payload, rows = message
    if status == "form":  # negotiate again for this very form, so that the refusal names it (406, 400)
        negotiate, raised = refusals["negotiate"], refusals[kind]
        negotiate(kind)
        raise raised
    if status == "too-large":
        raise ResultTooLarge(f"the result has more than {payload:,} {'rows' if kind == 'SELECT' else 'triples'}: "
                             "add LIMIT (and OFFSET to page), or raise the cap")
    if status == "refused":
        raise QueryRefused(payload)
    if status == "store":
        raise StoreError(payload)
    if status == "memory":
        raise _too_costly(memory)
    if status == "error":
        raise QueryError(payload)
    count, cut, fmt_name = rows
    media = RESULT_FORMATS[fmt_name] if kind in ("SELECT", "ASK") else GRAPH_FORMATS[fmt_name]
    return QueryOutcome(form=kind, body=payload if isinstance(payload, bytes) else payload.encode(), media_type=media,
                        format=fmt_name, rows=count, truncated=cut)


