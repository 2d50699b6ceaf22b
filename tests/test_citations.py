"""What annotation records for the citation checks (graph/annotate/citations.py)."""
from __future__ import annotations

import pytest

from guidegraph.annotate.statements import annotate
from guidegraph.annotate.vocabulary import load_vocabulary
from guidegraph.ingest.document import ingest_text

PAGE = """How are bone metastases in breast cancer treated?

Last updated: March 3, 2025View editorial policy

Treatment

Denosumab is recommended for bone metastases. 1

A single 8 Gy fraction relieves pain in 60% of patients, as effective as 5 daily fractions. 2

Patients should talk to their care team.

Acme Health assumes no liability for clinical decisions.

References

Guideline

Topic Overview

Acme Health Editorial Board, 2024

Guideline

Management of Hypercalcemia and Bone Spurs in Breast Cancer

Other Press, 2023
"""


@pytest.fixture(scope="module")
def read():
    vocab = load_vocabulary()
    doc = ingest_text(PAGE, "a.txt")
    return doc, annotate(doc, vocab).citations, vocab


def test_a_reference_from_the_documents_own_publisher_with_a_title_of_no_topic(read):
    doc, cit, _ = read
    assert doc.publisher == "Acme Health"
    assert [doc.references[k].number for k in cit.own_publisher] == [1]
    assert [doc.references[k].number for k in cit.generic_title] == [1]


def test_title_topics_no_citing_statement_shares_are_kept_with_their_words(read):
    doc, cit, vocab = read
    (k, unshared), = cit.off_topic.items()
    assert doc.references[k].number == 2
    assert sorted(vocab.label(c) for c in unshared) == ["bone spur", "hypercalcaemia"]
    words = {doc.raw[m.start:m.end] for m in cit.title_mentions if m.reference == k}
    # the document's topic is read in the title, but is no reason to flag it
    assert words == {"Hypercalcemia", "Bone Spurs", "Breast Cancer"}


def test_clinical_figures_are_doses_proportions_counts_and_compared_effects(read):
    doc, cit, _ = read
    figures = [doc.raw[f.start:f.end] for f in cit.figures]
    assert figures == ["8 Gy", "60%", "as effective as", "5 daily fractions"]


def test_a_statement_without_figures_claims_none(read):
    doc, cit, _ = read
    advice = next(i for i, st in enumerate(doc.statements) if st.text.startswith("Patients should talk"))
    assert all(f.statement != advice for f in cit.figures)
