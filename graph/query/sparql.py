"""Run SPARQL 1.1 queries on the store safely: read-only, no SERVICE, bounded in time.

Queries run through rdflib's API on the Oxigraph store (oxrdflib hands the query string to
Oxigraph's own engine). Each run happens in a child process that is killed when the time
limit passes, because a query that never ends cannot be interrupted from inside Oxigraph.
Results come back serialised in a standard format: the W3C SPARQL 1.1 Query Results
formats (JSON, XML, CSV, TSV) for SELECT and ASK, an RDF syntax for CONSTRUCT and DESCRIBE.
"""
from __future__ import annotations

import json
import math
import os
import re
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Literal, URIRef, Variable
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
from guidegraph.formats import GRAPH_FORMATS, RDF_SYNTAXES, RESULT_FORMATS
from guidegraph.namespaces import PREFIXES, curie
from guidegraph.sandbox import ChildTimedOut, ChildVanished, confine, run_in_child

DEFAULT_TIMEOUT = 30.0

MAX_QUERY_CHARS = 200_000
# Deep enough for any query a person writes; deeper nesting is refused rather than crashing the parser.
MAX_PARSE_DEPTH = 20_000
DEFAULT_MEMORY_BYTES = 2 * 1024**3

# Comments, IRIs and strings: only to find where a variable to inline stands (bind); what a
# query may do is decided by parse_query, on the final text.
_OPAQUE = re.compile(
    r'#[^\n]*|<[^<>"{}|^`\\\s]*>|"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'',
    re.S,
)
_FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}


@dataclass
class QueryOutcome:
    """A finished query: its form, the serialised result and its media type."""

    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    body: bytes
    media_type: str
    format: str
    rows: int | None = None
    truncated: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """What the SPARQL parser found in a query: its form, variables and dataset clause."""

    form: str
    variables: frozenset[str]
    projected: frozenset[str] | None  # None for SELECT * and for the other forms
    has_dataset: bool  # FROM / FROM NAMED


def _tree_nodes(node) -> Iterator:
    """Yield every node of an rdflib SPARQL parse tree, depth first, without recursion."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, CompValue):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, ParseResults)):
            stack.extend(item)


def _syntax_error(exc) -> QueryError:
    if all(form in exc.msg for form in _FORMS):
        return QueryError(f"not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE at line {exc.lineno}, "
                          f"column {exc.col}")
    return QueryError(f"syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}"
                      f" (near {exc.line.strip()[:60]!r})")


@lru_cache(maxsize=512)
def parse_query(text: str) -> ParsedQuery:
    """Parse a SPARQL 1.1 query and refuse what a read-only, offline endpoint must not run.

    The decision is made on rdflib's parse tree of the text, after the Unicode escapes that
    SPARQL expands before parsing: an update (``INSERT``, ``LOAD`` …) raises QueryRefused, and
    so does ``SERVICE`` anywhere (in OPTIONAL, sub-queries, EXISTS, MINUS …); anything that is
    not a query raises QueryError with the line and column.
    """
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    from rdflib.plugins.sparql.parserutils import CompValue

    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(text):,} characters long, over the limit of {MAX_QUERY_CHARS:,}")
    text = text.removeprefix("\ufeff")
    try:
        tree = parseQuery(text)
    except ParseBaseException as exc:
        try:
            update = parseUpdate(text)
        except (ParseBaseException, RecursionError, ValueError):
            raise _syntax_error(exc) from None
        if "request" not in update:  # nothing but a prologue or comments: no operation at all
            raise QueryError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE") from None
        raise QueryRefused("updates are refused: this endpoint is read-only "
                           "(use `guidegraph build` or `guidegraph load` to change the store)") from None
    except RecursionError:
        raise QueryError("the query is nested too deeply to parse: flatten its groups or expressions") from None
    except ValueError as exc:  # an invalid \\u escape
        raise QueryError(f"syntax error: {exc}") from None
    body = tree[1]
    variables = set()
    for node in _tree_nodes(tree):
        if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
            raise QueryRefused("SERVICE is refused: guidegraph does not send queries to other endpoints")
        if isinstance(node, Variable):
            variables.add(str(node))
    projected = None
    if body.name == "SelectQuery" and "projection" in body:
        # CompValue.get returns the key itself for a missing key: test membership instead
        projected = frozenset(str(v["evar"] if "evar" in v else v["var"]) for v in body["projection"])
    return ParsedQuery(form=_FORMS[body.name], variables=frozenset(variables), projected=projected,
                       has_dataset=bool("datasetClause" in body and body["datasetClause"]))


def query_form(query: str) -> str:
    """Return SELECT, ASK, CONSTRUCT or DESCRIBE; raise QueryError (QueryRefused) for anything else."""
    return parse_query(query).form


def refuse_hostile(query: str) -> None:
    """Raise QueryError for what a read-only, offline endpoint must not run."""
    parse_query(query)


def bind(query: str, bindings: dict[str, Identifier]) -> tuple[str, dict[str, Identifier]]:
    """Split bindings: projected variables go to initBindings, the others into the text as RDF terms.

    Oxigraph substitutes only projected variables; for the rest the variable's occurrences
    (outside comments, strings and IRIs) are replaced by the term's N-Triples form. The text
    that comes out is parsed again, so it is held to the same rules as any query.
    """
    if not bindings:
        return query, {}
    from rdflib.plugins.sparql.parser import expandUnicodeEscapes

    parsed = parse_query(query)
    init = {}
    inline = {}
    for name, term in bindings.items():
        if name not in parsed.variables:
            raise QueryError(f"the query has no variable ?{name} to bind")
        if parsed.form == "SELECT" and (parsed.projected is None or name in parsed.projected):
            init[name] = term
        else:
            inline[name] = term
    if not inline:
        return query, init
    text = expandUnicodeEscapes(query.removeprefix("\ufeff"))
    skel = _OPAQUE.sub(lambda m: " " * len(m.group()), text)
    out = []
    last = 0
    for m in re.finditer(r"[?$](\w+)\b", skel):
        if m.group(1) in inline:
            out.append(text[last:m.start()])
            out.append(inline[m.group(1)].n3())
            last = m.end()
    out.append(text[last:])
    bound = "".join(out)
    if parse_query(bound).form != parsed.form:
        raise QueryError("binding the parameters changed the query's form: check the parameter values")
    return bound, init


DEFAULT_MAX_ROWS = 100_000


def _to_rdflib(term):
    import pyoxigraph as ox
    from rdflib import BNode

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    return Literal(str(term))


def _take(results, limit: int) -> tuple[list, bool]:
    """Return at most ``limit`` results and whether there were more."""
    import itertools

    taken = list(itertools.islice(results, limit + 1))
    return taken[:limit], len(taken) > limit


def _child(conn, parent_pid: int, store_path: str, query: str, bindings: dict, fmt: str | None, ask_format: bool,
           default_graphs: list[str],
           named_graphs: list[str], max_rows: int, base_iri: str | None, truncate: bool, memory: int | None) -> None:
    """Parse, check and run one query inside the confined child; talk to the parent over ``conn``."""
    # Oxigraph prints its own message when an allocation fails; the parent reports it instead
    import faulthandler
    import sys

    import pyoxigraph as ox
    from rdflib.query import Result

    faulthandler.disable()
    # the server's listening and client sockets must not live on in the query process
    keep = conn.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, 1 << 20)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    try:
        confine(parent_pid, memory)
        sys.setrecursionlimit(MAX_PARSE_DEPTH)
        text, init = bind(query, bindings)
        prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
        try:
            # the query as Oxigraph will run it, checked as a whole: the prologue is the only thing added
            parsed = parse_query(prologue + text)
        except QueryError as exc:
            raise type(exc)(_shift_lines(str(exc), -len(PREFIXES))) from None
        text = prologue + text
        if ask_format:
            conn.send(("form", parsed.form, None, None))
            fmt = conn.recv()
            if fmt is None:
                return
        fmt = _choose_format(parsed.form, fmt)[0]
        from guidegraph.store.embedded import Store

        db = Store(store_path).oxigraph()
        options: dict = {"substitutions": {ox.Variable(k): _to_ox(v) for k, v in init.items()}, "base_iri": base_iri}
        if default_graphs:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        elif not parsed.has_dataset:
            options["use_default_graph_as_union"] = True
        if named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            result = db.query(text, **options)
        except SyntaxError as exc:
            raise QueryError(_oxigraph_syntax(str(exc), prologue.count("\n"))) from None
        if isinstance(result, ox.QueryBoolean):
            out = Result("ASK")
            out.askAnswer = bool(result)
            if fmt == "tsv":
                body = b"?_askResult\n" + (b"true\n" if out.askAnswer else b"false\n")
            else:
                body = out.serialize(format=fmt)
            conn.send(("ok", "ASK", body, (1, False, fmt)))
        elif isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            rows, cut = _take(result, max_rows)
            if cut and not truncate:
                conn.send(("too-large", "SELECT", max_rows, None))
                return
            out = Result("SELECT")
            out.vars = [Variable(n) for n in names]
            out.bindings = [{Variable(n): _to_rdflib(row[i]) for i, n in enumerate(names) if row[i] is not None}
                            for row in rows]
            body = tsv(out) if fmt == "tsv" else out.serialize(format=fmt)
            conn.send(("ok", "SELECT", body, (len(rows), cut, fmt)))
        else:
            triples, cut = _take(result, max_rows)
            if cut and not truncate:
                conn.send(("too-large", "CONSTRUCT", max_rows, None))
                return
            body = ox.serialize(triples, format=RDF_SYNTAXES[fmt].oxigraph)
            conn.send(("ok", "CONSTRUCT", body, (len(triples), cut, fmt)))
    except QueryRefused as exc:
        conn.send(("refused", "QueryRefused", str(exc), None))
    except QueryError as exc:
        conn.send(("error", "QueryError", str(exc), None))
    except MemoryError:
        conn.send(("memory", "MemoryError", "", None))
    except StoreError as exc:  # the store went away: the server's fault (503), not the query's
        conn.send(("store", "StoreError", str(exc), None))
    except Exception as exc:  # sent to the parent, which raises QueryError
        conn.send(("error", type(exc).__name__, f"{type(exc).__name__}: {exc}", None))
    finally:
        conn.close()
        os._exit(0)

def tsv(result) -> bytes:
    """Write SELECT results in the W3C SPARQL 1.1 TSV format (terms in SPARQL syntax)."""
    from guidegraph.ntriples import term_nt

    lines = ["\t".join(f"?{v}" for v in result.vars)]
    for row in result.bindings:
        cells = []
        for v in result.vars:
            value = row.get(v)
            cells.append("" if value is None else term_nt(value).replace("\t", "\\t"))
        lines.append("\t".join(cells))
    return ("\n".join(lines) + "\n").encode("utf-8")


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
              memory: int | None = DEFAULT_MEMORY_BYTES, admission: Admission | None = None) -> QueryOutcome:
    """Run a query on the store at ``store_path`` and return its serialised result.

    The query is parsed, checked (parse_query) and evaluated in a confined child process (no
    network, at most ``memory`` bytes, killed after ``timeout`` seconds from the start, parse
    included). ``fmt`` is a format name, or a function from the query's form to one (content
    negotiation); None takes JSON or Turtle. ``default_graphs`` / ``named_graphs`` are the SPARQL
    protocol's dataset (an unknown graph is an empty graph); without them the default graph is
    the union of all graphs. A result of more than ``max_rows`` rows (or triples) is refused
    rather than cut silently, unless ``truncate``: then it is cut and the outcome says so.
    Relative IRIs resolve against ``base_iri``. With ``admission``, the query waits for a slot
    and raises QueryBusy when none comes.
    """
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(query):,} characters long, over the limit of {MAX_QUERY_CHARS:,}")
    query = query.removeprefix("\ufeff")
    with admission.slot() if admission else nullcontext():
        return _run_in_child(str(store_path), query, dict(bindings or {}), fmt, timeout, list(default_graphs or []),
                             list(named_graphs or []), max_rows, base_iri, truncate, memory)


def _choose_format(form: str, fmt: str | None) -> tuple[str, str]:
    """Return the format name and media type for a result of this form; raise QueryError when it cannot carry it."""
    if form in ("SELECT", "ASK"):
        fmt = fmt or "json"
        if fmt not in RESULT_FORMATS:
            raise QueryError(f"{form} results come as {', '.join(RESULT_FORMATS)}, not {fmt}")
        return fmt, RESULT_FORMATS[fmt]
    fmt = fmt or "turtle"
    if fmt not in GRAPH_FORMATS:
        raise QueryError(f"{form} results are RDF: {', '.join(GRAPH_FORMATS)}, not {fmt}")
    return fmt, GRAPH_FORMATS[fmt]


def _run_in_child(store_path, query, bindings, fmt, timeout, default_graphs, named_graphs, max_rows, base_iri,
                  truncate, memory) -> QueryOutcome:
    """Fork the confined query process, answer its question about the format, and wait until the deadline."""
    ask_format = callable(fmt)

    def answer(message):
        status, kind, _, _ = message
        # the negotiation may raise (406): the child is then killed
        return _choose_format(kind, fmt(kind))[0] if status == "form" else None

    too_costly = QueryTooCostly(f"the query needed more than its memory limit of {(memory or 0) / 2**20:,.0f} MB and "
                                "was stopped: narrow its patterns, add LIMIT, or raise the limit")
    try:
        status, kind, payload, rows = run_in_child(
            _child, (store_path, query, bindings, None if ask_format else fmt, ask_format, default_graphs, named_graphs,
                     max_rows, base_iri, truncate, memory), timeout, answer)
    except ChildTimedOut:
        raise QueryTimeout(f"query stopped after {timeout:g} s: it did not finish in time") from None
    except ChildVanished as exc:
        # an allocation past RLIMIT_DATA aborts Oxigraph (or, rarely, faults): that is the memory limit
        if memory and exc.exitcode in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGKILL, -signal.SIGBUS):
            raise too_costly from None
        raise QueryError(f"the query process ended without an answer (exit code {exc.exitcode})") from None
    if status == "too-large":
        raise ResultTooLarge(f"the result has more than {payload:,} {'rows' if kind == 'SELECT' else 'triples'}: "
                             "add LIMIT (and OFFSET to page), or raise the cap")
    if status == "refused":
        raise QueryRefused(payload)
    if status == "store":
        raise StoreError(payload)
    if status == "memory":
        raise too_costly
    if status == "error":
        raise QueryError(payload)
    count, cut, fmt_name = rows
    media = RESULT_FORMATS[fmt_name] if kind in ("SELECT", "ASK") else GRAPH_FORMATS[fmt_name]
    return QueryOutcome(form=kind, body=payload if isinstance(payload, bytes) else payload.encode(), media_type=media,
                        format=fmt_name, rows=count, truncated=cut)


def _to_ox(term):
    import pyoxigraph as ox
    from rdflib import BNode

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def _oxigraph_syntax(message: str, prologue_lines: int) -> str:
    m = re.search(r"error at (\d+):(\d+)", message)
    if m:
        line = int(m.group(1)) - prologue_lines
        return message.replace(m.group(0), f"syntax error at line {line}, column {m.group(2)}")
    return f"syntax error: {message}"


def _shift_lines(message: str, by: int) -> str:
    """Move the line number in a parser's message by ``by`` (the prefixes guidegraph added above the query)."""
    m = re.search(r"at line (\d+), column", message)
    if not m:
        return message
    return message.replace(m.group(0), f"at line {max(1, int(m.group(1)) + by)}, column", 1)


def table(outcome: QueryOutcome) -> str:
    """Render a JSON SELECT/ASK outcome as an aligned text table."""
    data = json.loads(outcome.body)
    if "boolean" in data:
        return "true" if data["boolean"] else "false"
    names = data["head"]["vars"]
    rows = [[_cell(b.get(n)) for n in names] for b in data["results"]["bindings"]]
    widths = [min(60, max([len(n)] + [len(r[i]) for r in rows])) for i, n in enumerate(names)]
    out = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)), "  ".join("-" * w for w in widths)]
    for r in rows:
        out.append("  ".join((c if len(c) <= w else c[: w - 1] + "…").ljust(w) for c, w in zip(r, widths, strict=True)))
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _cell(value: dict | None) -> str:
    if value is None:
        return ""
    text = value["value"]
    if value["type"] == "uri":
        short = curie(text)
        return text if short.startswith("<") else short
    return text.replace("\n", " ")


def term_for(value: str, kind: str) -> Identifier:
    """Turn a parameter value as typed on a command line into an RDF term of the given kind."""
    kind = kind.lower()
    if kind in ("iri", "uri"):
        return _iri(value)
    if kind in ("integer", "int"):
        try:
            return Literal(int(value))
        except ValueError:
            raise QueryError(f"{value!r} is not an integer") from None
    if kind in ("decimal", "double", "float"):
        try:
            number = float(value)
        except ValueError:
            raise QueryError(f"{value!r} is not a number") from None
        if not math.isfinite(number):
            raise QueryError(f"{value!r} is not a finite number")
        return Literal(number)
    return Literal(value)


def _iri(value: str) -> URIRef:
    """Return the IRI written as ``value`` (absolute, or a prefixed name such as gg:Statement), checked."""
    from urllib.parse import urlsplit

    for p, iri in PREFIXES.items():
        if value.startswith(p + ":") and not value.startswith(p + "://"):
            value = iri + value[len(p) + 1:]
            break
    bad = sorted({ch for ch in value if ord(ch) <= 0x20 or ch in '<>"{}|^`\\'})
    if bad:
        shown = " ".join(repr(ch) for ch in bad)
        raise QueryError(f"{value!r} is not a valid IRI: it contains {shown} (spaces, control characters and "
                         f"<>\"{{}}|^`\\ are not allowed)")
    try:
        scheme = urlsplit(value).scheme
    except ValueError as exc:
        raise QueryError(f"{value!r} is not a valid IRI: {exc}") from None
    if not scheme:
        raise QueryError(f"{value!r} is not an IRI (expected https://… or a prefixed name such as gg:Statement)")
    return URIRef(value)
