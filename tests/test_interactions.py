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
