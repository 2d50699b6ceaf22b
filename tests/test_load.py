"""guidegraph load: analysts' own RDF in a named graph, kept across rebuilds."""
from __future__ import annotations

import json

import pytest
from rdflib import Graph, Literal, URIRef

from guidegraph.build import build
from guidegraph.store.embedded import Store

from .conftest import CORPUS

NOTES = "https://example.org/my-notes"
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{NOTES}> {{ ?s ?p ?o }} }}"


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "store")
    build([CORPUS / "oracle-osteoblastic-metastases.txt"], s, reason=False, check_shapes=False)
    return s


def _count(run_cli, store) -> int:
    out = run_cli("query", "-", "--store", store.path, "--format", "json", input=COUNT)
    return int(json.loads(out.stdout)["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("suffix,fmt", [(".ttl", "turtle"), (".nt", "nt"), (".rdf", "xml"), (".jsonld", "json-ld"),
                                        (".trig", "trig")])
def test_each_rdf_syntax_loads_into_the_named_graph(tmp_path, store, run_cli, suffix, fmt):
    g = Graph()
    g.add((URIRef("https://example.org/n1"), URIRef("https://example.org/says"), Literal("check renal function")))
    g.add((URIRef("https://example.org/n1"), URIRef("https://example.org/about"),
           URIRef("https://w3id.org/guidegraph/vocabulary#ZoledronicAcid")))
    path = tmp_path / f"notes{suffix}"
    g.serialize(destination=str(path), format=fmt, encoding="utf-8")
    result = run_cli("load", path, "--graph", NOTES, "--store", store.path)
    assert result.returncode == 0, result.stderr
    assert "loaded 2 triples" in result.stdout
    assert _count(run_cli, store) == 2


def test_loaded_graphs_survive_a_rebuild_and_a_reload_replaces_them(tmp_path, store, run_cli):
    first = tmp_path / "a.ttl"
    first.write_text("<https://example.org/a> <https://example.org/p> 1, 2, 3 .")
    run_cli("load", first, "--graph", NOTES, "--store", store.path)
    build([CORPUS / "oracle-breast-cancer-bone-metastasis.txt"], Store(store.path), reason=False, check_shapes=False)
    assert _count(run_cli, store) == 3
    second = tmp_path / "b.ttl"
    second.write_text("<https://example.org/a> <https://example.org/p> 9 .")
    run_cli("load", second, "--graph", NOTES, "--store", store.path)
    assert _count(run_cli, store) == 1


def test_a_bad_file_is_refused_and_loads_nothing(tmp_path, store, run_cli):
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is { not turtle")
    before = Store(store.path).current
    result = run_cli("load", bad, "--graph", NOTES, "--store", store.path)
    assert result.returncode == 2 and "bad.ttl: not valid Turtle" in result.stderr and "line 1" in result.stderr
    assert Store(store.path).current == before and _count(run_cli, store) == 0


def test_guidegraphs_own_graphs_and_unknown_syntaxes_are_refused(tmp_path, store, run_cli):
    f = tmp_path / "x.ttl"
    f.write_text("<https://example.org/a> <https://example.org/p> 1 .")
    own = run_cli("load", f, "--graph", "https://w3id.org/guidegraph/id/graph/inferred", "--store", store.path)
    assert own.returncode == 2 and "one of guidegraph's own graphs" in own.stderr
    odd = tmp_path / "x.data"
    odd.write_text("whatever")
    unknown = run_cli("load", odd, "--graph", NOTES, "--store", store.path)
    assert unknown.returncode == 2 and "give --format" in unknown.stderr
