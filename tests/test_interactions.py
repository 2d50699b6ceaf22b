"""Interaction readings on small texts written for the test: what a statement gives together, what it keeps
apart, read generically (no drug, document or publisher is named in a rule)."""
from __future__ import annotations

from guidegraph.annotate.statements import annotate
from guidegraph.annotate.vocabulary import load_vocabulary
from guidegraph.ingest import ingest


def _annotated(tmp_path, text):
    path = tmp_path / "page.txt"
    path.write_text(text, encoding="utf-8")
    doc = ingest(path, tmp_path, {})
    return doc, annotate(doc, load_vocabulary())


def _at(doc, words):
    return next(i for i, st in enumerate(doc.statements) if words in st.text)


def test_a_plural_anaphor_directs_each_action_the_statement_before_lists(tmp_path):
    doc, ann = _annotated(tmp_path, "Care\n\nSome treatments, such as radiopharmaceuticals and bisphosphonates, "
                                    "reach the bones. Sometimes both of these types of treatment are used at the same "
                                    "time.\n")
    i = _at(doc, "both of these")
    found = ann.directives[i]
    assert sorted(d.action.split("#")[1] for d in found) == ["Bisphosphonate", "Radiopharmaceutical"]
    # each keeps the anaphor's words and the words of its antecedent, at their offsets
    for d in found:
        assert doc.raw[d.action_start:d.action_end] == "both of these types of treatment"
        assert doc.raw[d.antecedent.start:d.antecedent.end] in ("radiopharmaceuticals", "bisphosphonates")
    assert i in ann.combinations


def test_a_plural_anaphor_needs_two_actions_before_it(tmp_path):
    doc, ann = _annotated(tmp_path, "Care\n\nBisphosphonates reach the bones. Both of these are used at the same "
                                    "time.\n")
    i = _at(doc, "Both of these")
    assert i not in ann.combinations


def test_the_corpus_timing_conflict_meets_a_washout_with_treatments_given_at_the_same_time(built_store):
    from guidegraph.checks.sparql import findings

    found = [f for f in findings(built_store) if f.check == "timing-conflict"]
    assert len(found) == 1
    quotes = sorted(i.quote for i in found[0].involves if i.kind == "Statement")
    assert quotes[0].startswith("Bone-targeted radiopharmaceutical therapy is indicated")
    assert quotes[1] == "Sometimes both of these types of treatments are used at the same time."
    assert found[0].severity == "warning" and not found[0].within_document


def test_a_measured_condition_is_read_as_the_state_its_value_falls_in(tmp_path):
    doc, ann = _annotated(tmp_path, "Kidneys\n\nGive the drug carefully.\n\n  • Zoledronic acid is given monthly\n"
                                    "  • Dose adjustment required if creatinine clearance <60 mL/min\n")
    i = _at(doc, "Dose adjustment")
    (x,) = ann.safety[i]
    assert x.strength == "dose-adjust" and x.condition.concept.endswith("#RenalImpairment")
    assert doc.raw[x.condition.start:x.condition.end] == "creatinine clearance <60 mL/min"


def test_a_recommendation_that_waits_on_a_condition_withholds_it_where_the_condition_fails(tmp_path):
    doc, ann = _annotated(tmp_path, "Pain\n\nGive zoledronic acid for bone pain if adequate renal function.\n"
                                    "Give zoledronic acid for bone pain in HER2-positive disease.\n")
    (x,) = ann.safety[_at(doc, "adequate")]
    assert x.strength == "only-if" and x.condition.concept.endswith("#AdequateRenalFunction")
    assert doc.raw[x.condition.start:x.condition.end] == "adequate renal function"
    # a population without "if" is whom the recommendation is for, not a gate
    assert _at(doc, "HER2") not in ann.safety


def test_the_corpus_safety_conflicts_meet_renal_gates_and_a_dose_for_renal_impairment(built_store):
    from guidegraph.checks.sparql import findings

    found = sorted((f for f in findings(built_store) if f.check == "safety-conflict"), key=lambda f: f.within_document)
    assert [f.within_document for f in found] == [False, True]
    assert all("renal impairment" in f.message for f in found)
    # (a statement's quote keeps its citation markers)
    quotes = [sorted(i.quote.rstrip(" 0123456789") for i in f.involves if i.kind == "Statement") for f in found]
    assert quotes[0] == ["Bisphosphonates can cause kidney damage and often can’t be given to people with poor kidney "
                         "function.", "Dose adjustment required if creatinine clearance <60 mL/min"]
    assert quotes[1] == ["Dose adjustment required if creatinine clearance <60 mL/min",
                         "Zoledronic acid for bone pain if adequate renal function"]


def test_a_comparison_of_effects_keeps_the_comparator_and_its_direction(tmp_path):
    doc, ann = _annotated(tmp_path, "Agents\n\nDenosumab is superior to zoledronate in delaying skeletal-related "
                                    "events.\n")
    (b,) = ann.beliefs[0]
    assert (b.effect, b.comparison) == ("delays", "superior")
    assert doc.raw[b.comparator.start:b.comparator.end] == "zoledronate" and b.comparator.concept.endswith(
        "#ZoledronicAcid")


def test_harms_listed_without_their_cause_belong_to_the_treatment_named_before(tmp_path):
    doc, ann = _annotated(tmp_path, "Agents\n\n  • Zoledronic acid should be given over 15 minutes\n"
                                    "  • Patients must be adequately hydrated before administration\n"
                                    "  • Common side effects include hypocalcemia and fever\n")
    (b,) = ann.beliefs[_at(doc, "side effects")]
    assert b.effect == "causes" and b.action.endswith("#ZoledronicAcid") and b.outcome.text == "hypocalcemia"
    assert doc.raw[b.antecedent.start:b.antecedent.end] == "Zoledronic acid"


def test_a_level_said_to_be_low_names_the_state(tmp_path):
    doc, ann = _annotated(tmp_path, "Calcium\n\nThese drugs can't be given to someone whose calcium levels are "
                                    "already low.\n")
    (m,) = [m for m in ann.mentions if m.concept.endswith("#Hypocalcaemia")]
    assert doc.raw[m.start:m.end] == "calcium levels are already low"


def test_the_corpus_omissions_name_each_kind_with_the_statements_where_it_could_be_added(built_store):
    from guidegraph.checks.sparql import findings

    found = {f.message.split(";")[0]: f for f in findings(built_store) if f.check == "omission"}
    alternative = found["oracle-breast-cancer-bone-metastasis.txt say denosumab does better than zoledronic acid or "
                        "is preferred to it"]
    quotes = {(i.source_file, i.start) for i in alternative.involves if i.kind == "Statement"}
    # the comparison, and every statement of the document that recommends zoledronic acid without naming
    # denosumab: its recommendation and the items of its "Key considerations" (read by hand)
    assert ("oracle-breast-cancer-bone-metastasis.txt", 1054) in quotes
    assert {s for f, s in quotes if f.startswith("oracle-esophageal")} >= {1801, 1982, 2024, 2076, 2142, 2207, 4420}
    interval = [k for k in found if " by an interval" in k]
    icl = "icliniq-bone-metastasis-therapeutic-approaches.txt"
    assert sorted(interval) == [f"{icl} keep bisphosphonate away from radiopharmaceutical by an interval",
                                f"{icl} keep chemotherapy away from radiopharmaceutical by an interval"]
    safety = sorted(k for k in found if " limit " in k)
    assert any("zoledronic acid in renal impairment" in k for k in safety)
    assert any("bisphosphonate in hypocalcaemia" in k for k in safety)


def _actions(ann, i):
    return sorted((d.action.split("#")[1], d.strength) for d in ann.directives.get(i, []))


def test_options_addressed_to_the_patient_are_allowed(tmp_path):
    doc, ann = _annotated(tmp_path, "Treatment\n\nYour doctor may offer you drugs called bisphosphonates.\n\n"
                                    "You may also have internal radiotherapy using a radioisotope.\n\n"
                                    "Some people may have surgery to strengthen a weakened bone.\n")
    assert _actions(ann, _at(doc, "Your doctor")) == [("Bisphosphonate", "allow")]
    assert ("Radiopharmaceutical", "allow") in _actions(ann, _at(doc, "You may also"))
    assert _actions(ann, _at(doc, "Some people")) == [("Surgery", "allow")]


def test_research_only_a_denied_requirement_and_an_aim_are_no_directives(tmp_path):
    doc, ann = _annotated(tmp_path, "Care\n\nSBRT should be considered in the setting of a clinical trial.\n\n"
                                    "In patients with normal kidneys, no change in the dose of bisphosphonates is "
                                    "required.\n\nTo update the recommendations on the role of bone-modifying agents "
                                    "in the prevention of skeletal-related events.\n\nThermal ablation is an option "
                                    "for persistent pain and does not require surgery or re-radiation.\n")
    for words in ("clinical trial", "no change", "To update"):
        assert _actions(ann, _at(doc, words)) == [], words
    assert _at(doc, "To update") not in ann.beliefs
    # what an action makes unnecessary is not directed
    assert _actions(ann, _at(doc, "Thermal ablation")) == [("ThermalAblation", "allow")]


def test_an_abbreviation_a_heading_defines_names_its_concept(tmp_path):
    doc, ann = _annotated(tmp_path, "Radiotherapy (RT)\n\nRT has historically been the treatment of choice.\n")
    (m,) = [m for m in ann.mentions if m.statement == _at(doc, "historically")]
    assert doc.raw[m.start:m.end] == "RT" and m.concept.endswith("#RadiationTherapy")
    assert _actions(ann, _at(doc, "historically")) == [("RadiationTherapy", "prefer")]


def test_evidence_that_ranks_no_member_of_a_class_above_another(tmp_path):
    doc, ann = _annotated(tmp_path, "Agents\n\nThere is insufficient evidence to demonstrate greater efficacy of one "
                                    "bone-modifying agent over another.\n")
    (b,) = ann.beliefs[0]
    assert (b.effect, b.comparison) == ("no-effect", "equivalent") and b.action == b.comparator.concept
    assert doc.raw[b.comparator.start:b.comparator.end] == "bone-modifying agent"


def test_an_anaphor_for_joined_actions_directs_each(tmp_path):
    doc, ann = _annotated(tmp_path, "Bone drugs\n\nYour doctor may offer you drugs called bisphosphonates or a drug "
                                    "called denosumab. They are used to reduce the risk of fractures.\n")
    i = _at(doc, "They are used")
    assert _actions(ann, i) == [("Bisphosphonate", "allow"), ("Denosumab", "allow")]
    assert sorted(doc.raw[d.antecedent.start:d.antecedent.end] for d in ann.directives[i]) == [
        "bisphosphonates", "denosumab"]


def test_an_outcome_found_alike_after_several_actions_is_an_equivalence_of_each(tmp_path):
    doc, ann = _annotated(tmp_path, "Dose\n\nReviews continue to show pain relief equivalency following a single "
                                    "8 Gy fraction, 20 Gy in 5 fractions and 30 Gy in 10 fractions.\n")
    beliefs = ann.beliefs[0]
    got = {(b.action.split("#")[-1], b.effect, b.comparison, b.comparator.concept.split("#")[-1]) for b in beliefs}
    # the dose split into fractions names multi-fraction radiotherapy; each schedule relieves pain alike
    assert got == {("SingleFractionRadiotherapy", "relieves", "equivalent", "MultiFractionRadiotherapy"),
                   ("MultiFractionRadiotherapy", "relieves", "equivalent", "SingleFractionRadiotherapy")}
    assert {doc.raw[b.action_start:b.action_end] for b in beliefs} == {"single 8 Gy fraction", "20 Gy in 5 fractions"}
    assert all(doc.raw[b.outcome.start:b.outcome.end] == "pain relief" for b in beliefs)
    # an outcome that names no benefit claims none: neither does better, that is all
    doc, ann = _annotated(tmp_path / "2" if (tmp_path / "2").mkdir() is None else tmp_path,
                          "Survival\n\nTrials show survival equivalence between denosumab and zoledronic acid.\n")
    assert {(b.effect, b.comparison) for b in ann.beliefs[0]} == {("no-effect", "equivalent")}
