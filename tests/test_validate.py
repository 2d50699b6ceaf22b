"""The SHACL shapes: the corpus conforms, and each shape catches the break it is there for."""
from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from guidegraph.annotate.statements import annotate
from guidegraph.annotate.vocabulary import load_vocabulary
from guidegraph.checks.shapes import validate, violated_shapes
from guidegraph.namespaces import C4O, GG, OA, SCHEMA, SH
from guidegraph.rdf.triples import document_graph

SHAPES = "https://w3id.org/guidegraph/shapes#"


@pytest.fixture(scope="module")
def breast_graph(corpus_docs):
    doc = corpus_docs["oracle-breast-cancer-bone-metastasis"]
    return document_graph(doc, annotate(doc, load_vocabulary()))


def _first(g, cls):
    return sorted(g.subjects(RDF.type, cls))[0]


def _break_document(g):
    d = _first(g, GG.GuidelineDocument)
    g.add((d, DCTERMS.modified, Literal("last Tuesday")))


def _break_section(g):
    g.remove((_first(g, GG.Section), GG.heading, None))


def _break_statement(g):
    g.add((_first(g, GG.Statement), GG.modality, URIRef("https://example.org/maybe")))


def _break_offsets(g):
    st = _first(g, GG.Statement)
    g.set((st, GG.end, Literal(0, datatype=XSD.integer)))


def _break_anchor(g):
    quote = next(q for q in g.subjects(RDF.type, OA.TextQuoteSelector))
    g.set((quote, OA.exact, Literal("words the document never says")))


def _break_marker(g):
    g.remove((_first(g, C4O.InTextReferencePointer), GG.number, None))


def _break_reference(g):
    g.set((_first(g, URIRef("http://purl.org/spar/biro/BibliographicReference")), C4O.hasContent, Literal("")))


def _break_dose(g):
    dose = _first(g, SCHEMA.DoseSchedule)
    for p in (SCHEMA.doseValue, GG.intervalDaysMin, GG.fractions, GG.infusionMinutes):
        g.remove((dose, p, None))


def _break_mention(g):
    g.remove((_first(g, GG.Mention), GG.concept, None))


def _break_directive(g):
    g.remove((_first(g, GG.Directive), GG.action, None))


def _break_belief(g):
    g.remove((_first(g, GG.Belief), GG.action, None))


def _break_step(g):
    g.remove((_first(g, GG.PathwayStep), GG.statement, None))


BREAKS = {
    "DocumentShape": _break_document, "SectionShape": _break_section, "StatementShape": _break_statement,
    "OffsetShape": _break_offsets, "AnchorShape": _break_anchor, "MarkerShape": _break_marker,
    "ReferenceShape": _break_reference, "DoseScheduleShape": _break_dose, "MentionShape": _break_mention,
    "PathwayStepShape": _break_step, "DirectiveShape": _break_directive, "BeliefShape": _break_belief,
}


def test_every_document_graph_of_the_corpus_conforms(corpus_docs):
    vocab = load_vocabulary()
    for doc in corpus_docs.values():
        result = validate(document_graph(doc, annotate(doc, vocab)))
        assert result.conforms, (doc.slug, result.text[:2000])


def test_every_shape_has_a_break_here():
    from rdflib import Graph

    from guidegraph.paths import ontology_file
    SHAPES_FILE = ontology_file("shapes.ttl")

    shapes = {str(s)[len(SHAPES):] for s in Graph().parse(SHAPES_FILE).subjects(RDF.type, SH.NodeShape)}
    assert shapes == set(BREAKS)


@pytest.mark.parametrize("shape", sorted(BREAKS))
def test_each_shape_reports_its_break_and_leaves_the_input_alone(breast_graph, shape):
    g = breast_graph.__class__()
    for t in breast_graph:
        g.add(t)
    BREAKS[shape](g)
    before = len(g)
    result = validate(g)
    assert not result.conforms
    assert violated_shapes(result.report) == {SHAPES + shape}, result.text
    assert len(g) == before
