"""The guidegraph command line: every command, its formats and its exit codes."""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from rdflib import Dataset, Graph

from .conftest import CORPUS

ESO_ZOLEDRONIC = ("https://w3id.org/guidegraph/id/document/oracle-esophageal-cancer-bone-metastases/statement/1801")


def test_help_is_there_for_every_command(run_cli):
    for command in ("build", "stats", "export", "query", "queries"):
        result = run_cli(command, "--help")
        assert result.returncode == 0 and "--store" in result.stdout or command == "queries"
    assert "Exit codes" in run_cli("--help").stdout


def test_an_unknown_command_is_a_usage_error_with_exit_2(run_cli):
    result = run_cli("frobnicate")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_build_prints_the_summary_and_stats_agrees(corpus_cli_build, run_cli):
    built = corpus_cli_build  # `guidegraph build --store STORE`, run once for the whole suite
    store = built.args[-1]
    assert built.returncode == 0, built.stderr
    assert "Built 5 documents" in built.stdout
    assert "markers          163  (20 dangling)" in built.stdout
    stats = run_cli("stats", "--store", store, "--format", "json")
    totals = json.loads(stats.stdout)["totals"]
    assert (totals["statements"], totals["markers"], totals["dangling"], totals["references"]) == (377, 163, 20, 20)


def test_build_json_summary_has_per_document_figures(tmp_path, run_cli):
    result = run_cli("build", CORPUS / "oracle-breast-cancer-bone-metastasis.txt", "--store", tmp_path / "s",
                     "--format", "json", "--no-validate")
    report = json.loads(result.stdout)
    assert report["documents"][0]["markers"] == 46 and report["documents"][0]["dangling"] == 2
    assert report["failures"] == []


def test_commands_on_a_store_never_built_say_what_to_do(tmp_path, run_cli):
    result = run_cli("stats", "--store", tmp_path / "empty")
    assert result.returncode == 2
    assert "run `guidegraph build` first" in result.stderr


@pytest.mark.parametrize("fmt,parse", [
    ("json", lambda out: len(json.loads(out)["results"]["bindings"])),
    ("csv", lambda out: len(list(csv.DictReader(io.StringIO(out))))),
    ("tsv", lambda out: len(out.strip().splitlines()) - 1),
    ("xml", lambda out: len(ET.fromstring(out).findall(".//{http://www.w3.org/2005/sparql-results#}result"))),
])
def test_select_results_come_in_every_w3c_format(built_store, run_cli, fmt, parse):
    result = run_cli("query", "dangling-markers", "--store", built_store.path, "--format", fmt)
    assert result.returncode == 0, result.stderr
    assert parse(result.stdout) == 20


def test_ask_and_table_output(built_store, run_cli):
    ask = run_cli("query", "-", "--store", built_store.path, "--format", "json",
                  input="ASK { ?m a c4o:InTextReferencePointer ; gg:number 7 }")
    assert json.loads(ask.stdout)["boolean"] is True
    table = run_cli("query", "documents", "--store", built_store.path)
    assert "(5 rows)" in table.stdout and "ggid:document/acs-treating-bone-metastases" in table.stdout


@pytest.mark.parametrize("fmt,rdflib_format", [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld"),
                                               ("xml", "xml")])
def test_construct_results_are_rdf(built_store, run_cli, fmt, rdflib_format):
    query = "CONSTRUCT { ?r dcterms:title ?t } WHERE { ?r a biro:BibliographicReference ; dcterms:title ?t }"
    result = run_cli("query", "-", "--store", built_store.path, "--format", fmt, input=query)
    assert result.returncode == 0, result.stderr
    assert len(Graph().parse(data=result.stdout, format=rdflib_format)) == 20


def test_saved_query_with_a_parameter(built_store, run_cli):
    result = run_cli("query", "statement-provenance", "--store", built_store.path, "--format", "json",
                     "--param", f"statement={ESO_ZOLEDRONIC}")
    rows = json.loads(result.stdout)["results"]["bindings"]
    assert len(rows) == 1
    row = rows[0]
    assert row["heading"]["value"] == "Bone-Directed Therapy"
    assert row["number"]["value"] == "3"
    assert row["referenceTitle"]["value"] == "Esophageal Cancer Treatment Guidelines"
    raw = (CORPUS / "oracle-esophageal-cancer-bone-metastases.txt").read_text(encoding="utf-8")
    assert raw[int(row["start"]["value"]):int(row["end"]["value"])] == row["exact"]["value"]


def test_saved_query_without_its_parameter_says_which_is_missing(built_store, run_cli):
    result = run_cli("query", "statement-provenance", "--store", built_store.path)
    assert result.returncode == 2
    assert "needs --param statement=" in result.stderr


def test_a_query_file_runs(tmp_path, built_store, run_cli):
    f = tmp_path / "count.rq"
    f.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s a gg:Section }")
    result = run_cli("query", f, "--store", built_store.path, "--format", "csv")
    assert result.stdout.splitlines()[1] == "75"


def test_an_unknown_query_name_is_a_clear_error(built_store, run_cli):
    result = run_cli("query", "no-such-query", "--store", built_store.path)
    assert result.returncode == 2 and "`guidegraph queries` lists the saved ones" in result.stderr


@pytest.mark.parametrize("query,message", [
    ("SELECT * WHERE { ?s ?p }", "syntax error at line 1"),
    ("DELETE WHERE { ?s ?p ?o }", "updates are refused"),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "updates are refused"),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE is refused"),
    ("hello", "not a SPARQL query"),
])
def test_malformed_and_hostile_queries_exit_2_with_a_message(built_store, run_cli, query, message):
    result = run_cli("query", "-", "--store", built_store.path, input=query)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_a_query_that_never_ends_is_stopped_at_the_timeout(built_store, run_cli):
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    result = run_cli("query", "-", "--store", built_store.path, "--timeout", "1", input=endless)
    assert result.returncode == 2
    assert "query stopped after 1 s" in result.stderr


@pytest.mark.parametrize("fmt,rdflib_format", [("trig", "trig"), ("nquads", "nquads"), ("jsonld", "json-ld")])
def test_export_keeps_named_graphs(built_store, run_cli, tmp_path, fmt, rdflib_format):
    out = tmp_path / f"export.{fmt}"
    result = run_cli("export", "--store", built_store.path, "--format", fmt, "-o", out)
    assert result.returncode == 0, result.stderr
    ds = Dataset()
    ds.parse(out, format=rdflib_format)
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert "https://w3id.org/guidegraph/id/graph/document/oracle-osteoblastic-metastases" in names
    # five documents, provenance, ontology, vocabulary, inferred, validation, findings, populations
    assert len(names) == 12


def test_export_of_one_graph_as_turtle(built_store, run_cli):
    from guidegraph.store import store_stats

    iri = "https://w3id.org/guidegraph/id/graph/document/oracle-osteoblastic-metastases"
    result = run_cli("export", "--store", built_store.path, "--format", "turtle", "--graph", iri)
    g = Graph().parse(data=result.stdout, format="turtle")
    assert len(g) == store_stats(built_store)["graphs"][iri] > 1000
    unknown = run_cli("export", "--store", built_store.path, "--graph", "https://example.org/nothing")
    assert unknown.returncode == 2 and "no named graph" in unknown.stderr


def test_queries_lists_every_saved_query_with_its_parameters(run_cli):
    result = run_cli("queries")
    assert "statement-provenance" in result.stdout and "--param statement=" in result.stdout
    listed = json.loads(run_cli("queries", "--format", "json").stdout)
    assert {q["name"] for q in listed} >= {"dangling-markers", "documents", "statement-provenance"}
