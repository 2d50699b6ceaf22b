"""Run SPARQL 1.1 queries on the store safely: read-only, no SERVICE, bounded in time.

Queries run through rdflib's API on the Oxigraph store (oxrdflib hands the query string to
Oxigraph's own engine). Each run happens in a child process that is killed when the time
limit passes, because a query that never ends cannot be interrupted from inside Oxigraph.
Results come back serialised in a standard format: the W3C SPARQL 1.1 Query Results
formats (JSON, XML, CSV, TSV) for SELECT and ASK, an RDF syntax for CONSTRUCT and DESCRIBE.
"""
from __future__ import annotations

import json
import multiprocessing as mp
import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef, Variable
from rdflib.term import Identifier

from .errors import QueryError, QueryRefused, QueryTimeout, ResultTooLarge
from .namespaces import PREFIXES

DEFAULT_TIMEOUT = 30.0
RESULT_FORMATS = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                  "csv": "text/csv", "tsv": "text/tab-separated-values"}
GRAPH_FORMATS = {"turtle": "text/turtle", "ntriples": "application/n-triples", "jsonld": "application/ld+json",
                 "xml": "application/rdf+xml", "trig": "application/trig", "nquads": "application/n-quads"}

# Tokens that must not be read as keywords or variables: comments, IRIs, strings.
_OPAQUE = re.compile(
    r'#[^\n]*|<[^<>"{}|^`\\\s]*>|"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'',
    re.S,
)
_UPDATE_WORDS = re.compile(r"\b(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD)\b\s*(DATA|WHERE|\{|SILENT|GRAPH|DEFAULT|ALL|NAMED|<)", re.I)


@dataclass
class QueryOutcome:
    """A finished query: its form, the serialised result and its media type."""

    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    body: bytes
    media_type: str
    format: str
    rows: int | None = None
    truncated: bool = False


def _skeleton(query: str) -> str:
    """Return the query with comments, IRIs and strings blanked out (same length)."""
    return _OPAQUE.sub(lambda m: " " * len(m.group()) if m.group().startswith("#") else "\x00" * len(m.group()), query)


def query_form(query: str) -> str:
    """Return SELECT, ASK, CONSTRUCT or DESCRIBE; raise QueryError for anything else."""
    skel = _skeleton(query)
    m = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", skel, re.I)
    if _UPDATE_WORDS.search(skel):
        raise QueryRefused("updates are refused: this endpoint is read-only (use `guidegraph build` or `load` to change the store)")
    if not m:
        raise QueryError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    return m.group(1).upper()


def refuse_hostile(query: str) -> None:
    """Raise QueryError for what a read-only, offline endpoint must not run."""
    if len(query) > 200_000:
        raise QueryError("query is longer than 200,000 characters")
    skel = _skeleton(query)
    if re.search(r"\bSERVICE\b", skel, re.I):
        raise QueryRefused("SERVICE is refused: guidegraph does not send queries to other endpoints")
    query_form(query)


def _projection(skel: str) -> set[str] | None:
    """Return the variables a SELECT projects (None for ``*`` or a non-SELECT query)."""
    m = re.search(r"\bSELECT\b(.*?)(\bWHERE\b|\{)", skel, re.I | re.S)
    if not m:
        return None
    clause = m.group(1)
    if re.search(r"(^|\s)\*(\s|$)", clause):
        return None
    names = set(re.findall(r"\bAS\s+[?$](\w+)", clause, re.I))
    depth = 0
    for tok in re.finditer(r"[()]|[?$](\w+)", clause):
        if tok.group() == "(":
            depth += 1
        elif tok.group() == ")":
            depth -= 1
        elif depth == 0:
            names.add(tok.group(1))
    return names


def bind(query: str, bindings: dict[str, Identifier]) -> tuple[str, dict[str, Identifier]]:
    """Split bindings: projected variables go to initBindings, the others into the text as RDF terms.

    Oxigraph substitutes only projected variables; for the rest the variable's occurrences
    (outside comments, strings and IRIs) are replaced by the term's N-Triples form, which
    cannot change the query's structure whatever the value.
    """
    if not bindings:
        return query, {}
    skel = _skeleton(query)
    form = query_form(query)
    projected = _projection(skel) if form == "SELECT" else set()
    init = {}
    inline = {}
    for name, term in bindings.items():
        if not re.search(r"[?$]" + re.escape(name) + r"\b", skel):
            raise QueryError(f"the query has no variable ?{name} to bind")
        if projected is None or name in projected:
            init[name] = term
        else:
            inline[name] = term
    if not inline:
        return query, init
    out = []
    last = 0
    for m in re.finditer(r"[?$](\w+)\b", skel):
        if m.group(1) in inline:
            out.append(query[last:m.start()])
            out.append(inline[m.group(1)].n3())
            last = m.end()
    out.append(query[last:])
    return "".join(out), init


_RDF_FORMATS = {"turtle": "TURTLE", "ntriples": "N_TRIPLES", "jsonld": "JSON_LD", "xml": "RDF_XML", "trig": "TRIG",
                "nquads": "N_QUADS"}
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


def _child(conn, store_path: str, query: str, substitutions: dict, fmt: str, default_graphs: list[str],
           named_graphs: list[str], max_rows: int, base_iri: str | None, truncate: bool = False) -> None:
    import pyoxigraph as ox
    from rdflib.query import Result

    try:
        from .store import Store

        db = Store(store_path).oxigraph()
        options: dict = {"substitutions": {ox.Variable(k): v for k, v in substitutions.items()}, "base_iri": base_iri}
        if default_graphs:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        elif not re.search(r"\bFROM\b", _skeleton(query), re.I):
            options["use_default_graph_as_union"] = True
        if named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        result = db.query(query, **options)
        if isinstance(result, ox.QueryBoolean):
            out = Result("ASK")
            out.askAnswer = bool(result)
            body = out.serialize(format=fmt) if fmt != "tsv" else b"?_askResult\n" + (b"true\n" if out.askAnswer else b"false\n")
            conn.send(("ok", "ASK", body, (1, False)))
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
            conn.send(("ok", "SELECT", body, (len(rows), cut)))
        else:
            triples, cut = _take(result, max_rows)
            if cut and not truncate:
                conn.send(("too-large", "CONSTRUCT", max_rows, None))
                return
            body = ox.serialize(triples, format=getattr(ox.RdfFormat, _RDF_FORMATS[fmt]))
            conn.send(("ok", "CONSTRUCT", body, (len(triples), cut)))
    except Exception as exc:  # sent to the parent, which raises QueryError
        conn.send(("error", type(exc).__name__, str(exc), None))
    finally:
        conn.close()


def tsv(result) -> bytes:
    """Write SELECT results in the W3C SPARQL 1.1 TSV format (terms in SPARQL syntax)."""
    from .rdf import term_nt

    lines = ["\t".join(f"?{v}" for v in result.vars)]
    for row in result.bindings:
        cells = []
        for v in result.vars:
            value = row.get(v)
            cells.append("" if value is None else term_nt(value).replace("\t", "\\t"))
        lines.append("\t".join(cells))
    return ("\n".join(lines) + "\n").encode("utf-8")


def run_query(store_path: str | Path, query: str, bindings: dict[str, Identifier] | None = None,
              fmt: str | None = None, timeout: float = DEFAULT_TIMEOUT, default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None, max_rows: int = DEFAULT_MAX_ROWS,
              base_iri: str | None = None, truncate: bool = False) -> QueryOutcome:
    """Run a query on the store at ``store_path`` and return its serialised result.

    ``default_graphs`` / ``named_graphs`` are the SPARQL protocol's dataset (an unknown graph
    is an empty graph); without them the default graph is the union of all graphs. The query
    runs in a child process that is killed after ``timeout`` seconds; a result of more than
    ``max_rows`` rows (or triples) is refused rather than cut silently. Relative IRIs in the
    query resolve against ``base_iri`` (the endpoint's URL). With ``truncate`` a larger result is
    cut to ``max_rows`` and the outcome says so (the console shows a "truncated" flag).
    """
    refuse_hostile(query)
    form = query_form(query)
    query, init = bind(query, bindings or {})
    if form in ("SELECT", "ASK"):
        fmt = fmt or "json"
        if fmt not in RESULT_FORMATS:
            raise QueryError(f"{form} results come as {', '.join(RESULT_FORMATS)}, not {fmt}")
        media = RESULT_FORMATS[fmt]
    else:
        fmt = fmt or "turtle"
        if fmt not in GRAPH_FORMATS:
            raise QueryError(f"{form} results are RDF: {', '.join(GRAPH_FORMATS)}, not {fmt}")
        media = GRAPH_FORMATS[fmt]
    prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items()
                       if not re.search(r"\bPREFIX\s+" + p + r"\s*:", query, re.I))
    substitutions = {k: _to_ox(v) for k, v in init.items()}
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, str(store_path), prologue + query, substitutions, fmt,
                                            list(default_graphs or []), list(named_graphs or []), max_rows, base_iri,
                                            truncate),
                       daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise QueryTimeout(f"query stopped after {timeout:g} s: it did not finish in time (raise the limit with --timeout)")
        status, kind, payload, rows = parent.recv()
    except EOFError:
        raise QueryError("query process ended without an answer (out of memory?)") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        parent.close()
    if status == "too-large":
        raise ResultTooLarge(f"the result has more than {payload:,} {'rows' if kind == 'SELECT' else 'triples'}: "
                             "add LIMIT (and OFFSET to page), or raise the cap")
    if status == "error":
        raise QueryError(_explain(kind, payload, len(prologue.splitlines())))
    count, cut = rows
    return QueryOutcome(form=kind, body=payload if isinstance(payload, bytes) else payload.encode(), media_type=media,
                        format=fmt, rows=count, truncated=cut)


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


def _explain(kind: str, message: str, prologue_lines: int) -> str:
    m = re.search(r"error at (\d+):(\d+)", message)
    if m:
        line = int(m.group(1)) - prologue_lines
        message = message.replace(m.group(0), f"error at line {line}, column {m.group(2)}")
        return f"syntax {message}"
    return f"{kind}: {message}"


def table(outcome: QueryOutcome) -> str:
    """Render a JSON SELECT/ASK outcome as an aligned text table."""
    data = json.loads(outcome.body)
    if "boolean" in data:
        return "true" if data["boolean"] else "false"
    names = data["head"]["vars"]
    rows = [[_cell(b.get(n)) for n in names] for b in data["results"]["bindings"]]
    widths = [min(60, max([len(n)] + [len(r[i]) for r in rows])) for i, n in enumerate(names)]
    out = ["  ".join(n.ljust(w) for n, w in zip(names, widths)), "  ".join("-" * w for w in widths)]
    for r in rows:
        out.append("  ".join((c if len(c) <= w else c[: w - 1] + "…").ljust(w) for c, w in zip(r, widths)))
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _cell(value: dict | None) -> str:
    if value is None:
        return ""
    text = value["value"]
    if value["type"] == "uri":
        for p, iri in PREFIXES.items():
            if text.startswith(iri):
                return f"{p}:{text[len(iri):]}"
    return text.replace("\n", " ")


def term_for(value: str, kind: str) -> Identifier:
    """Turn a parameter value as typed on a command line into an RDF term of the given kind."""
    kind = kind.lower()
    if kind in ("iri", "uri"):
        for p, iri in PREFIXES.items():
            if value.startswith(p + ":") and not value.startswith(p + "://"):
                return URIRef(iri + value[len(p) + 1:])
        if not re.match(r"^[a-z][a-z0-9+.\-]*:", value, re.I):
            raise QueryError(f"{value!r} is not an IRI (expected https://… or a prefixed name such as gg:Statement)")
        if re.search(r'[\x00-\x20<>"{}|^`\\]', value):
            raise QueryError(f"{value!r} is not a valid IRI: it contains a space, a control character or one of <>\"{{}}|^`\\")
        return URIRef(value)
    if kind in ("integer", "int"):
        try:
            return Literal(int(value))
        except ValueError:
            raise QueryError(f"{value!r} is not an integer") from None
    if kind in ("decimal", "double", "float"):
        try:
            return Literal(float(value))
        except ValueError:
            raise QueryError(f"{value!r} is not a number") from None
    return Literal(value)
