"""Write RDF terms and quads as N-Triples / N-Quads text, the bulk form a build hands to the store."""
from __future__ import annotations

from collections.abc import Iterator

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r"))


def term_nt(term) -> str:
    """Write one RDF term as N-Triples."""
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        out = f'"{_escape(str(term))}"'
        if term.language:
            return f"{out}@{term.language}"
        if term.datatype and term.datatype != XSD.string:
            return f"{out}^^<{term.datatype}>"
        return out
    return f"<{term}>"


def nquads(triples, graph: URIRef) -> Iterator[str]:
    """Write triples as N-Quad lines in ``graph``."""
    g = f"<{graph}>"
    for s, p, o in triples:
        subject = f"_:{s}" if isinstance(s, BNode) else f"<{s}>"
        yield f"{subject} <{p}> {term_nt(o)} {g} .\n"
