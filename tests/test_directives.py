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
    assert dev["action"][0] >= 0.94 and dev["action"][1] >= 0.79
    assert dev["strength"][0] >= 0.89 and dev["strength"][1] >= 0.75
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
