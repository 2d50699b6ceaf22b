"""The checks' dataset: the quads the checks read, held in memory while a build runs them.

The checks join directives, beliefs, population cells, citations and the vocabulary; they never
read where a statement is written (offsets, W3C Web Annotation anchors), how a mention was found,
or the reasoner's explanations. A build streams every document's quads to its store; it also
feeds them here, without those, into an in-memory Oxigraph store that each check's process
inherits when it is forked (no copy, no second load). Evaluating on memory instead of the
on-disk store is two to five times faster for the cross-document checks (docs/checks.md,
"Scaling"), and leaving out what no check reads keeps the copy near half the store.

What is left out is listed here by IRI, and the classes whose rdf:type triples are kept;
tests/test_checks_scale.py parses every check and fails if one of them names a predicate left
out or finds members of a class not kept, so a check that needs more is noticed before it reads
nothing.
"""
from __future__ import annotations

import time
from pathlib import Path

import pyoxigraph as ox

GG = "https://w3id.org/guidegraph/ontology#"
OA = "http://www.w3.org/ns/oa#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

#: predicates no check reads: where things are written, how mentions were found, the
#: reasoner's explanations, the populations' pairwise reasons, the raw text
UNREAD_PREDICATES = frozenset({
    GG + "start", GG + "end", GG + "rawText", GG + "blockKind", GG + "scopeFrom",
    GG + "inSection", GG + "concept", GG + "role", GG + "actionMention",
    GG + "premise", GG + "premiseOrder", GG + "explanation", GG + "refersTo",
    GG + "comparesCell", GG + "overlapReason",
    "http://www.w3.org/ns/prov#wasQuotedFrom", "http://purl.org/spar/c4o/hasContent",
})
#: every predicate of the W3C Web Annotation vocabulary (the statements' anchors)
UNREAD_NAMESPACES = (OA,)
#: the classes whose members the checks find by type (``?x a gg:Population``); the other rdf:type
#: triples (statements, mentions, anchors, figures, the ontology's own axioms) stay out
READ_TYPES = frozenset({
    "http://www.w3.org/2004/02/skos/core#Concept", GG + "Population", GG + "PopulationCriterion",
    GG + "TimingConstraint", GG + "Directive", GG + "Recommendation", GG + "GuidelineDocument",
    "http://purl.org/spar/c4o/InTextReferencePointer", "http://purl.org/spar/biro/BibliographicReference",
    "http://www.w3.org/ns/shacl#ValidationResult",
})
_READ_TYPE_OBJECTS = tuple(f"<{iri}>" for iri in READ_TYPES)


def unread(iri: str) -> bool:
    """Say whether the checks' dataset leaves out the triples of predicate ``iri``."""
    return iri in UNREAD_PREDICATES or iri.startswith(UNREAD_NAMESPACES)


def _kept(line: str) -> bool:
    # an N-Quads line as guidegraph writes it: subject (an IRI or a blank node, neither holds a
    # space), one space, the predicate's IRI, one space, the object, the graph
    start = line.find(" <") + 2
    end = line.find("> ", start)
    predicate = line[start:end]
    if predicate == RDF_TYPE:
        return line.startswith(_READ_TYPE_OBJECTS, end + 2)
    return predicate not in UNREAD_PREDICATES and not predicate.startswith(UNREAD_NAMESPACES)


class CheckDataset:
    """An in-memory store fed with N-Quads text, keeping the quads the checks read."""

    def __init__(self) -> None:
        self.store = ox.Store()
        self.quads = 0
        self.seconds = 0.0  # spent filtering and loading, for the build's report and bench/

    def add(self, nquads: str) -> None:
        """Add the quads of ``nquads`` (lines as guidegraph writes them) that a check can read."""
        started = time.perf_counter()
        kept = [line for line in nquads.splitlines(keepends=True) if line.strip() and _kept(line)]
        if kept:
            self.store.bulk_load("".join(kept).encode("utf-8"), format=ox.RdfFormat.N_QUADS, lenient=True)
            self.quads += len(kept)
        self.seconds += time.perf_counter() - started

    def add_file(self, path: str | Path, chunk_lines: int = 200_000) -> None:
        """Add the quads of an N-Quads file, a chunk of lines at a time."""
        with open(path, encoding="utf-8") as lines:
            chunk: list[str] = []
            for line in lines:
                chunk.append(line)
                if len(chunk) >= chunk_lines:
                    self.add("".join(chunk))
                    chunk.clear()
            if chunk:
                self.add("".join(chunk))
