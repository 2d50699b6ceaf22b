"""The SKOS vocabulary: one label per concept, a definition each, and a hierarchy OWL agrees with."""
from __future__ import annotations

from collections import Counter

from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from guidegraph.annotate.vocabulary import load_vocabulary
from guidegraph.paths import ontology_file
VOCABULARY_FILE = ontology_file("vocabulary.ttl")

G = Graph().parse(VOCABULARY_FILE, format="turtle")
CONCEPTS = set(G.subjects(RDF.type, SKOS.Concept))


def test_the_vocabulary_covers_what_the_documents_talk_about():
    labels = {str(o).lower() for c in CONCEPTS for o in G.objects(c, SKOS.prefLabel)}
    for needed in ("zoledronic acid", "denosumab", "radium-223", "strontium-89", "samarium-153", "trastuzumab",
                   "external beam radiation therapy", "stereotactic body radiation therapy", "kyphoplasty",
                   "osteonecrosis of the jaw", "spinal instability neoplastic score", "mirels' score",
                   "skeletal-related event", "esophageal squamous cell carcinoma", "castration-resistant prostate cancer"):
        assert needed in labels
    assert len(CONCEPTS) >= 140


def test_no_two_concepts_share_a_label():
    labels = Counter(str(o).lower() for c in CONCEPTS for p in (SKOS.prefLabel, SKOS.altLabel) for o in G.objects(c, p))
    assert [label for label, n in labels.items() if n > 1] == []


def test_every_concept_has_one_definition_and_is_an_owl_class():
    for c in CONCEPTS:
        assert len(list(G.objects(c, SKOS.definition))) == 1, c
        assert (c, RDF.type, OWL.Class) in G, c


def test_skos_broader_and_rdfs_subclassof_say_the_same():
    broader = {(s, o) for s, o in G.subject_objects(SKOS.broader)}
    sub = {(s, o) for s, o in G.subject_objects(RDFS.subClassOf)}
    assert broader == sub


def test_the_hierarchy_places_drugs_under_their_classes():
    v = load_vocabulary()
    ggv = "https://w3id.org/guidegraph/vocabulary#"
    chain = [str(c)[len(ggv):] for c in v.chain(next(c for c in CONCEPTS if str(c).endswith("ZoledronicAcid")),
                                                  next(c for c in CONCEPTS if str(c).endswith("#Intervention")))]
    assert chain == ["ZoledronicAcid", "Bisphosphonate", "BoneModifyingAgent", "DrugTherapy", "Intervention"]
    assert [str(c)[len(ggv):] for c in v.ancestors(next(c for c in CONCEPTS if str(c).endswith("Denosumab")))] == [
        "RANKLInhibitor", "BoneModifyingAgent", "DrugTherapy", "Intervention"]
