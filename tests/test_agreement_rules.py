"""The reading rules that let the agreement check (queries/checks/repeated-recommendation.rq) see what two documents
both endorse: cheap annotations of small documents of our own, no store."""
from __future__ import annotations

import pytest

from guidegraph.annotate.statements import annotate
from guidegraph.annotate.vocabulary import load_vocabulary


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


def _read(text, vocab):
    """Annotate a small document: a title, then ``text`` (paragraphs split at blank lines)."""
    from guidegraph.ingest.document import ingest_text
    doc = ingest_text("Treating bone disease\n\n" + text + "\n", "t.txt")
    return doc, annotate(doc, vocab)


def _local(iri):
    return str(iri).rsplit("#", 1)[-1]


def test_palliation_is_relief_and_an_evaluative_adjective_is_not_the_outcome(vocab):
    doc, ann = _read("Therapeutic radioisotopes like strontium-89 can provide useful pain palliation.", vocab)
    (b,) = [b for found in ann.beliefs.values() for b in found]
    assert _local(b.action) == "Radiopharmaceutical" and b.effect == "relieves"
    assert b.outcome.text == "pain"


def test_both_schedules_stand_for_the_action_the_sentence_before_gives_in_two_ways(vocab):
    doc, ann = _read("Radiation therapy can be given as 1 or 2 large doses or over 5 to 10 treatments. "
                     "Both schedules give the same degree of pain relief.", vocab)
    i = next(i for i, st in enumerate(doc.statements) if st.text.startswith("Both schedules"))
    (b,) = ann.beliefs[i]
    assert doc.raw[b.action_start:b.action_end] == "Both schedules"
    assert _local(b.action) == "RadiationTherapy" and b.effect == "relieves"
    assert b.antecedent.text == "Radiation therapy"


def test_an_item_naming_whom_the_lead_in_action_is_indicated_for_directs_that_action(vocab):
    doc, ann = _read("Surgical intervention is indicated for:\n"
                     "  • Pathological fractures in weight-bearing bones 1, 3\n"
                     "  • Spinal cord compression with neurological deficits 1, 3\n"
                     "  • Prophylactic stabilization is preferred over fixation after fracture\n", vocab)
    items = [i for i, st in enumerate(doc.statements) if st.lead_in is not None]
    assert len(items) == 3
    for i in items[:2]:
        (d,) = ann.directives[i]
        assert _local(d.action) == "Surgery" and d.strength == "recommend"
        assert d.antecedent.text == "Surgical intervention"
        # the item's words, less its citation markers, are whom the action applies to
        assert d.population.text == doc.raw[d.action_start:d.action_end] == doc.statements[i].text.rstrip(" ,0123456789")
    # an item that is a clause of its own keeps its own action
    assert [_local(d.action) for d in ann.directives[items[2]]] == ["ProphylacticStabilisation"]


def test_items_under_a_lead_in_that_is_not_an_indication_take_no_action(vocab):
    doc, ann = _read("Zoledronic acid is a bisphosphonate that is given as an infusion:\n"
                     "  • Fatigue and fever after the first dose\n"
                     "  • Low calcium levels\n", vocab)
    items = [i for i, st in enumerate(doc.statements) if st.lead_in is not None]
    assert items and not any(i in ann.directives for i in items)


def test_a_goal_named_is_no_claim_that_the_action_reaches_it(vocab):
    doc, ann = _read("Palliative care is offered to every patient. The primary goal is palliation.", vocab)
    assert not any(b.effect == "relieves" for found in ann.beliefs.values() for b in found)
