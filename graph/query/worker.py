"""A long-lived query worker: a confined process that keeps the store open and answers one query at a time.

    python -c 'import sys; from guidegraph.query.worker import main; main(sys.argv[1:])' FD PARENT_PID MEMORY

The server's pool (guidegraph/query/pool.py) starts it as a fresh interpreter (never a fork
of the threaded server) with one end of a socket pair as descriptor FD. Before it reads any
job it confines itself (graph/sandbox.py: no network, at most MEMORY_BYTES of heap, killed
when the thread of PARENT_PID that started it ends) and says it is ready. Each job names the
store generation to read; the worker opens it read-only once and reopens it only when a build
has made another generation current. A job that runs past its time limit is not the worker's
business: the pool kills the whole process and starts another.

:func:`evaluate` is the one evaluation of a query, shared with the process that `guidegraph
query` forks for a single query (graph/query/run.py).
"""
from __future__ import annotations

import os
import sys


def evaluate(open_generation, job: dict) -> tuple:
    """Parse, check and run the query of ``job``; return the message for the server.

    ``open_generation(path)`` returns the pyoxigraph store of that generation. The message is
    ``(status, kind, payload, extra)``: ``ok`` with the body and ``(rows, truncated, format)``;
    ``form`` when no format was agreed for the query's form; ``too-large``, ``refused``,
    ``error``, ``memory`` or ``store`` with what went wrong.
    """
    import pyoxigraph as ox
    from rdflib import Variable
    from rdflib.query import Result

    from guidegraph.errors import QueryError, QueryRefused, StoreError
    from guidegraph.formats import RDF_SYNTAXES
    from guidegraph.namespaces import PREFIXES
    from guidegraph.query.sparql import (
        _choose_format,
        _oxigraph_syntax,
        _take,
        _to_ox,
        _to_rdflib,
        bind,
        parse_query,
        tsv,
    )

    try:
        # the text that is checked here is the text Oxigraph runs; the predeclared prefixes go beside it
        text, init = bind(job["query"], job["bindings"])
        parsed = parse_query(text)
        fmt = job["formats"].get(parsed.form)
        if fmt is None and parsed.form in job["refused_forms"]:
            return ("form", parsed.form, None, None)
        fmt = _choose_format(parsed.form, fmt)[0]
        db = open_generation(job["generation"])
        options: dict = {"substitutions": {ox.Variable(k): _to_ox(v) for k, v in init.items()},
                         "base_iri": job["base_iri"], "prefixes": PREFIXES}
        if job["default_graphs"]:
            options["default_graph"] = [ox.NamedNode(g) for g in job["default_graphs"]]
        elif not parsed.has_dataset:
            options["use_default_graph_as_union"] = True
        if job["named_graphs"]:
            options["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]
        try:
            result = db.query(text, **options)
        except SyntaxError as exc:
            raise QueryError(_oxigraph_syntax(str(exc), 0)) from None
        max_rows, truncate = job["max_rows"], job["truncate"]
        if isinstance(result, ox.QueryBoolean):
            out = Result("ASK")
            out.askAnswer = bool(result)
            if fmt == "tsv":
                body = b"?_askResult\n" + (b"true\n" if out.askAnswer else b"false\n")
            else:
                body = out.serialize(format=fmt)
            return ("ok", "ASK", body, (1, False, fmt))
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            rows, cut = _take(result, max_rows)
            if cut and not truncate:
                return ("too-large", "SELECT", max_rows, None)
            out = Result("SELECT")
            out.vars = [Variable(n) for n in names]
            out.bindings = [{Variable(n): _to_rdflib(row[i]) for i, n in enumerate(names) if row[i] is not None}
                            for row in rows]
            body = tsv(out) if fmt == "tsv" else out.serialize(format=fmt)
            return ("ok", "SELECT", body, (len(rows), cut, fmt))
        triples, cut = _take(result, max_rows)
        if cut and not truncate:
            return ("too-large", "CONSTRUCT", max_rows, None)
        body = ox.serialize(triples, format=RDF_SYNTAXES[fmt].oxigraph)
        return ("ok", "CONSTRUCT", body, (len(triples), cut, fmt))
    except QueryRefused as exc:
        return ("refused", "QueryRefused", str(exc), None)
    except QueryError as exc:
        return ("error", "QueryError", str(exc), None)
    except MemoryError:
        return ("memory", "MemoryError", "", None)
    except StoreError as exc:  # the store went away: the server's fault (503), not the query's
        return ("store", "StoreError", str(exc), None)
    except Exception as exc:  # the server raises QueryError with it
        return ("error", type(exc).__name__, f"{type(exc).__name__}: {exc}", None)


class Generations:
    """The store generation a worker has open: opened read-only on first use, reopened when another is asked for."""

    def __init__(self):
        self.path: str | None = None
        self.db = None

    def __call__(self, path: str):
        if self.db is None or self.path != path:
            import pyoxigraph as ox

            from guidegraph.errors import StoreError

            try:
                db = ox.Store.read_only(path)
            except OSError as exc:
                raise StoreError(f"cannot open the store at {path}: {exc}") from exc
            self.db, self.path = db, path
        return self.db


def quiet_stderr() -> None:
    """Send standard error to /dev/null: Oxigraph prints its own message when an allocation fails."""
    import faulthandler

    faulthandler.disable()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def serve(conn, parent_pid: int, memory: int | None) -> None:
    """Confine this process, then answer jobs from ``conn`` one at a time until it closes."""
    from guidegraph.query.sparql import MAX_PARSE_DEPTH
    from guidegraph.sandbox import confine

    quiet_stderr()
    missing = confine(parent_pid, memory)
    sys.setrecursionlimit(MAX_PARSE_DEPTH)
    # load the parser and the engine now, so that the first query does not pay for them
    import pyoxigraph  # noqa: F401
    from rdflib.plugins.sparql.parser import parseQuery  # noqa: F401

    conn.send(("ready", os.getpid(), missing))
    generations = Generations()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        message = evaluate(generations, job)
        conn.send(message)
        if message[0] == "memory":  # a heap that once hit its limit is not trusted with the next query
            return


def main(argv: list[str]) -> None:
    import socket
    from multiprocessing.connection import Connection

    fd, parent_pid, memory = int(argv[0]), int(argv[1]), int(argv[2])
    # only the socket pair to the server stays open: nothing the server holds lives on here
    os.closerange(3, fd)
    os.closerange(fd + 1, 1 << 16)
    sock = socket.socket(fileno=fd)
    conn = Connection(sock.detach())
    try:
        serve(conn, parent_pid, memory or None)
    finally:
        os._exit(0)
