"""The saved query library: every file parses, has its headers and answers on the corpus."""
from __future__ import annotations

import json

import pytest
from rdflib.plugins.sparql import prepareQuery

from graph.namespaces import PREFIXES
from graph.queries import load_queries
from graph.sparql import run_query

SAVED = load_queries()

# what each saved query must return on the default corpus (rows), counted by hand
EXPECTED_ROWS = {
    "bone-modifying-agent-recommendations": 22,
    "dangling-markers": 20,
    "documents": 5,
    "statement-provenance": 1,
}


def test_every_saved_query_has_an_expected_result_here():
    assert set(SAVED) == set(EXPECTED_ROWS)


@pytest.mark.parametrize("name", sorted(SAVED))
def test_saved_query_is_valid_sparql_with_headers(name):
    q = SAVED[name]
    assert q.title and q.title != name and q.description and q.audience
    prepareQuery(q.text, initNs=PREFIXES)
    for p in q.params:
        assert p.example, f"{name}: parameter {p.name} needs an example value"


@pytest.mark.parametrize("name", sorted(SAVED))
def test_saved_query_answers_on_the_corpus(built_store, name):
    q = SAVED[name]
    outcome = run_query(built_store.path, q.text, q.bindings({}, use_examples=True))
    rows = json.loads(outcome.body)["results"]["bindings"]
    assert len(rows) == EXPECTED_ROWS[name]
