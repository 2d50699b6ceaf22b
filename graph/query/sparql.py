"""SPARQL as guidegraph reads it: the parse-tree check, parameters bound as RDF terms, result formats.

What a query may do is decided here, from rdflib's parse tree (parse_query). Running it is
graph/query/run.py's (run_query): in a confined process that is killed when the time limit
passes. Results come back serialised in a standard format: the W3C SPARQL 1.1 Query Results
formats (JSON, XML, CSV, TSV) for SELECT and ASK, an RDF syntax for CONSTRUCT and DESCRIBE.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from rdflib import Literal, URIRef, Variable
from rdflib.term import Identifier

from guidegraph.errors import (
    QueryError,
    QueryRefused,
)
from guidegraph.formats import GRAPH_FORMATS, RESULT_FORMATS
from guidegraph.namespaces import PREFIXES, curie

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
# every query form, and what rdflib's parse tree calls it
FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
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
