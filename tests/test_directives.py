"""The directives annotation reads, scored against the hand-labelled gold (tests/data/directives-gold.tsv)."""
from __future__ import annotations

import pytest

from bench.directives import read_gold, score
from guidegraph.annotate.statements import annotate
from guidegraph.annotate.vocabulary import load_vocabulary


@pytest.fixture(scope="module")
def annotated(corpus_docs):
    vocab = load_vocabulary()
    return corpus_docs, {slug: annotate(d, vocab) for slug, d in corpus_docs.items()}, vocab


def test_every_gold_action_quote_sits_at_its_offsets(corpus_docs):
    for row in read_gold():
        raw = corpus_docs[row["doc"]].raw
        assert raw[int(row["stmt_start"]):int(row["stmt_end"])] == row["statement"]
        if row["action_start"]:
            assert raw[int(row["action_start"]):int(row["action_end"])] == row["action_words"]


def test_the_model_before_directives_scores_as_measured_when_directives_were_introduced(annotated):
    figures = score(*annotated, model="before")
    assert round(figures["dev"]["action"][0], 2) == 0.60 and round(figures["dev"]["action"][1], 2) == 0.72
    assert round(figures["dev"]["strength"][1], 2) == 0.57
    assert figures["dev"]["purpose"] == (0.0, 0.0)
    assert round(figures["dev"]["role"], 2) == 0.64


def _statement(docs, anns, slug, start):
    doc, ann = docs[slug], anns[slug]
    i = next(k for k, st in enumerate(doc.statements) if st.start == start)
    return doc, ann, i


def test_directives_score_at_least_what_was_measured_on_the_dev_part(annotated):
    dev = score(*annotated)["dev"]
    assert dev["action"][0] >= 0.94 and dev["action"][1] >= 0.85
    assert dev["strength"][0] >= 0.93 and dev["strength"][1] >= 0.83
    assert dev["purpose"][0] == 1.0 and dev["purpose"][1] >= 0.69 and dev["preferred-over"][1] >= 0.25
    assert dev["role"] >= 0.93


def test_a_timing_anchor_and_an_outcome_are_not_what_a_statement_directs(annotated):
    docs, anns, _ = annotated
    doc, ann, i = _statement(docs, anns, "oracle-breast-cancer-bone-metastasis", 1411)
    found = ann.directives[i]
    assert [doc.raw[d.action_start:d.action_end] for d in found] == ["complete dental evaluation", "dental work"]
    assert {d.strength for d in found} == {"require"}
    assert found[0].purpose.text == "minimize osteonecrosis of the jaw risk"
    assert doc.raw[found[0].purpose.start:found[0].purpose.end] == found[0].purpose.text
    assert [t.text for t in found[0].timing] == ["Before starting BMAs"]
    roles = {doc.raw[m.start:m.end]: ann.roles.get(m.start) for m in ann.mentions if m.statement == i}
    assert roles["BMAs"] == "precondition" and roles["osteonecrosis of the jaw"] == "adverseEvent"


def test_what_an_action_is_preferred_over_is_a_comparator_with_its_offsets(annotated):
    docs, anns, _ = annotated
    doc = docs["oracle-esophageal-cancer-bone-metastases"]
    ann = anns["oracle-esophageal-cancer-bone-metastases"]
    i = next(k for k, st in enumerate(doc.statements) if st.text.startswith("Expandable metal stents are preferred"))
    (d,) = ann.directives[i]
    assert d.strength == "prefer" and d.preferred_over.text == "plastic stents"
    inside = [m for m in ann.mentions if d.preferred_over.start <= m.start < d.preferred_over.end]
    assert inside and {ann.roles[m.start] for m in inside} == {"comparator"}


def test_a_comparison_of_effects_directs_nothing_and_its_comparator_is_no_action(annotated):
    docs, anns, _ = annotated
    doc, ann, i = _statement(docs, anns, "oracle-breast-cancer-bone-metastasis", 1054)
    assert i not in ann.directives
    roles = {doc.raw[m.start:m.end]: ann.roles.get(m.start) for m in ann.mentions if m.statement == i}
    assert roles["zoledronate"] == "comparator" and roles["surgery"] == "outcome"
    # what no clause directs is not a recommended action
    assert roles["Denosumab"] is None


def test_examples_in_brackets_belong_to_the_class_they_follow(annotated):
    docs, anns, _ = annotated
    doc, ann, i = _statement(docs, anns, "oracle-breast-cancer-bone-metastasis", 2053)
    actions = [doc.raw[d.action_start:d.action_end] for d in ann.directives[i]]
    assert actions == ["third-generation aromatase inhibitors"]
    assert ann.directives[i][0].population.text == "postmenopausal patients"


def test_the_strength_of_each_clause_is_its_own(annotated):
    docs, anns, _ = annotated
    doc = docs["oracle-esophageal-cancer-bone-metastases"]
    ann = anns["oracle-esophageal-cancer-bone-metastases"]
    i = next(k for k, st in enumerate(doc.statements) if st.text.startswith("Do not use combination chemotherapy"))
    assert {doc.raw[d.action_start:d.action_end]: d.strength for d in ann.directives[i]}["combination chemotherapy"] \
        == "avoid"


def test_beliefs_and_safety_score_at_least_what_was_measured_on_the_dev_part(annotated):
    from bench.directives import score_claims

    dev = score_claims(*annotated)["dev"]
    assert dev["belief action"][0] >= 0.9 and dev["belief action"][1] >= 0.9
    assert dev["effect"][0] >= 0.9 and dev["effect"][1] >= 0.9
    assert dev["outcome"][0] >= 0.85 and dev["outcome"][1] >= 0.75
    assert dev["figure"] == (1.0, 1.0)
    assert dev["safety action"] == (1.0, 1.0) and dev["condition"] == (1.0, 1.0)
    assert dev["hedge"][0] >= 0.9 and dev["hedge"][1] >= 0.8
    # before beliefs, nothing read them
    assert score_claims(*annotated, model="before")["dev"]["effect"] == (0.0, 0.0)


def test_an_item_under_a_lead_in_without_action_takes_the_action_the_lead_in_refers_to(annotated):
    docs, anns, _ = annotated
    doc, ann, i = _statement(docs, anns, "oracle-esophageal-cancer-bone-metastases", 3499)
    (b,) = ann.beliefs[i]
    assert b.effect == "improves" and b.outcome.text == "dysphagia"
    assert [(f.text, f.kind, f.value) for f in b.figures] == [("72%", "percentage", 0.72)]
    # "This approach:" names no action: the antecedent is in the sentence before the lead-in, kept with its offsets
    assert b.antecedent is not None and not doc.statements[i].start <= b.antecedent.start < doc.statements[i].end
    assert doc.raw[b.antecedent.start:b.antecedent.end] == "Palliative chemoradiotherapy"
    assert (b.action_start, b.action_end) == (b.antecedent.start, b.antecedent.end)


def test_an_anaphor_resolves_to_its_antecedent_and_keeps_its_own_words(annotated):
    docs, anns, vocab = annotated
    doc, ann, i = _statement(docs, anns, "oracle-esophageal-cancer-bone-metastases", 3594)
    (b,) = ann.beliefs[i]
    assert doc.raw[b.action_start:b.action_end] == "this approach" and b.effect == "causes"
    assert doc.raw[b.antecedent.start:b.antecedent.end] == "Palliative chemoradiotherapy"
    assert b.action == b.antecedent.concept


def test_a_purpose_and_a_claim_the_reader_is_told_not_to_make_are_no_beliefs(annotated):
    docs, anns, _ = annotated
    doc, ann, i = _statement(docs, anns, "oracle-esophageal-cancer-bone-metastases", 4872)
    assert i not in ann.beliefs  # "… is essential to prevent renal toxicity"
    doc, ann, i = _statement(docs, anns, "oracle-breast-cancer-bone-metastasis", 5416)
    assert [(doc.raw[b.action_start:b.action_end], b.effect) for b in ann.beliefs[i]] == \
        [("single 8 Gy fraction", "no-effect")]


def test_a_dose_adjusted_in_a_condition_is_a_safety_statement_of_the_lead_in_drug(annotated):
    docs, anns, _ = annotated
    doc, ann, i = _statement(docs, anns, "oracle-esophageal-cancer-bone-metastases", 2076)
    (x,) = ann.safety[i]
    assert x.strength == "dose-adjust" and x.condition.text == "creatinine clearance <60 mL/min"
    assert doc.raw[x.action_start:x.action_end].lower() == "zoledronic acid" and x.antecedent is not None


def test_hedges_keep_their_words_and_offsets(annotated):
    docs, anns, _ = annotated
    doc, ann, i = _statement(docs, anns, "oracle-breast-cancer-bone-metastasis", 3781)
    assert [(h.text, doc.raw[h.start:h.end]) for h in ann.hedges[i]] == [("may", "may")]


def test_an_anaphor_names_what_a_statement_directs_and_a_verbless_item_takes_its_siblings_strength(annotated):
    docs, anns, _ = annotated
    doc, ann, i = _statement(docs, anns, "oracle-esophageal-cancer-bone-metastases", 3594)
    (d,) = ann.directives[i]
    assert doc.raw[d.action_start:d.action_end] == "this approach" and d.strength == "avoid"
    assert d.antecedent.text == "Palliative chemoradiotherapy" and d.action == d.antecedent.concept
    doc, ann, i = _statement(docs, anns, "oracle-breast-cancer-bone-metastasis", 2183)
    assert {doc.raw[d.action_start:d.action_end]: d.strength for d in ann.directives[i]} == \
        {"tamoxifen": "prefer", "ovarian suppression/ablation": "prefer"}


def _read(text):
    """Annotate a small document of our own: a title, then ``text`` (paragraphs split at blank lines)."""
    from guidegraph.ingest.document import ingest_text
    doc = ingest_text("Treating bone disease\n\n" + text + "\n", "t.txt")
    return doc, annotate(doc, load_vocabulary())


def _said(doc, ann, what="directives"):
    """The (action words, strength or effect) of every directive or belief of the document."""
    out = []
    for found in getattr(ann, what).values():
        for x in found:
            out.append((doc.raw[x.action_start:x.action_end], x.strength if what == "directives" else x.effect))
    return out


def test_a_description_of_what_is_done_allows_the_action():
    doc, ann = _read("Bisphosphonates are often used to treat bone pain in older adults.\n\n"
                     "Zoledronic acid may be used for patients with many bone lesions.\n\n"
                     "Denosumab is not used to treat children.")
    said = _said(doc, ann)
    assert ("Bisphosphonates", "allow") in said and ("Zoledronic acid", "allow") in said
    assert not any(words == "Denosumab" for words, _ in said)


def test_what_a_described_action_is_used_with_is_not_its_action():
    doc, ann = _read("Chemotherapy helps many people.\n\nIt’s often used along with surgery, radiation or ablation.")
    said = _said(doc, ann)
    assert said == [("It", "allow")]
    (d,) = next(iter(ann.directives.values()))
    assert d.action.endswith("Chemotherapy")


def test_advice_a_third_party_gives_recommends_its_action_not_the_drug_patients_take():
    doc, ann = _read("Most dentists advise patients to have a dental examination before they start taking a "
                     "bisphosphonate.")
    assert _said(doc, ann) == [("dental examination", "recommend")]


def test_what_causes_harm_and_what_a_statement_compares_with_are_no_directed_actions():
    doc, ann = _read("Like denosumab, zoledronic acid can cause osteonecrosis of the jaw, so doctors recommend a "
                     "dental examination first.")
    assert _said(doc, ann) == [("dental examination", "recommend")]
    (b,) = [b for found in ann.beliefs.values() for b in found]
    assert doc.raw[b.action_start:b.action_end] == "zoledronic acid" and b.effect == "causes"
    assert b.outcome.text.startswith("osteonecrosis of the jaw")


def test_an_assessment_named_as_what_is_assessed_is_the_action_and_a_reason_directs_nothing():
    doc, ann = _read("Measure serum creatinine before every infusion.\n\n"
                     "Kidney function should be checked as zoledronic acid is cleared by the kidney and can cause "
                     "renal deterioration.")
    assert _said(doc, ann) == [("serum creatinine", "recommend"), ("Kidney function", "recommend")]
    (b,) = [b for found in ann.beliefs.values() for b in found]
    assert doc.raw[b.action_start:b.action_end] == "zoledronic acid" and b.effect == "causes"


def _beliefs(doc, ann):
    return [(doc.raw[b.action_start:b.action_end], b.effect, b.outcome.text if b.outcome else None)
            for found in ann.beliefs.values() for b in found]


def test_an_adverse_effect_named_as_such_is_caused_by_the_action_it_is_a_side_effect_of():
    doc, ann = _read("Hypocalcemia is a common complication of denosumab therapy, especially in frail patients.\n\n"
                     "A rare side effect of zoledronic acid is osteonecrosis of the jaw.")
    assert _beliefs(doc, ann) == [("denosumab", "causes", "Hypocalcemia"),
                                  ("zoledronic acid", "causes", "osteonecrosis of the jaw")]
    concepts = [str(b.outcome.concept).rsplit("#", 1)[1] for found in ann.beliefs.values() for b in found]
    assert concepts == ["Hypocalcaemia", "OsteonecrosisOfTheJaw"]


def test_an_effect_that_keeps_the_action_from_some_patients_is_a_harm_and_a_safety_statement():
    doc, ann = _read("Denosumab can lower calcium levels, so it can’t be given to people whose calcium is low.")
    assert _beliefs(doc, ann) == [("Denosumab", "causes", "lower calcium levels")]
    (s,) = [s for found in ann.safety.values() for s in found]
    assert s.strength == "cannot-be-given" and s.condition.text == "people whose calcium is low"


def test_an_imperative_item_without_an_object_directs_its_lead_ins_action():
    doc, ann = _read("Zoledronic acid is given as follows:\n"
                     "  • Administer every 4 weeks\n"
                     "  • Discuss dental hygiene with the patient\n")
    items = [i for i, st in enumerate(doc.statements) if st.lead_in is not None]
    assert len(items) == 2
    (d,) = ann.directives[items[0]]
    assert doc.raw[d.action_start:d.action_end] == "Administer" and d.action.endswith("ZoledronicAcid")
    assert d.strength == "recommend" and d.antecedent.text == "Zoledronic acid"
    # a verb with an object of its own ("Discuss dental hygiene") does not direct the lead-in's drug
    assert not any(x.action.endswith("ZoledronicAcid") for x in ann.directives.get(items[1], []))
