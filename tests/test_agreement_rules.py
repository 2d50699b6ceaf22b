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
        item = doc.statements[i].text.rstrip(" ,0123456789")
        assert d.population.text == doc.raw[d.action_start:d.action_end] == item
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


def _harm_store():
    """A store of two documents, each saying a drug causes a named harm, and a third naming only 'side effects'."""
    import pyoxigraph as ox

    gg, v = "https://w3id.org/guidegraph/ontology#", "https://w3id.org/guidegraph/vocabulary#"
    d = "https://w3id.org/guidegraph/id/document/"
    sc, sk = "http://www.w3.org/2000/01/rdf-schema#", "http://www.w3.org/2004/02/skos/core#"
    lines = [f"<{gg}vocabulary> <{gg}adverseEventRoot> <{v}AdverseEvent> .",
             f"<{v}AdverseEvent> <{sk}topConceptOf> <{gg}vocabulary> .",
             f"<{v}Intervention> <{sk}topConceptOf> <{gg}vocabulary> .",
             f"<{v}Drug> <{sk}broader> <{v}Intervention> .",
             f"<{v}Bisphosphonate> <{sk}broader> <{v}Drug> .",
             f"<{v}ZoledronicAcid> <{sc}subClassOf> <{v}Bisphosphonate> .",
             f"<{v}Onj> <{sc}subClassOf> <{v}AdverseEvent> .",
             f"<{v}Bisphosphonate> <{sk}prefLabel> \"bisphosphonate\" .",
             f"<{v}ZoledronicAcid> <{sk}prefLabel> \"zoledronic acid\" .",
             f"<{v}Onj> <{sk}prefLabel> \"osteonecrosis of the jaw\" ."]
    for doc, action, harm in (("a", "Bisphosphonate", "Onj"), ("b", "ZoledronicAcid", "Onj"),
                              ("c", "ZoledronicAcid", "AdverseEvent")):
        s, x = f"<{d}{doc}/statement/1>", f"<{d}{doc}/belief/1>"
        lines += [f"<{d}{doc}> <{gg}sourceFile> \"{doc}.txt\" .",
                  f"{s} <http://purl.org/dc/terms/isPartOf> <{d}{doc}> .",
                  f"{s} <{gg}populationCell> <https://w3id.org/guidegraph/id/population/all> .",
                  f"{s} <{gg}belief> {x} .", f"{x} <{gg}action> <{v}{action}> .",
                  f"{x} <{gg}effect> <{gg}effectCauses> .", f"{x} <{gg}outcome> <{d}{doc}/belief/1/outcome> .",
                  f"<{d}{doc}/belief/1/outcome> <{gg}partConcept> <{v}{harm}> ."]
    store = ox.Store()
    store.load("\n".join(lines).encode(), ox.RdfFormat.N_TRIPLES)
    return store


def test_documents_that_name_the_same_harm_of_an_action_or_a_narrower_one_agree_on_it():
    from pathlib import Path

    from guidegraph.namespaces import PREFIXES

    query = (Path(__file__).resolve().parent.parent / "queries" / "checks" / "repeated-recommendation.rq").read_text()
    triples = list(_harm_store().query(query, prefixes=PREFIXES, use_default_graph_as_union=True))
    comments = [t.object.value for t in triples if t.predicate.value.endswith("#comment")]
    (comment,) = comments  # the file list follows the store's order
    assert comment.startswith("2 documents say that bisphosphonate or a narrower action can cause osteonecrosis of "
                              "the jaw (") and comment.endswith("): the sources agree on the harm.")
    assert "a.txt" in comment and "b.txt" in comment and "c.txt" not in comment
    involved = sorted(t.object.value.split("/")[-3] for t in triples if t.predicate.value.endswith("#involves"))
    # the statement naming only "side effects" takes no part
    assert involved == ["a", "b"]
