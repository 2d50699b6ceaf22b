"""The syntaxes guidegraph reads and writes: RDF graphs and datasets, and SPARQL query results.

One table for the store's loader, the query runner, the endpoint's content negotiation and
``guidegraph export``.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class RdfSyntax:
    """One RDF syntax: its name on the command line and in ``format=``, media type and file suffixes."""

    name: str
    media_type: str
    oxigraph: ox.RdfFormat
    suffixes: tuple[str, ...]
    quads: bool  # carries named graphs
    aliases: tuple[str, ...] = ()


RDF_SYNTAXES: dict[str, RdfSyntax] = {s.name: s for s in (
    RdfSyntax("turtle", "text/turtle", ox.RdfFormat.TURTLE, (".ttl", ".turtle"), False, ("ttl",)),
    RdfSyntax("ntriples", "application/n-triples", ox.RdfFormat.N_TRIPLES, (".nt", ".ntriples"), False, ("nt",)),
    RdfSyntax("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD, (".jsonld", ".json"), True, ("json-ld",)),
    RdfSyntax("xml", "application/rdf+xml", ox.RdfFormat.RDF_XML, (".rdf", ".owl", ".xml"), False,
              ("rdfxml", "rdf+xml")),
    RdfSyntax("trig", "application/trig", ox.RdfFormat.TRIG, (".trig",), True),
    RdfSyntax("nquads", "application/n-quads", ox.RdfFormat.N_QUADS, (".nq", ".nquads"), True, ("nq",)),
)}
# what a CONSTRUCT or DESCRIBE result may come as, by name
GRAPH_FORMATS: dict[str, str] = {s.name: s.media_type for s in RDF_SYNTAXES.values()}
# what a SELECT or ASK result may come as, by name
RESULT_FORMATS: dict[str, str] = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                                  "csv": "text/csv", "tsv": "text/tab-separated-values"}


def rdf_syntax(name: str) -> RdfSyntax | None:
    """Return the RDF syntax called ``name`` (or one of its aliases), or None."""
    name = name.lower()
    return RDF_SYNTAXES.get(name) or next((s for s in RDF_SYNTAXES.values() if name in s.aliases), None)


def rdf_syntax_of_file(suffix: str) -> RdfSyntax | None:
    """Return the RDF syntax a file suffix (``.ttl``) names, or None."""
    return next((s for s in RDF_SYNTAXES.values() if suffix.lower() in s.suffixes), None)
