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
