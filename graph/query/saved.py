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
from guidegraph.paths import queries_dir
from guidegraph.query.sparql import term_for


@dataclass
class Param:
    """A parameter of a saved query: the variable it binds, its kind and an example value."""

    name: str
    kind: str
    example: str | None = None


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

    def bindings(self, values: dict[str, str], use_examples: bool = False) -> dict:
        """Turn parameter values (strings) into RDF terms; every parameter needs a value."""
        known = {p.name for p in self.params}
        unknown = set(values) - known
        if unknown:
            raise QueryError(f"query '{self.name}' has no parameter {', '.join(sorted(unknown))}"
                             f" (its parameters: {', '.join(sorted(known)) or 'none'})")
        out = {}
        for p in self.params:
            value = values.get(p.name, p.example if use_examples else None)
            if value is None:
                raise QueryError(f"query '{self.name}' needs --param {p.name}=… ({p.kind}, e.g. {p.example})")
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
        params.append(Param(parts[0], parts[1], parts[2] if len(parts) > 2 else None))
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
