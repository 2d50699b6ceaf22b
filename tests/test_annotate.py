"""Annotation of the corpus: mentions against a hand-reviewed gold, modality against hand labels,
every dose schedule, population criteria and pathways."""
from __future__ import annotations

import pytest

from guidegraph.annotate.modality import modality
from guidegraph.annotate.statements import annotate, find_mentions
from guidegraph.annotate.vocabulary import load_vocabulary
from guidegraph.ingest.document import ingest_text

from .conftest import DATA

GGV = "https://w3id.org/guidegraph/vocabulary#"
BREAST = "oracle-breast-cancer-bone-metastasis"


@pytest.fixture(scope="session")
def vocab():
    return load_vocabulary()


@pytest.fixture(scope="session")
def annotations(corpus_docs, vocab):
    return {slug: annotate(doc, vocab) for slug, doc in corpus_docs.items()}


def _tsv(name):
    return [line.split("\t") for line in (DATA / name).read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]


def test_mentions_of_the_hand_reviewed_document_reach_095_precision_and_recall(corpus_docs, annotations):
    gold = {(int(s), int(e), GGV + c) for s, e, _, c in _tsv("mentions-breast-gold.tsv")}
    found = {(m.start, m.end, str(m.concept)) for m in annotations[BREAST].mentions}
    true = len(gold & found)
    precision, recall = true / len(found), true / len(gold)
    assert len(gold) == 111
    assert precision >= 0.95 and recall >= 0.95, (precision, recall, sorted(gold - found), sorted(found - gold))


def test_gold_mentions_quote_the_raw_text(corpus_docs):
    raw = corpus_docs[BREAST].raw
    for start, end, words, _ in _tsv("mentions-breast-gold.tsv"):
        assert raw[int(start):int(end)] == words


def _modality_accuracy(corpus_docs, annotations, name):
    rows = _tsv(name)
    right = 0
    for slug, start, label in rows:
        doc = corpus_docs[slug]
        i = next(k for k, s in enumerate(doc.statements) if s.start == int(start))
        right += annotations[slug].modality[i] == label
    return right, len(rows)


def test_modality_matches_hand_labels_on_92_statements(corpus_docs, annotations):
    right, total = _modality_accuracy(corpus_docs, annotations, "modality-gold.tsv")
    assert total == 92 and right / total >= 0.9, right


def test_modality_on_a_held_out_document_labelled_before_the_classifier_ran(corpus_docs, annotations):
    right, total = _modality_accuracy(corpus_docs, annotations, "modality-heldout.tsv")
    assert total == 36 and right / total >= 0.9, right


@pytest.mark.parametrize("text,expected", [
    ("Zoledronic acid 4 mg IV every 3-4 weeks is FDA-approved and recommended", "recommend"),
    ("Expandable metal stents are preferred over plastic stents", "prefer"),
    ("HER2 testing is mandatory before starting chemotherapy", "require"),
    ("Palliative chemoradiotherapy can be considered for selected patients", "consider"),
    ("Do not use high-dose radiotherapy (>60 Gy) in patients with T4b disease", "avoid"),
    ("Contraindications of bone-targeted radiopharmaceutical therapy include pregnancy", "contraindicated"),
    ("Do not withhold BMAs until symptoms develop", "require"),
    ("Osteonecrosis of the jaw is a rare but serious complication", "inform"),
])
def test_modality_reads_the_wording(text, expected):
    assert modality(text) == expected


def test_synonyms_plurals_hyphens_and_case_find_the_same_concept(vocab):
    text = "Zoledronate, zoledronic acid, Bisphosphonates and bone modifying agents; bone-modifying agents."
    found = [(text[m.start:m.end], str(m.concept)[len(GGV):]) for m in find_mentions(text, 0, len(text), 0, vocab)]
    assert found == [("Zoledronate", "ZoledronicAcid"), ("zoledronic acid", "ZoledronicAcid"),
                     ("Bisphosphonates", "Bisphosphonate"), ("bone modifying agents", "BoneModifyingAgent"),
                     ("bone-modifying agents", "BoneModifyingAgent")]


def test_abbreviations_match_only_in_capitals(vocab):
    text = "Watch for ONJ. Onj is not an abbreviation here, nor is sre."
    found = [text[m.start:m.end] for m in find_mentions(text, 0, len(text), 0, vocab)]
    assert found == ["ONJ"]


def test_abbreviations_defined_in_the_text_are_learnt():
    doc = ingest_text("Title\n\nPatients get bone-modifying agents (BMAz) early.\n\nGive BMAz with calcium.\n", "t.txt")
    ann = annotate(doc, load_vocabulary())
    assert {k: str(v) for k, v in ann.abbreviations.items()} == {"BMAz": GGV + "BoneModifyingAgent"}
    second = [m for m in ann.mentions if m.statement == 1]
    assert [doc.raw[m.start:m.end] for m in second][0] == "BMAz"
    assert str(second[0].concept) == GGV + "BoneModifyingAgent"


def test_a_label_is_not_read_across_a_comma(vocab):
    text = "When cancer has spread to the bones, radiation can help; bone radiation helps too."
    found = [(text[m.start:m.end], str(m.concept)[len(GGV):]) for m in find_mentions(text, 0, len(text), 0, vocab)]
    assert ("radiation", "RadiationTherapy") in found and ("bone radiation", "RadiationTherapy") in found
    assert not any("," in words for words, _ in found)


def test_a_specialty_is_not_a_treatment(vocab):
    text = "Teams include radiation oncology and orthopedic surgery specialists."
    assert find_mentions(text, 0, len(text), 0, vocab) == []


# every dose schedule of the corpus: (document, statement start, as written, drug, value, unit, route,
# frequency, interval days min, max, infusion minutes, fractions, comparator)
SCHEDULES = {
    ("acs-treating-bone-metastases", 9300, "1 or 2 large doses", "RadiationTherapy",
     None, None, None, None, None, None, None, "1-2", None),
    ("acs-treating-bone-metastases", 9300, "5 to 10 treatments", "RadiationTherapy",
     None, None, None, None, None, None, None, "5-10", None),
    (BREAST, 1054, "120 mg subcutaneously every 4 weeks", "Denosumab",
     120.0, "mg", "subcutaneous", "every 4 weeks", 28, 28, None, None, None),
    (BREAST, 1277, "4 mg IV can be de-escalated to every 12 weeks", "ZoledronicAcid",
     4.0, "mg", "IV", "every 12 weeks", 84, 84, None, None, None),
    (BREAST, 1277, "4 mg IV can be de-escalated to every 12 weeks after 3-6 months of monthly", "ZoledronicAcid",
     4.0, "mg", "IV", "monthly", 30, 30, None, None, None),
    (BREAST, 2897, "8 Gy", "SingleFractionRadiotherapy", 8.0, "Gy", None, None, None, None, None, "1", None),
    (BREAST, 5416, "8 Gy", "SingleFractionRadiotherapy", 8.0, "Gy", None, None, None, None, None, "1", None),
    ("oracle-esophageal-cancer-bone-metastases", 1801, "4 mg IV every 3-4 weeks", "ZoledronicAcid",
     4.0, "mg", "IV", "every 3-4 weeks", 21, 28, None, None, None),
    ("oracle-esophageal-cancer-bone-metastases", 1982, "over no less than 15 minutes", "ZoledronicAcid",
     None, None, None, None, None, None, 15.0, None, None),
    ("oracle-esophageal-cancer-bone-metastases", 2313, "every 3 months", "Strontium89",
     None, None, None, "every 3 months", 90, 90, None, None, None),
    ("oracle-esophageal-cancer-bone-metastases", 3222, "50-60 Gy", "Chemoradiotherapy",
     50.0, "Gy", None, None, None, None, None, None, None),
    ("oracle-esophageal-cancer-bone-metastases", 3986, "4 mg IV every 3-4 weeks", "ZoledronicAcid",
     4.0, "mg", "IV", "every 3-4 weeks", 21, 28, None, None, None),
    ("oracle-esophageal-cancer-bone-metastases", 4995, ">60 Gy", "RadiationTherapy",
     60.0, "Gy", None, None, None, None, None, None, ">"),
    ("oracle-osteoblastic-metastases", 2181, "8 Gy", "SingleFractionRadiotherapy",
     8.0, "Gy", None, None, None, None, None, "1", None),
    ("oracle-osteoblastic-metastases", 2899, "4 mg IV infusion over at least 15 minutes", "ZoledronicAcid",
     4.0, "mg", "IV", None, None, None, 15.0, None, None),
}


def test_every_dose_schedule_of_the_corpus_with_its_normalised_interval(corpus_docs, annotations):
    found = set()
    for slug, ann in annotations.items():
        doc = corpus_docs[slug]
        for i, schedules in ann.schedules.items():
            for s in schedules:
                assert doc.raw[s.start:s.end] == s.as_written
                found.add((slug, doc.statements[i].start, s.as_written, str(s.drug)[len(GGV):], s.value, s.unit,
                           s.route, s.frequency, s.interval_min, s.interval_max, s.infusion_minutes, s.fractions,
                           s.comparator))
    assert found == SCHEDULES


def test_population_criteria_with_bounds(corpus_docs, annotations):
    def crit(slug):
        ann = annotations[slug]
        out = {(str(c.concept)[len(GGV):], c.comparator, c.min_value, c.max_value, c.as_written)
               for cs in list(ann.population.values()) + list(ann.section_criteria.values()) for c in cs}
        for c in (c for cs in ann.population.values() for c in cs):
            assert corpus_docs[slug].raw[c.start:c.end] == c.as_written
        return out

    eso = crit("oracle-esophageal-cancer-bone-metastases")
    assert ("PerformanceStatus", "range", 0.0, 2.0, "ECOG 0-2") in eso
    assert ("PerformanceStatus", "range", 3.0, 4.0, "ECOG 3-4") in eso
    # a value of a banded measure is a criterion on its band: below 60 mL/min is renal impairment
    assert ("RenalImpairment", "<", None, 60.0, "creatinine clearance <60 mL/min") in eso
    assert ("T4bDisease", "is not", None, None, "T4b") in eso
    osteo = crit("oracle-osteoblastic-metastases")
    assert {("SINSStable", "≤", None, 6.0, "(≤6)"), ("SINSPotentiallyUnstable", "range", 7.0, 12.0, "(7-12)"),
            ("SINSUnstable", "≥", 13.0, None, "(≥13)"), ("SINSUnstable", "≥", 13.0, None, "SINS score ≥13"),
            ("MirelsScore", "≥", 9.0, None, "scores ≥9")} <= osteo
    breast = crit(BREAST)
    assert ("OligometastaticDisease", "≤", None, 5.0, "≤5 lesions") in breast
    assert ("Age", "<", None, 55.0, "age <55 years") in breast
    assert ("Postmenopausal", "is", None, None, "postmenopausal") in breast
    icliniq = crit("icliniq-bone-metastasis-therapeutic-approaches")
    assert ("LifeExpectancy", ">", 3.0, None, "life expectancy of more than three months") in icliniq


def test_numbered_steps_and_subtype_sections_become_pathways(corpus_docs, annotations):
    eso = annotations["oracle-esophageal-cancer-bone-metastases"].pathways
    doc = corpus_docs["oracle-esophageal-cancer-bone-metastases"]
    assert [(p.label, p.kind, [doc.statements[i].step_number for i in p.steps]) for p in eso] == [
        ("Good performance status (ECOG 0-2)", "numbered steps", [1, 2, 3, 4]),
        ("Poor performance status (ECOG 3-4)", "numbered steps", [1, 2, 3, 4]),
    ]
    assert [(c.min_value, c.max_value) for c in eso[0].conditions] == [(0.0, 2.0)]
    breast = {p.label: p for p in annotations[BREAST].pathways}
    her2 = breast["HER2-Positive Disease"]
    assert her2.kind == "subtype section"
    assert [str(c.concept)[len(GGV):] for c in her2.conditions] == ["HER2PositiveBreastCancer"]
    assert corpus_docs[BREAST].statements[her2.steps[0]].text.startswith("Trastuzumab-based therapy")
    # the contraindication lists of the Q&A page are numbered but are not a treatment pathway
    assert annotations["icliniq-bone-metastasis-therapeutic-approaches"].pathways == []


def test_a_ruled_out_drug_is_not_what_a_recommendation_is_about(corpus_docs, annotations, vocab):
    doc = corpus_docs["icliniq-bone-metastasis-therapeutic-approaches"]
    i = next(k for k, s in enumerate(doc.statements) if "no chemotherapy or bisphosphonate" in s.text)
    assert annotations[doc.slug].modality[i] == "recommend"
    about = {str(c)[len(GGV):] for c in annotations[doc.slug].interventions[i]}
    assert "Radiopharmaceutical" in about and "Bisphosphonate" not in about and "Chemotherapy" not in about


# a vocabulary of another field, made up for the test: every criterion, root and phrase below is data,
# so that annotation finds what this file says and nothing of the shipped vocabulary
CARDIOLOGY = """
@prefix gg:   <https://w3id.org/guidegraph/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex:   <https://example.org/cardiology#> .

gg:vocabulary a skos:ConceptScheme ;
    gg:interventionRoot ex:Treatment ; gg:scopeRoot ex:Disease ; gg:situationRoot ex:Disease ;
    gg:drugRoot ex:Drug ; gg:radiationRoot ex:Radiation ;
    gg:notAConcept "aspirin clinic"@en .
ex:Treatment a skos:Concept ; skos:prefLabel "treatment"@en .
ex:Drug a skos:Concept ; skos:broader ex:Treatment ; skos:prefLabel "drug"@en .
ex:Aspirin a skos:Concept ; skos:broader ex:Drug ; skos:prefLabel "aspirin"@en .
ex:Radiation a skos:Concept ; skos:broader ex:Treatment ; skos:prefLabel "radiation"@en .
ex:Disease a skos:Concept ; skos:prefLabel "disease"@en .
ex:HeartFailure a skos:Concept ; skos:broader ex:Disease ; skos:prefLabel "heart failure"@en .
ex:Smoker a skos:Concept ; skos:prefLabel "smoker"@en ; gg:criterionKind gg:CategoricalCriterion .
ex:BleedingScore a skos:Concept ; skos:prefLabel "bleeding score"@en ;
    gg:criterionKind gg:NumericCriterion ; gg:scaleMin 0.0 ; gg:scaleMax 9.0 ; gg:scaleUnit "points" .
ex:LowBleedingRisk a skos:Concept ; skos:broader ex:BleedingScore ; skos:prefLabel "low bleeding risk"@en ;
    gg:bandOf ex:BleedingScore ; gg:scaleMin 0.0 ; gg:scaleMax 2.0 .
ex:HighBleedingRisk a skos:Concept ; skos:broader ex:BleedingScore ; skos:prefLabel "high bleeding risk"@en ;
    gg:bandOf ex:BleedingScore ; gg:scaleMin 3.0 ; gg:scaleMax 9.0 .
ex:MultivesselDisease a skos:Concept ; skos:broader ex:Disease ; skos:prefLabel "multivessel disease"@en ;
    gg:criterionKind gg:CategoricalCriterion ; gg:countNoun "diseased vessel"@en ; gg:scaleUnit "vessels" .
"""
CARDIOLOGY_TEXT = ("Heart failure\n\nFor smokers with a bleeding score ≥3, give aspirin 100 mg daily.\n\n"
                   "Do not give aspirin to non-smokers with ≥2 diseased vessels, whose bleeding score (0-2) is low; "
                   "ask the aspirin clinic.\n")


def _read(doc, vocab):
    ann = annotate(doc, vocab)
    return [([(str(c.concept).rsplit("#", 1)[1], c.comparator, c.min_value, c.max_value, c.unit, c.as_written)
              for c in ann.population.get(i, [])],
             [str(c).rsplit("#", 1)[1] for c in ann.interventions.get(i, [])],
             [(str(s.drug).rsplit("#", 1)[1], s.value, s.interval_min) for s in ann.schedules.get(i, [])])
            for i in range(len(doc.statements))], [str(c).rsplit("#", 1)[1] for c in ann.topics]


def test_criteria_bands_count_nouns_roots_and_phrases_come_from_the_vocabulary_not_from_code(tmp_path, vocab):
    path = tmp_path / "cardiology.ttl"
    path.write_text(CARDIOLOGY, encoding="utf-8")
    doc = ingest_text(CARDIOLOGY_TEXT, "cardiology.txt")
    statements, topics = _read(doc, load_vocabulary(path))
    assert topics == ["HeartFailure"]
    assert statements == [
        ([("HighBleedingRisk", "≥", 3.0, None, "points", "bleeding score ≥3"),
          ("Smoker", "is", None, None, None, "smokers")],
         ["Aspirin"], [("Aspirin", 100.0, 1)]),
        # "aspirin clinic" names no drug, so the second statement is about the first "aspirin" only
        ([("MultivesselDisease", "≥", 2.0, None, "vessels", "≥2 diseased vessels"),
          ("LowBleedingRisk", "range", 0.0, 2.0, "points", "(0-2)"), ("Smoker", "is not", None, None, None, "smokers")],
         ["Aspirin"], []),
    ]
    # the same words mean nothing to the shipped vocabulary: no table in the code reads them
    assert _read(doc, vocab) == ([([], [], []), ([], [], [])], [])


@pytest.mark.parametrize("text", ["ECOG 7-8 patients", "a SINS score ≥20", "with a Mirels' score of 2 (<3)"])
def test_a_value_outside_its_scale_is_not_a_criterion(vocab, text):
    doc = ingest_text(f"Title\n\nTreat {text} with surgery.\n", "t.txt")
    assert annotate(doc, vocab).population == {}
