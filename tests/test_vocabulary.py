"""The SKOS vocabulary: one label per concept, a definition each, a hierarchy OWL agrees with, and
the population criteria and roots that annotation reads from it instead of from code."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

import guidegraph.annotate
from guidegraph.annotate.vocabulary import Band, Scale, VocabularyError, load_vocabulary
from guidegraph.namespaces import GG, GGV
from guidegraph.paths import ontology_file

VOCABULARY_FILE = ontology_file("vocabulary.ttl")

G = Graph().parse(VOCABULARY_FILE, format="turtle")
CONCEPTS = set(G.subjects(RDF.type, SKOS.Concept))


def test_the_vocabulary_covers_what_the_documents_talk_about():
    labels = {str(o).lower() for c in CONCEPTS for o in G.objects(c, SKOS.prefLabel)}
    for needed in ("zoledronic acid", "denosumab", "radium-223", "strontium-89", "samarium-153", "trastuzumab",
                   "external beam radiation therapy", "stereotactic body radiation therapy", "kyphoplasty",
                   "osteonecrosis of the jaw", "spinal instability neoplastic score", "mirels' score",
                   "skeletal-related event", "esophageal squamous cell carcinoma",
                   "castration-resistant prostate cancer"):
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
    assert chain == ["ZoledronicAcid", "Bisphosphonate", "BoneModifyingAgent", "BoneTargetedTherapy", "DrugTherapy",
                     "Intervention"]
    assert [str(c)[len(ggv):] for c in v.ancestors(next(c for c in CONCEPTS if str(c).endswith("Denosumab")))] == [
        "RANKLInhibitor", "BoneModifyingAgent", "BoneTargetedTherapy", "DrugTherapy", "Intervention"]


def test_no_module_of_annotation_names_a_concept_of_the_vocabulary():
    names = {str(c)[len(str(GGV)):] for c in CONCEPTS}
    sources = sorted(Path(guidegraph.annotate.__file__).parent.glob("*.py"))
    assert len(sources) >= 7
    found = []
    for source in sources:
        text = source.read_text(encoding="utf-8")
        found += [(source.name, "the vocabulary namespace")] if str(GGV) in text else []
        found += [(source.name, name) for name in sorted(names)
                  if re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", text)]
    assert found == []


def test_the_concepts_that_select_patients_are_read_from_the_vocabulary():
    v = load_vocabulary()
    assert {str(c)[len(str(GGV)):] for c in v.categorical} == {
        "HRPositiveHER2NegativeBreastCancer", "HER2PositiveBreastCancer", "TripleNegativeBreastCancer",
        "EsophagealAdenocarcinoma", "EsophagealSquamousCellCarcinoma", "CastrationResistantProstateCancer",
        "Postmenopausal", "Premenopausal", "T4bDisease", "RenalImpairment", "OligometastaticDisease",
        "SpinalCordCompression", "Pregnancy", "HER2Positive", "HormoneReceptorPositive", "AdequateRenalFunction"}
    assert {str(c)[len(str(GGV)):]: tuple(v.scale(c)) for c in v.numeric} == {
        "PerformanceStatus": (0, 5), "SINS": (0, 18), "MirelsScore": (4, 12), "CreatinineClearance": (0, 300),
        "Age": (0, None), "LifeExpectancy": (0, None)}
    assert v.bands_of(GGV.SINS) == [Band(GGV.SINSStable, 0, 6), Band(GGV.SINSPotentiallyUnstable, 7, 12),
                                    Band(GGV.SINSUnstable, 13, 18)]
    # kidney function read from creatinine clearance: below 60 mL/min renal impairment, from 60 adequate
    assert v.bands_of(GGV.CreatinineClearance) == [Band(GGV.RenalImpairment, 0, 59.9),
                                                   Band(GGV.AdequateRenalFunction, 60, 300)]
    assert v.bands_of(GGV.MirelsScore) == [] and v.scale(GGV.Denosumab) == Scale(None, None)
    assert (v.unit(GGV.SINS), v.unit(GGV.PerformanceStatus)) == ("points", None)
    assert set(v.not_concepts) == {"radiation oncology", "radiation oncologist", "medical oncology",
                                   "orthopedic surgeon", "orthopedic surgery", "nuclear medicine"}
    assert v.roots == {"intervention": GGV.Intervention, "scope": GGV.Cancer, "situation": GGV.Condition,
                       "drug": GGV.DrugTherapy, "radiation": GGV.RadiationTherapy,
                       "assessment": GGV.Assessment, "adverse event": GGV.AdverseEvent, "outcome": GGV.Outcome,
                       "symptom": GGV.Symptom}


def test_the_criteria_terms_are_typed_as_the_ontology_declares_them():
    kinds = set(G.objects(None, GG.criterionKind))
    assert kinds == {GG.NumericCriterion, GG.CategoricalCriterion}
    for prop in (GG.scaleMin, GG.scaleMax):
        assert {o.datatype for o in G.objects(None, prop)} == {URIRef("http://www.w3.org/2001/XMLSchema#decimal")}
    # every band lies inside its score's scale, and the bands of a score do not overlap
    v = load_vocabulary()
    for score in v.numeric:
        bands = v.bands_of(score)
        low, high = v.scale(score)
        assert all(low <= b.min <= b.max <= high for b in bands), score
        assert all(a.max < b.min for a, b in zip(bands, bands[1:], strict=False)), score


def test_every_term_the_vocabulary_uses_is_an_annotation_property_of_the_ontology():
    ontology = Graph().parse(ontology_file("guidegraph.ttl"), format="turtle")
    used = {p for p in G.predicates() if str(p).startswith(str(GG))}
    assert used >= {GG.criterionKind, GG.scaleMin, GG.scaleMax, GG.bandOf, GG.notAConcept, GG.scopeRoot}
    for p in used:
        assert (p, RDF.type, OWL.AnnotationProperty) in ontology, p
        assert ontology.value(p, RDFS.label) and ontology.value(p, RDFS.comment), p
    for value in (GG.NumericCriterion, GG.CategoricalCriterion):
        assert ontology.value(value, RDFS.label) and ontology.value(value, RDFS.comment), value


@pytest.mark.parametrize("change,message", [
    (lambda t: t.replace("gg:scopeRoot ggv:Cancer ;", ""), "gg:scopeRoot"),
    (lambda t: t + "\nggv:SINSStable gg:scaleMax 7.0 .\n", "give one number"),
    (lambda t: t + "\nggv:Age gg:scaleMax \"old\" .\n", "give one number"),
    (lambda t: t + "\nggv:Dysphagia gg:bandOf ggv:SINS .\n", "band"),
    (lambda t: t + "\nggv:Dysphagia gg:criterionKind gg:Numeric .\n", "gg:criterionKind"),
])
def test_a_vocabulary_that_misstates_what_annotation_reads_is_refused_with_the_fix(tmp_path, change, message):
    broken = tmp_path / "vocabulary.ttl"
    broken.write_text(change(VOCABULARY_FILE.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(VocabularyError, match=message) as error:
        load_vocabulary(broken)
    assert str(broken) in str(error.value)


def test_a_test_or_score_sits_under_a_kind_of_assessment_as_a_drug_sits_under_a_kind_of_intervention():
    # the children of a top concept are kinds (drug therapy, laboratory test), too general to agree on; a test
    # that a guideline directs is one level below, as specific as a drug class
    kinds = {str(c)[len(str(GGV)):] for c in G.subjects(SKOS.broader, GGV.Assessment)}
    assert kinds == {"LaboratoryTest", "ClinicalScore", "ClinicalExamination", "Imaging"}
    for test, kind in (("CreatinineClearance", "LaboratoryTest"), ("DentalEvaluation", "ClinicalExamination"),
                       ("SINS", "ClinicalScore")):
        assert (GGV[test], SKOS.broader, GGV[kind]) in G
    assert "osteoclast inhibitor" in {str(o) for o in G.objects(GGV.BoneModifyingAgent, SKOS.altLabel)}
    assert "dental check-up" in {str(o) for o in G.objects(GGV.DentalEvaluation, SKOS.altLabel)}
