"""The library of saved SPARQL queries in queries/*.rq.

Each file is plain SPARQL that starts with comment headers, so it stays runnable as is::

    #+ title: Provenance of a statement
    #+ description: Document, section, quote, offsets and the references its markers resolve to.
    #+ param: statement iri https://w3id.org/guidegraph/id/document/…/statement/1234
    #+ audience: author, analyst
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from guidegraph.errors import QueryError
from guidegraph.namespaces import PREFIXES, sparql_prologue
from guidegraph.paths import queries_dir
from guidegraph.query.sparql import parse_query, term_for


@dataclass
class Param:
    """A parameter of a saved query: the variable it binds, its kind and an example value.

    The example is a value (``#+ param: drug iri ggv:Bisphosphonate``) or, for data that differs
    from corpus to corpus, a graph pattern over the parameter's variable
    (``#+ param: document iri where { ?reference dcterms:isPartOf ?document }``): the example is
    then the value that matches the pattern most often in the store (the document with the most
    references).
    """

    name: str
    kind: str
    example: str | None = None
    example_pattern: str | None = None

    def example_in(self, store) -> str | None:
        """Return the example value for a store: the header's value, or the best match of its pattern."""
        if self.example is not None or self.example_pattern is None:
            return self.example

        text = (f"SELECT ?{self.name} (COUNT(*) AS ?n) WHERE {self.example_pattern} "
                f"GROUP BY ?{self.name} ORDER BY DESC(?n) ?{self.name} LIMIT 1")
        parse_query(sparql_prologue() + text)  # a read-only SELECT, or refused
        rows = store.oxigraph().query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
        first = next(iter(rows), None)
        return first[0].value if first is not None and first[0] is not None else None

    def describe_example(self) -> str:
        """Say what a value looks like, for a message."""
        return str(self.example) if self.example is not None else f"?{self.name} {self.example_pattern}"


@dataclass
class SavedQuery:
    """A saved query: its name (the file name), headers and text."""

    name: str
    title: str
    description: str
    text: str
    params: list[Param] = field(default_factory=list)
    audience: list[str] = field(default_factory=list)
    path: Path | None = None

    def bindings(self, values: dict[str, str], use_examples: bool = False, store=None) -> dict:
        """Turn parameter values (strings) into RDF terms; every parameter needs a value.

        With ``use_examples``, a parameter without a value takes its example (read from ``store``
        when the example is a class).
        """
        known = {p.name for p in self.params}
        unknown = set(values) - known
        if unknown:
            raise QueryError(f"query '{self.name}' has no parameter {', '.join(sorted(unknown))}"
                             f" (its parameters: {', '.join(sorted(known)) or 'none'})")
        out = {}
        for p in self.params:
            value = values.get(p.name)
            if value is None and use_examples:
                value = p.example_in(store) if store is not None else p.example
            if value is None:
                raise QueryError(f"query '{self.name}' needs --param {p.name}=… "
                                 f"({p.kind}, e.g. {p.describe_example()})")
            out[p.name] = term_for(value, p.kind)
        return out


def parse_saved_query(path: Path) -> SavedQuery:
    """Read one .rq file with its headers."""
    text = path.read_text(encoding="utf-8")
    headers: dict[str, list[str]] = {}
    for line in text.splitlines():
        m = re.match(r"^#\+\s*(\w+)\s*:\s*(.*)$", line)
        if m:
            headers.setdefault(m.group(1).lower(), []).append(m.group(2).strip())
    params = []
    for spec in headers.get("param", []):
        parts = spec.split(None, 2)
        if len(parts) < 2:
            raise QueryError(f"{path}: '#+ param: {spec}' needs a name and a kind (iri, string, integer)")
        example = parts[2] if len(parts) > 2 else None
        if example is not None and example.startswith("where {"):
            params.append(Param(parts[0], parts[1], example_pattern=example[len("where "):].strip()))
        else:
            params.append(Param(parts[0], parts[1], example))
    return SavedQuery(
        name=path.stem,
        title=(headers.get("title") or [path.stem])[0],
        description=" ".join(headers.get("description", [])),
        text=text,
        params=params,
        audience=[a.strip() for h in headers.get("audience", []) for a in h.split(",") if a.strip()],
        path=path,
    )


def load_queries(folder: Path | None = None) -> dict[str, SavedQuery]:
    """Load every saved query of a folder, by name."""
    return {p.stem: parse_saved_query(p) for p in sorted(Path(folder or queries_dir()).glob("*.rq"))}
