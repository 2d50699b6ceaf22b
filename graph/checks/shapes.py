"""Validate graphs against the contract's SHACL shapes (ontology/shapes.ttl) with pySHACL.

``validate(graph)`` never changes its input; it returns whether the graph conforms, the
pySHACL report graph and its text. The build validates each document graph (in the worker
that built it) and stores every report in the validation named graph.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pyshacl import validate as pyshacl_validate
from rdflib import Graph
from rdflib.namespace import RDF

from guidegraph.namespaces import SH
from guidegraph.paths import ontology_file


@dataclass
class Validation:
    """A SHACL validation outcome."""

    conforms: bool
    report: Graph
    text: str
    results: int


@lru_cache(maxsize=1)
def shapes() -> Graph:
    """Return the shapes graph."""
    return Graph().parse(ontology_file("shapes.ttl"), format="turtle")


def violated_shapes(report: Graph) -> set[str]:
    """Return the node shapes (by IRI) behind the results of a report, property shapes included."""
    g = shapes()
    out = set()
    for source in report.objects(None, SH.sourceShape):
        owner = g.value(None, SH.property, source)
        out.add(str(owner if owner is not None else source))
    return out


def validate(graph: Graph) -> Validation:
    """Validate ``graph`` against the shapes; the input is left as it was."""
    conforms, report, text = pyshacl_validate(graph, shacl_graph=shapes(), inference="none", advanced=True,
                                              allow_warnings=True)
    results = len(list(report.subjects(RDF.type, SH.ValidationResult)))
    return Validation(bool(conforms), report, text, results)
