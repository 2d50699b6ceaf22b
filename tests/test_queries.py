"""The saved query library: every file parses, has its headers and answers on the corpus."""
from __future__ import annotations

import json

import pytest
from rdflib.plugins.sparql import prepareQuery

from guidegraph.namespaces import PREFIXES
from guidegraph.query.run import run_query
from guidegraph.query.saved import load_queries

SAVED = load_queries()

# what each saved query must return on the default corpus (rows), counted by hand
EXPECTED_ROWS = {
    "agreements-across-documents": 13,
    # with the reported advice to see a dentist before one; strontium-89 is a radiopharmaceutical, not one of them
    "bone-modifying-agent-recommendations": 22,
    # 4 contradictions (10 statements), effect disagreements (the poor-effect tension 3, two more 2 each), the
    # restriction conflict (3), 2 safety conflicts (2 each), the schedule and the timing conflicts (2 each)
    "conflicts-across-documents": 28,
    "document-citations": 4,
    "documents-by-date": 5,
    "dose-schedules-of-drug": 7,  # zoledronic acid 6 (two in one breast statement), denosumab 1
    "findings": 39,  # warning and above: 20 errors, 19 warnings (docs/checks.md)
    "pathway-steps": 4,
    "recommendations-for-population": 9,
    "shacl-report": 5,
    "statements-about-concept": 29,
    "uncited-statements": 13,
    "unused-references": 8,  # the ACS bibliography, which no marker cites
    "dangling-markers": 20,
    "documents": 5,
    "statement-provenance": 3,  # the example: the recommendation with the most resolved markers (1, 3, 4)
}


def test_every_saved_query_has_an_expected_result_here():
    assert set(SAVED) == set(EXPECTED_ROWS)


@pytest.mark.parametrize("name", sorted(SAVED))
def test_saved_query_is_valid_sparql_with_headers(name):
    q = SAVED[name]
    assert q.title and q.title != name and q.description and q.audience
    prepareQuery(q.text, initNs=PREFIXES)
    for p in q.params:
        assert p.example or p.example_pattern, f"{name}: parameter {p.name} needs an example value or pattern"


@pytest.mark.parametrize("name", sorted(SAVED))
def test_saved_query_answers_on_the_corpus(built_store, name):
    q = SAVED[name]
    outcome = run_query(built_store.path, q.text, q.bindings({}, use_examples=True, store=built_store))
    rows = json.loads(outcome.body)["results"]["bindings"]
    assert len(rows) == EXPECTED_ROWS[name]


def test_document_citations_count_the_statements_citing_each_reference(built_store):
    q = SAVED["document-citations"]
    esophageal = "ggid:document/oracle-esophageal-cancer-bone-metastases"
    outcome = run_query(built_store.path, q.text, q.bindings({"document": esophageal}))
    rows = json.loads(outcome.body)["results"]["bindings"]
    # esophageal markers per number (docs/corpus-figures.md): 1×14, 2×27, 3×10, 4×12
    counts = [(int(r["number"]["value"]), int(r["markers"]["value"])) for r in rows]
    assert counts == [(1, 14), (2, 27), (3, 10), (4, 12)]


def test_documents_by_date_puts_the_newest_first_with_its_age(built_store):
    q = SAVED["documents-by-date"]
    rows = json.loads(run_query(built_store.path, q.text, {}).body)["results"]["bindings"]
    latest = [r["latest"]["value"] for r in rows]
    assert latest == ["2026-02-01", "2025-11-22", "2025-11-01", "2023-04-26", "2016-12-16"]
    ages = [int(r["ageDays"]["value"]) for r in rows]
    assert ages == sorted(ages) and ages[-1] - ages[0] == 3334
