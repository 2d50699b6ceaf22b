"""The checks: exact findings on the corpus, and for each check a small corpus where it must fire
and one where it must not."""
from __future__ import annotations

import csv
import io
import json
from collections import Counter

import pytest

from guidegraph.build import build
from guidegraph.checks.sparql import findings, load_checks
from guidegraph.store.embedded import Store

from .conftest import CORPUS

BREAST = "oracle-breast-cancer-bone-metastasis.txt"

ESO = "oracle-esophageal-cancer-bone-metastases.txt"

OSTEO = "oracle-osteoblastic-metastases.txt"


# -- the default corpus ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def corpus_findings(built_store):
    return findings(built_store)


def _by_check(found):
    return Counter(f.check for f in found)


def test_the_corpus_findings_by_check_were_each_read(corpus_findings):
    # every one of these was read against the documents (docs/checks.md)
    assert _by_check(corpus_findings) == {
        "dangling-citation": 20, "stale-source": 1, "schedule-conflict": 1,
        "bibliography-without-markers": 1, "no-references": 1,
        "repeated-recommendation": 25, "contradiction": 4, "omission": 12, "poor-effect": 1,
        "effect-disagreement": 2, "off-topic-reference": 4, "self-citation": 3, "unsupported-statement": 3,
        "uncited-claim": 3, "safety-conflict": 2, "timing-conflict": 1, "restriction-conflict": 1,
    }
    assert Counter(f.severity for f in corpus_findings) == {"error": 20, "warning": 19, "info": 46}


def test_dangling_markers_per_document_match_the_hand_count(corpus_findings):
    dangling = [f for f in corpus_findings if f.check == "dangling-citation"]
    per_doc = Counter(next(i.source_file for i in f.involves if i.kind == "InTextReferencePointer") for f in dangling)
    assert per_doc == {ESO: 10, BREAST: 2, "oracle-osteoblastic-metastases.txt": 8}
    for f in dangling:
        marker = next(i for i in f.involves if i.kind == "InTextReferencePointer")
        assert marker.quote in {"5", "6", "7"}
        assert f"Citation marker {marker.quote} in " in f.message and "reference list has 4 entries" in f.message


def test_the_one_schedule_conflict_is_zoledronic_acid_12_weeks_against_3_to_4_weeks(corpus_findings):
    (conflict,) = [f for f in corpus_findings if f.check == "schedule-conflict"]
    quotes = {(i.source_file, i.start) for i in conflict.involves}
    assert quotes == {(BREAST, 1277), (ESO, 1801)}
    assert conflict.within_document is False
    assert "zoledronic acid is given every 12 weeks" in conflict.message


def test_the_off_topic_references_are_the_four_titles_about_another_site_or_condition(corpus_findings):
    found = {}
    for f in corpus_findings:
        if f.check == "off-topic-reference":
            reference = next(i for i in f.involves if i.kind == "BibliographicReference")
            found[(reference.source_file, reference.quote.split("\n\n")[1])] = f.message
    assert set(found) == {
        (BREAST, "Management of Hypercalcemia with Elevated PTH in Metastatic Breast Cancer"),
        (ESO, "Treatment of Esophageal Cancer with Metastases to Bronchus or Lung"),
        (OSTEO, "Management of Bone Spurs and Bone Hypertrophy"),
        (OSTEO, "Management of Low Pulmonary Vital Capacity Secondary to Bone Cancer")}
    # the title's own words show what it is about
    assert '"Metastases to Bronchus or Lung" (lung metastasis)' in found[
        (ESO, "Treatment of Esophageal Cancer with Metastases to Bronchus or Lung")]


def test_the_publishers_own_overview_is_a_self_citation_in_each_summary(corpus_findings):
    found = [f for f in corpus_findings if f.check == "self-citation"]
    references = {(i.source_file, i.quote.split("\n\n")[1]) for f in found for i in f.involves
                  if i.kind == "BibliographicReference"}
    assert references == {(BREAST, "Guideline Directed Topic Overview"), (ESO, "Guideline Directed Topic Overview"),
                          (OSTEO, "Guideline Directed Topic Overview")}
    assert all("the document's own publisher" in f.message for f in found)


def test_unsupported_statements_are_one_finding_per_summary_listing_each_statement(corpus_findings):
    found = {f.involves[0].source_file: f for f in corpus_findings if f.check == "unsupported-statement"}
    counts = {file: sum(i.kind == "Statement" for i in f.involves) for file, f in found.items()}
    assert counts == {BREAST: 27, ESO: 23, OSTEO: 32}
    assert found[BREAST].message.startswith("27 statements in ")
    # "Best supportive care is standard" is cited only by 7, which has no entry
    assert any((i.quote or "").startswith("Best supportive care is standard") for i in found[ESO].involves)


def test_uncited_clinical_claims_warn_where_the_document_cites_and_inform_where_it_does_not(corpus_findings):
    found = {f.involves[0].source_file: f for f in corpus_findings if f.check == "uncited-claim"}
    assert {file: f.severity for file, f in found.items()} == {
        BREAST: "warning", "icliniq-bone-metastasis-therapeutic-approaches.txt": "info",
        "acs-treating-bone-metastases.txt": "info"}
    assert "(1 or 2 large doses)" in found["acs-treating-bone-metastases.txt"].message
    (claim,) = [i for i in found[BREAST].involves if i.kind == "Statement"]
    assert claim.quote.startswith("For patients with bone-only metastasis or limited metastatic sites (≤5 lesions)")
    assert "50 to 80 percent" in found["icliniq-bone-metastasis-therapeutic-approaches.txt"].message


def test_bisphosphonates_said_to_work_poorly_for_blastic_metastases_against_the_osteoblastic_summary(corpus_findings):
    (found,) = [f for f in corpus_findings if f.check == "poor-effect"]
    assert {(i.source_file, i.start) for i in found.involves} == {
        ("acs-treating-bone-metastases.txt", 6186), ("oracle-osteoblastic-metastases.txt", 2629),
        ("oracle-osteoblastic-metastases.txt", 2899)}
    # "They" is read as the bisphosphonates of the sentence before; one finding counts both recommendations
    assert found.type == "EffectDisagreement"
    assert "says bisphosphonate works poorly for osteoblastic metastasis" in found.message
    assert "2 statements recommend it there" in found.message


def test_the_stale_source_is_the_2016_page(corpus_findings):
    (f,) = [f for f in corpus_findings if f.check == "stale-source"]
    assert f.involves[0].source_file == "acs-treating-bone-metastases.txt"
    assert "2016-12-16" in f.message


def test_every_involved_piece_quotes_its_document(corpus_findings, corpus_docs):
    raw = {d.source_file: d.raw for d in corpus_docs.values()}
    for f in corpus_findings:
        for i in f.involves:
            if i.start is not None:
                assert raw[i.source_file][i.start:i.end] == i.quote


def test_every_check_is_a_construct_query_with_headers():
    checks = load_checks()
    assert len(checks) == 26
    for c in checks:
        assert c.title and c.description and "CONSTRUCT" in c.text


# -- fixtures: fire and do not fire --------------------------------------------------------------
def page(title: str, body: str, refs: int = 2, updated: str = "March 3, 2025", heading: str = "Treatment") -> str:
    """A small clinical-summary page in the layout of the default corpus."""
    lines = [title, "", f"Last updated: {updated}View editorial policy", "", heading, "", body, ""]
    if refs:
        lines += ["References", ""]
        for r in range(1, refs + 1):
            lines += ["Guideline", "", f"Guideline Number {r} On Bone Metastasis Care", "",
                      f"Some Publisher, {2015 + r}", ""]
    return "\n".join(lines)


def run(tmp_path, pages: dict[str, str]):
    folder = tmp_path / "corpus"
    folder.mkdir(parents=True)
    for name, text in pages.items():
        (folder / name).write_text(text, encoding="utf-8")
    store = Store(tmp_path / "store")
    build([folder], store, reason=False, check_shapes=False)
    return findings(store)


def checks_of(found):
    return {f.check for f in found}


BREAST_T = "What is the treatment of breast cancer with bone metastasis?"
ESO_T = "What is the treatment of esophageal cancer with bone metastasis?"
ANY_T = "How are bone metastases treated?"


def test_dangling_and_unused_references(tmp_path):
    found = run(tmp_path, {"a.txt": page(ANY_T, "Denosumab is recommended for bone metastases. 1, 5", refs=3)})
    assert _by_check(found)["dangling-citation"] == 1
    unused = sorted(f.message.split(" in ")[0] for f in found if f.check == "unused-reference")
    assert unused == ["Reference 2 (Guideline Number 2 On Bone Metastasis Care)",
                      "Reference 3 (Guideline Number 3 On Bone Metastasis Care)"]


def test_all_references_cited_gives_neither(tmp_path):
    found = run(tmp_path, {"a.txt": page(ANY_T, "Denosumab is recommended for bone metastases. 1, 2", refs=2)})
    assert not checks_of(found) & {"dangling-citation", "unused-reference"}


def test_uncited_recommendation_fires_and_a_cited_lead_in_does_not(tmp_path):
    body = ("Zoledronic acid is recommended for bone metastases. 1\n\nDenosumab should be given monthly.\n\n"
            "Monitor renal function through:\n\n  • Serum creatinine before each infusion 2")
    found = run(tmp_path, {"a.txt": page(ANY_T, body)})
    uncited = [f for f in found if f.check == "uncited-recommendation"]
    assert [f.involves[0].quote for f in uncited] == ["Denosumab should be given monthly."]


def test_no_references_and_bibliography_without_markers(tmp_path):
    bibliography = ("Treating Bone Metastases\n\nDenosumab can help when cancer spreads to bone.\n\n"
                    "Smith AB, Jones CD. Denosumab for bone metastases. J Bone Oncol. 2019;3:1-9.\n\n"
                    "Brown EF, White GH. Bisphosphonates in practice. Lancet Oncol. 2018;2:10-19.\n")
    found = run(tmp_path, {"a.txt": page(ANY_T, "Denosumab is recommended for bone metastases.", refs=0),
                           "b.txt": bibliography})
    assert {(f.check, f.involves[0].source_file) for f in found if f.severity == "info"} >= {
        ("no-references", "a.txt"), ("bibliography-without-markers", "b.txt")}
    found = run(tmp_path / "2", {"a.txt": page(ANY_T, "Denosumab is recommended for bone metastases. 1, 2")})
    assert not checks_of(found) & {"no-references", "bibliography-without-markers"}


def test_possibly_misattributed_reference(tmp_path):
    def corpus(statement):
        text = page(BREAST_T, statement, refs=0) + ("\n\nReferences\n\nGuideline\n\nManagement of Hypercalcemia in "
                                                     "Metastatic Breast Cancer\n\nSome Publisher, 2024\n")
        return {"a.txt": text}
    # a condition no citing statement is about: off-topic, reported once
    fired = run(tmp_path, corpus("Tamoxifen is recommended for premenopausal patients. 1"))
    assert "off-topic-reference" in checks_of(fired) and "possibly-misattributed-reference" not in checks_of(fired)
    quiet = run(tmp_path / "2", corpus("Zoledronic acid is recommended for hypercalcemia. 1"))
    assert not checks_of(quiet) & {"possibly-misattributed-reference", "off-topic-reference"}


def test_possibly_misattributed_reference_about_another_intervention(tmp_path):
    text = page(BREAST_T, "Tamoxifen is recommended for premenopausal patients. 1", refs=0) + (
        "\n\nReferences\n\nGuideline\n\nDenosumab Dosing in Breast Cancer\n\nSome Publisher, 2024\n")
    found = run(tmp_path, {"a.txt": text})
    assert "possibly-misattributed-reference" in checks_of(found) and "off-topic-reference" not in checks_of(found)


def _cited_page(body: str, title: str, publisher: str) -> str:
    return (page(ANY_T, body, refs=0) + "\n\nAcme Health assumes no liability for clinical decisions.\n\n"
            f"References\n\nGuideline\n\n{title}\n\n{publisher}, 2024\n")


def test_self_citation_when_the_reference_comes_from_the_documents_publisher(tmp_path):
    fired = run(tmp_path, {"a.txt": _cited_page("Denosumab is recommended for bone metastases. 1",
                                                "Denosumab for Bone Metastases", "Acme Health Editorial Board")})
    assert "self-citation" in checks_of(fired)
    quiet = run(tmp_path / "2", {"a.txt": _cited_page("Denosumab is recommended for bone metastases. 1",
                                                      "Denosumab for Bone Metastases", "Other Press")})
    assert "self-citation" not in checks_of(quiet)


def test_generic_source_and_a_title_the_vocabulary_cannot_read(tmp_path):
    generic = run(tmp_path, {"a.txt": _cited_page("Denosumab is recommended for bone metastases. 1",
                                                  "Clinical Practice Guideline Overview", "Other Press")})
    assert {f.check: f.severity for f in generic if f.check in ("generic-source", "reference-fit-unknown")} == {
        "generic-source": "warning"}
    unread = run(tmp_path / "2", {"a.txt": _cited_page("Denosumab is recommended for bone metastases. 1",
                                                       "Quantum Widgets in Aviation", "Other Press")})
    assert {f.check: f.severity for f in unread if f.check in ("generic-source", "reference-fit-unknown")} == {
        "reference-fit-unknown": "info"}


def test_unsupported_statement_when_every_marker_dangles_or_points_to_a_flagged_reference(tmp_path):
    body = ("Denosumab is recommended for bone metastases. 1, 3\n\nZoledronic acid is an option. 2\n\n"
            "Radiation therapy relieves bone pain. 1, 2")
    text = page(ANY_T, body, refs=0) + ("\n\nAcme Health assumes no liability for clinical decisions.\n\n"
                                        "References\n\nGuideline\n\nTopic Overview\n\nAcme Health Board, 2024\n\n"
                                        "Guideline\n\nZoledronic Acid in Bone Metastases\n\nOther Press, 2023\n")
    found = run(tmp_path, {"a.txt": text})
    (f,) = [f for f in found if f.check == "unsupported-statement"]
    statements = [i.quote for i in f.involves if i.kind == "Statement"]
    assert statements == ["Denosumab is recommended for bone metastases. 1, 3"]


def test_a_reference_cited_for_two_different_cancers_but_not_for_two_kinds_of_one(tmp_path):
    def corpus(first, second):
        body = (f"Denosumab is recommended for {first} with bone metastases. 1\n\n"
                f"Chemotherapy is recommended for {second}. 1")
        return {"a.txt": page(ANY_T, body, refs=1)}
    fired = run(tmp_path, corpus("breast cancer", "esophageal cancer"))
    (f,) = [f for f in fired if f.check == "reference-for-unrelated-claims"]
    assert f.type == "GenericSource" and "cited both for " in f.message
    quiet = run(tmp_path / "2", corpus("esophageal adenocarcinoma", "esophageal squamous cell carcinoma"))
    assert "reference-for-unrelated-claims" not in checks_of(quiet)


def test_uncited_claim_lists_the_figures_of_statements_without_a_marker(tmp_path):
    body = ("Denosumab is recommended for bone metastases. 1\n\nA single 8 Gy fraction relieves pain in 60% of "
            "patients.\n\nPatients should talk to their care team.")
    found = run(tmp_path, {"a.txt": page(ANY_T, body, refs=1)})
    (f,) = [f for f in found if f.check == "uncited-claim"]
    assert f.severity == "warning" and "(8 Gy; 60%)" in f.message
    assert [i.quote for i in f.involves if i.kind == "Statement"] == [
        "A single 8 Gy fraction relieves pain in 60% of patients."]


def test_schedule_conflict_across_documents(tmp_path):
    fired = run(tmp_path, {
        "a.txt": page(ESO_T, "Zoledronic acid 4 mg IV every 3-4 weeks is recommended for patients with bone "
                             "metastases from solid tumors. 1, 2"),
        "b.txt": page(BREAST_T, "Zoledronate 4 mg IV can be de-escalated to every 12 weeks in stable disease. 1, 2"),
    })
    (f,) = [f for f in fired if f.check == "schedule-conflict"]
    assert {i.source_file for i in f.involves} == {"a.txt", "b.txt"} and f.within_document is False


def test_schedule_conflict_not_for_different_cancers_or_the_same_schedule_in_other_words(tmp_path):
    different_cancers = run(tmp_path, {
        "a.txt": page(ESO_T, "Add zoledronic acid 4 mg IV every 3-4 weeks. 1, 2"),
        "b.txt": page(BREAST_T, "Zoledronate 4 mg IV can be de-escalated to every 12 weeks in stable disease. 1, 2"),
    })
    assert "schedule-conflict" not in checks_of(different_cancers)
    same_schedule = run(tmp_path / "2", {
        "a.txt": page(ANY_T, "Zoledronic acid 4 mg IV every 3-4 weeks is recommended. 1, 2"),
        "b.txt": page(ANY_T, "Zoledronic acid 4 mg IV monthly is recommended. 1, 2"),
    })
    assert "schedule-conflict" not in checks_of(same_schedule)


def test_schedule_conflict_inside_one_document_is_marked_as_such(tmp_path):
    body = ("Zoledronic acid 4 mg IV every 4 weeks is recommended. 1\n\n"
            "Zoledronic acid 4 mg IV every 12 weeks is recommended. 2")
    (f,) = [f for f in run(tmp_path, {"a.txt": page(ANY_T, body)}) if f.check == "schedule-conflict"]
    assert f.within_document is True and "inside one document" in f.message


def test_contradiction_fires_for_the_same_patients_and_not_for_an_exception(tmp_path):
    fired = run(tmp_path, {
        "a.txt": page(ANY_T, "Denosumab is recommended for patients with bone metastases. 1, 2"),
        "b.txt": page(ANY_T, "Do not use denosumab in patients with bone metastases. 1, 2"),
    })
    (f,) = [f for f in fired if f.check == "contradiction"]
    assert f.message.startswith("Statements disagree on denosumab: ") and f.severity == "warning"
    assert ('"Do not use denosumab in patients with bone metastases." (b.txt) says to avoid it; '
            '"Denosumab is recommended for patients with bone metastases." (a.txt) recommends it') in f.message
    # avoiding it for a subgroup (a cell within the recommendation's) is a caveat the other leaves out
    exception = run(tmp_path / "2", {
        "a.txt": page(ANY_T, "Denosumab is recommended for patients with bone metastases. 1, 2"),
        "b.txt": page(ANY_T, "Do not use denosumab in postmenopausal patients. 1, 2"),
    })
    assert "contradiction" not in checks_of(exception)
    (caveat,) = [f for f in exception if f.check == "omission"]
    assert caveat.message.startswith("b.txt avoid denosumab in a group of patients; a.txt recommend denosumab for "
                                     "patients including that group and give no caveat")
    assert {i.source_file for i in caveat.involves} == {"a.txt", "b.txt"}


def test_contradiction_of_a_narrower_intervention_and_inside_one_document(tmp_path):
    body = ("Zoledronic acid should be given to patients with bone metastases. 1\n\n"
            "Avoid bisphosphonates in these patients. 2")
    (f,) = [f for f in run(tmp_path, {"a.txt": page(ANY_T, body)}) if f.check == "contradiction"]
    assert f.within_document is True


def test_contradiction_not_when_the_criteria_separate_the_patients(tmp_path):
    body = ("Consider chemoradiotherapy in patients without T4b disease. 1\n\n"
            "Avoid chemoradiotherapy in patients with T4b disease. 2")
    assert "contradiction" not in checks_of(run(tmp_path, {"a.txt": page(ESO_T, body)}))


def test_poor_effect_fires_where_it_is_recommended_and_not_elsewhere(tmp_path):
    claim = "Bisphosphonates help lytic lesions.\n\nThey don't work as well for treating blastic metastases. 1, 2"
    fired = run(tmp_path, {"a.txt": page(ANY_T, claim),
                           "b.txt": page("How are osteoblastic metastases treated?",
                                         "Zoledronic acid is recommended. 1, 2")})
    (f,) = [f for f in fired if f.check == "poor-effect"]
    assert {i.source_file for i in f.involves} == {"a.txt", "b.txt"}
    elsewhere = run(tmp_path / "2", {"a.txt": page(ANY_T, claim),
                                     "b.txt": page("How are lytic metastases treated?",
                                                   "Zoledronic acid is recommended. 1, 2")})
    assert "poor-effect" not in checks_of(elsewhere)


def test_timing_conflict(tmp_path):
    rule = ("Radiopharmaceutical therapy is indicated for refractory bone pain, with no chemotherapy or "
            "bisphosphonate six weeks before treatment. 1, 2")
    fired = run(tmp_path, {"a.txt": page(ANY_T, rule),
                           "b.txt": page(ANY_T, "Radium-223 combined with zoledronic acid is recommended. 1, 2")})
    (f,) = [f for f in fired if f.check == "timing-conflict"]
    assert "42 days" in f.message
    apart = run(tmp_path / "2", {"a.txt": page(ANY_T, rule),
                                 "b.txt": page(ANY_T, "Radium-223 is recommended. 1\n\n"
                                                      "Zoledronic acid is recommended. 2")})
    assert "timing-conflict" not in checks_of(apart)


def test_restriction_conflict_fires_for_a_disjoint_condition_and_not_for_the_same_one(tmp_path):
    rule = "Consider palliative monotherapy only if adenocarcinoma histology. 1"
    fired = run(tmp_path, {"a.txt": page(ESO_T, rule + "\n\nFor squamous cell carcinoma, palliative monotherapy "
                                                     "should be considered. 2")})
    (f,) = [f for f in fired if f.check == "restriction-conflict"]
    assert f.type == "RestrictionConflict" and f.within_document and f.severity == "warning"
    assert "only in esophageal adenocarcinoma" in f.message and "esophageal squamous cell carcinoma" in f.message
    same = run(tmp_path / "2", {"a.txt": page(ESO_T, rule + "\n\nFor adenocarcinoma, palliative monotherapy "
                                                          "should be considered. 2")})
    assert "restriction-conflict" not in checks_of(same)


def test_repeated_recommendation_and_not_for_different_cancers(tmp_path):
    fired = run(tmp_path, {"a.txt": page(ANY_T, "Zoledronic acid is recommended. 1, 2"),
                           "b.txt": page(BREAST_T, "Zoledronic acid should be given. 1, 2")})
    [agreement] = [f for f in fired if f.check == "repeated-recommendation"]
    assert agreement.message in (
        "2 documents endorse zoledronic acid or a narrower action (a.txt, b.txt): the sources agree.",
        "2 documents endorse zoledronic acid or a narrower action (b.txt, a.txt): the sources agree.")
    assert {s.source_file for s in agreement.involves} == {"a.txt", "b.txt"}
    apart = run(tmp_path / "2", {"a.txt": page(ESO_T, "Zoledronic acid is recommended. 1, 2"),
                                 "b.txt": page(BREAST_T, "Zoledronic acid should be given. 1, 2")})
    assert "repeated-recommendation" not in checks_of(apart)


def test_repeated_recommendation_is_one_finding_however_many_documents_agree(tmp_path):
    same = page(ANY_T, "Zoledronic acid is recommended. 1, 2")
    fired = run(tmp_path, dict.fromkeys(("a.txt", "b.txt", "c.txt"), same))
    [agreement] = [f for f in fired if f.check == "repeated-recommendation"]
    assert agreement.message.startswith("3 documents endorse zoledronic acid or a narrower action (")
    assert sorted(agreement.message.split("(")[1].split(")")[0].split(", ")) == ["a.txt", "b.txt", "c.txt"]
    assert {s.source_file for s in agreement.involves} == {"a.txt", "b.txt", "c.txt"}


def test_agreement_with_subsumption_and_a_stated_benefit(tmp_path):
    fired = run(tmp_path, {
        "a.txt": page(ANY_T, "Radiation therapy is recommended for painful bone metastases. 1, 2"),
        "b.txt": page(ANY_T, "External beam radiation therapy relieves bone pain in most patients. 1, 2")})
    [agreement] = [f for f in fired if f.check == "repeated-recommendation"]
    assert agreement.message.split(" (")[0] == "2 documents endorse radiation therapy or a narrower action"
    assert {s.source_file for s in agreement.involves} == {"a.txt", "b.txt"}
    # two different drugs of one class do not agree with each other unless a document names the class
    apart = run(tmp_path / "2", {"a.txt": page(ANY_T, "Zoledronic acid is recommended. 1, 2"),
                                 "b.txt": page(ANY_T, "Denosumab is recommended. 1, 2")})
    assert "repeated-recommendation" not in checks_of(apart)


def test_effect_disagreement_when_a_percentage_lies_outside_the_range_another_gives(tmp_path):
    def corpus(first, second):
        said = "External beam radiation therapy relieves bone pain in {} of patients. 1, 2"
        return {"a.txt": page(ANY_T, said.format(first)), "b.txt": page(ANY_T, said.format(second))}
    (f,) = [f for f in run(tmp_path, corpus("85%", "50 to 80 percent")) if f.check == "effect-disagreement"]
    assert f.severity == "info" and f.type == "EffectDisagreement"
    assert f.message.startswith("Statements disagree on what external beam radiation therapy does for bone pain: "
                                "a percentage one gives lies outside the range another gives")
    assert {s.source_file for s in f.involves} == {"a.txt", "b.txt"}
    # a figure inside the other's range, or the same figure, agrees
    assert "effect-disagreement" not in checks_of(run(tmp_path / "2", corpus("72%", "50 to 80 percent")))
    assert "effect-disagreement" not in checks_of(run(tmp_path / "3", corpus("85%", "85%")))


def test_omission_of_a_step_another_document_ties_to_the_action(tmp_path):
    fired = run(tmp_path, {
        "a.txt": page(ANY_T, "Zoledronic acid is recommended for bone metastases. 1, 2"),
        "b.txt": page(ANY_T, "Dental evaluation is recommended before starting zoledronic acid. 1\n\n"
                             "Zoledronic acid is recommended. 2")})
    (f,) = [f for f in fired if f.check == "omission"]
    assert f.message.startswith("b.txt tie dental evaluation to zoledronic acid (before or with it); "
                                "a.txt recommend zoledronic acid and never name dental evaluation")
    assert {(s.source_file, s.quote.split(".")[0]) for s in f.involves} == {
        ("a.txt", "Zoledronic acid is recommended for bone metastases"),
        ("b.txt", "Dental evaluation is recommended before starting zoledronic acid")}
    # named in the other document too: nothing is left out
    both = run(tmp_path / "2", {
        "a.txt": page(ANY_T, "Zoledronic acid is recommended for bone metastases. 1\n\n"
                             "Patients should have a dental evaluation first. 2"),
        "b.txt": page(ANY_T, "Dental evaluation is recommended before starting zoledronic acid. 1, 2")})
    assert "omission" not in checks_of(both)


def test_alternative_actions(tmp_path):
    den, zol = "Denosumab is recommended to prevent skeletal-related events.", \
        "Zoledronic acid is recommended to prevent skeletal-related events."
    fired = run(tmp_path, {"a.txt": page(ANY_T, den + " 1, 2"), "b.txt": page(ANY_T, zol + " 1, 2"),
                           # a drug and an operation for one purpose: complementary, not two kinds of one class
                           "c.txt": page(ESO_T, "Brachytherapy is recommended for dysphagia. 1, 2"),
                           "d.txt": page(ESO_T, "Stent placement is recommended for dysphagia. 1, 2")})
    (f,) = [f for f in fired if f.check == "alternative-actions"]
    assert f.message.startswith("For skeletal-related event, 2 kinds of bone-modifying agent are endorsed: ")
    assert "denosumab (a.txt)" in f.message and "zoledronic acid (b.txt)" in f.message
    assert {i.source_file for i in f.involves} == {"a.txt", "b.txt"} and f.within_document is False
    # given together in one statement: a combination, not alternatives; options one document sets out are its own
    together = run(tmp_path / "2", {
        "a.txt": page(ANY_T, f"{den} 1\n\n{zol} 2\n\nDenosumab combined with zoledronic acid is recommended. 1, 2"),
        "b.txt": page(ANY_T, f"{den} 1, 2")})
    assert "alternative-actions" not in checks_of(together)
    # ranked by a document ("superior to"): not alternatives left uncompared
    ranked = run(tmp_path / "3", {
        "a.txt": page(ANY_T, den + " 1, 2"), "b.txt": page(ANY_T, zol + " 1, 2"),
        "c.txt": page(ANY_T, "Denosumab is superior to zoledronic acid in delaying skeletal-related events. 1, 2")})
    assert "alternative-actions" not in checks_of(ranked)


def test_comparison_conflict_when_two_statements_rank_two_actions_in_opposite_orders(tmp_path):
    fired = run(tmp_path, {"a.txt": page(ANY_T, "Brachytherapy is preferred over stent placement for dysphagia. 1, 2"),
                           "b.txt": page(ANY_T, "Stent placement is preferred over brachytherapy for dysphagia. 1, 2")})
    (f,) = [f for f in fired if f.check == "comparison-conflict"]
    assert f.severity == "warning" and "puts them the other way round" in f.message
    assert {i.source_file for i in f.involves} == {"a.txt", "b.txt"}
    agree = run(tmp_path / "2", {
        "a.txt": page(ANY_T, "Brachytherapy is preferred over stent placement for dysphagia. 1, 2"),
        "b.txt": page(ANY_T, "Brachytherapy is preferred over stent placement for dysphagia relief. 1, 2")})
    assert "comparison-conflict" not in checks_of(agree)


def test_comparison_conflict_when_one_does_better_and_the_evidence_ranks_none_of_the_class(tmp_path):
    better = "Denosumab is superior to zoledronic acid in delaying skeletal-related events. 1, 2"
    fired = run(tmp_path, {"a.txt": page(ANY_T, better),
                           "b.txt": page(ANY_T, "There is insufficient evidence to demonstrate greater efficacy of one "
                                                "bone-modifying agent over another. 1, 2")})
    (f,) = [f for f in fired if f.check == "comparison-conflict"]
    assert "puts denosumab above zoledronic acid" in f.message and "ranks them alike" in f.message
    # a preference may rest on other grounds than the effect: preferred, yet equally effective, is no conflict
    grounds = run(tmp_path / "2", {
        "a.txt": page(ANY_T, "Single-fraction radiotherapy is preferred over multiple fractions. 1, 2"),
        "b.txt": page(ANY_T, "Single-fraction radiotherapy is as effective as multiple fractions. 1, 2")})
    assert "comparison-conflict" not in checks_of(grounds)


def test_safety_conflict_where_a_drug_is_recommended_in_a_condition_another_rules_out(tmp_path):
    fired = run(tmp_path, {
        "a.txt": page(ANY_T, "Zoledronic acid is recommended for patients with renal impairment. 1, 2"),
        "b.txt": page(ANY_T, "Bisphosphonates can't be given to people with renal impairment. 1, 2")})
    (f,) = [f for f in fired if f.check == "safety-conflict"]
    assert f.severity == "warning" and f.message.startswith("Is bisphosphonate safe in renal impairment?")
    assert 'gated: "Bisphosphonates can\'t be given to people with renal impairment." (b.txt)' in f.message
    # recommended for everyone: not a conflict in a condition, but a caveat the first document leaves out
    general = run(tmp_path / "2", {
        "a.txt": page(ANY_T, "Zoledronic acid is recommended for patients with bone metastases. 1, 2"),
        "b.txt": page(ANY_T, "Bisphosphonates can't be given to people with renal impairment. 1, 2")})
    assert "safety-conflict" not in checks_of(general)
    (caveat,) = [f for f in general if f.check == "omission"]
    assert caveat.message.startswith("b.txt limit bisphosphonate in renal impairment (cannot be given, caution or a "
                                     "dose adjustment); a.txt recommend bisphosphonate and say nothing of its use in "
                                     "renal impairment")


def test_stale_source(tmp_path):
    body = "Denosumab is recommended for bone metastases. 1, 2"
    fired = run(tmp_path, {"old.txt": page(ANY_T, body, updated="May 1, 2015"),
                           "new.txt": page(ANY_T, body, updated="May 1, 2024")})
    (f,) = [f for f in fired if f.check == "stale-source"]
    assert f.involves[0].source_file == "old.txt"
    recent = run(tmp_path / "2", {"old.txt": page(ANY_T, body, updated="May 1, 2022"),
                                  "new.txt": page(ANY_T, body, updated="May 1, 2024")})
    assert "stale-source" not in checks_of(recent)


def test_shacl_results_are_folded_into_the_findings(tmp_path):
    import pyoxigraph as ox

    from guidegraph.checks.sparql import run_checks_bounded

    db = ox.Store(str(tmp_path / "db"))
    db.load(input="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:r> a sh:ValidationResult ; sh:focusNode <urn:node> ; sh:resultSeverity sh:Violation ;
                sh:resultMessage "A statement has one non-empty text." .
    """, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("https://w3id.org/guidegraph/id/graph/validation"))
    db.flush()
    del db
    shape_check = [c for c in load_checks() if c.name == "shape-violation"]
    quads, unfinished = run_checks_bounded(tmp_path / "db", 60, shape_check)
    assert unfinished == []
    messages = [q.object.value for q in quads if q.predicate.value.endswith("#comment")]
    assert messages == ["A statement has one non-empty text.: fix the data or the rule that produced it."]
    assert any(q.object.value == "error" for q in quads)


# -- the command ----------------------------------------------------------------------------------
def test_check_exit_codes_follow_the_threshold(built_store, run_cli):
    assert run_cli("check", "--store", built_store.path).returncode == 1  # 20 errors
    assert run_cli("check", "--store", built_store.path, "--type", "repeated-recommendation",
                   "--fail-on", "error").returncode == 1  # the threshold looks at every finding
    assert run_cli("check", "--store", built_store.path, "--fail-on", "banana").returncode == 2


def test_check_exits_0_when_nothing_reaches_the_threshold(tmp_path, run_cli):
    store = Store(tmp_path / "s")
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "a.txt").write_text(page(ANY_T, "Denosumab is recommended for bone metastases. 1, 2"))
    build([folder], store, reason=False, check_shapes=False)
    assert run_cli("check", "--store", store.path).returncode == 0
    assert run_cli("check", "--store", store.path, "--fail-on", "info").returncode == 0


def test_check_text_report_groups_by_severity_and_document(built_store, run_cli):
    out = run_cli("check", "--store", built_store.path).stdout
    assert out.index("ERROR (20)") < out.index("WARNING (19)") < out.index("INFO (46)")
    assert f"  {ESO}\n    [dangling-citation] Citation marker 5 in {ESO}" in out
    assert out.rstrip().endswith("85 findings: 20 error, 19 warning, 46 info")


def test_check_json_and_csv_shapes(built_store, run_cli):
    data = json.loads(run_cli("check", "--store", built_store.path, "--format", "json").stdout)
    assert data["counts"] == {"error": 20, "warning": 19, "info": 46}
    first = data["findings"][0]
    assert set(first) == {"finding", "type", "check", "severity", "message", "withinDocument", "involves", "review"}
    assert set(first["involves"][0]) == {"iri", "kind", "document", "source_file", "start", "end", "quote"}
    rows = list(csv.DictReader(io.StringIO(run_cli("check", "--store", built_store.path, "--format", "csv").stdout)))
    assert rows[0].keys() >= {"severity", "check", "message", "source_file", "start", "end", "quote"}
    assert {r["check"] for r in rows if r["severity"] == "warning"} == {
        "stale-source", "schedule-conflict", "poor-effect", "off-topic-reference", "self-citation",
        "unsupported-statement", "uncited-claim", "contradiction", "effect-disagreement", "restriction-conflict",
        "safety-conflict", "timing-conflict"}


def test_a_check_that_runs_too_long_is_stopped_and_reported_not_lost(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "a.txt").write_text(page(ANY_T, "Denosumab is recommended for bone metastases. 1, 5"))
    store = Store(tmp_path / "s")
    report = build([folder], store, reason=False, check_shapes=False, check_timeout=0.0001)
    assert sorted(report.unfinished_checks) == sorted(c.name for c in load_checks())
    incomplete = [f for f in findings(store) if f.type == "CheckIncomplete"]
    assert len(incomplete) == 26 and all(f.severity == "warning" for f in incomplete)
    assert "did not finish in 0.0001 s" in incomplete[0].message and "--check-timeout" in incomplete[0].message


def test_check_on_a_store_built_without_checks_says_so(tmp_path, run_cli):
    store = Store(tmp_path / "s")
    build([CORPUS / "oracle-osteoblastic-metastases.txt"], store, reason=False, check_shapes=False, run_checks=False)
    result = run_cli("check", "--store", store.path)
    assert result.returncode == 2 and "built without the checks" in result.stderr
