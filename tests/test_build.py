"""Building the corpus into the store: figures, stable IRIs, anchors, atomic rebuilds, bad input."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from guidegraph.build import build
from guidegraph.errors import CorpusError, StoreError
from guidegraph.namespaces import document_graph_iri
from guidegraph.rdf.triples import document_graph
from guidegraph.store import store_stats
from guidegraph.store.embedded import Store

from .conftest import CORPUS, ROOT


def test_the_store_holds_the_hand_counted_corpus_figures(built_store):
    totals = store_stats(built_store)["totals"]
    assert totals == {"documents": 5, "sections": 75, "statements": 377, "markers": 163, "dangling": 20,
                      "references": 20, "triples": totals["triples"]}
    assert totals["triples"] > 11_000


def test_every_anchor_quote_equals_the_raw_text_at_its_offsets_in_sparql(built_store):
    ds = built_store.dataset()
    rows = list(ds.query("""
        SELECT ?exact ?text WHERE {
          ?a oa:hasBody ?st ; oa:hasTarget ?t .
          ?t oa:hasSource ?doc ; oa:hasSelector ?pos, ?quote .
          ?pos a oa:TextPositionSelector ; oa:start ?s ; oa:end ?e .
          ?quote a oa:TextQuoteSelector ; oa:exact ?exact .
          ?doc gg:rawText ?raw .
          BIND(SUBSTR(?raw, ?s + 1, ?e - ?s) AS ?text)
        }"""))
    assert len(rows) == 377
    assert all(str(r.exact) == str(r.text) for r in rows)


def test_statement_offsets_quote_the_raw_text_in_sparql(built_store):
    ds = built_store.dataset()
    bad = list(ds.query("""
        SELECT ?st WHERE {
          ?st a gg:Statement ; gg:start ?s ; gg:end ?e ; dcterms:isPartOf ?doc .
          ?doc gg:rawText ?raw .
          ?a oa:hasBody ?st ; oa:hasTarget/oa:hasSelector/oa:exact ?exact .
          FILTER(SUBSTR(?raw, ?s + 1, ?e - ?s) != ?exact)
        }"""))
    assert bad == []


def test_markers_resolve_to_references_and_derive_cites_as_evidence(built_store):
    ds = built_store.dataset()
    resolved = list(ds.query("SELECT (COUNT(*) AS ?n) WHERE { ?m a c4o:InTextReferencePointer ; c4o:denotes ?r }"))
    assert int(resolved[0][0]) == 163 - 20
    pairs = list(ds.query("""SELECT (COUNT(*) AS ?n) WHERE {
        SELECT DISTINCT ?st ?r WHERE { ?m gg:citedBy ?st ; c4o:denotes ?r } }"""))
    evidence = list(ds.query("SELECT (COUNT(*) AS ?n) WHERE { ?st cito:citesAsEvidence ?r }"))
    assert int(evidence[0][0]) == int(pairs[0][0]) > 0


def test_one_named_graph_per_document_plus_provenance(built_store):
    graphs = set(store_stats(built_store)["graphs"])
    slugs = [p.stem for p in CORPUS.glob("*.txt")]
    assert {str(document_graph_iri(s)) for s in slugs} <= graphs
    assert "https://w3id.org/guidegraph/id/graph/provenance" in graphs


def test_provenance_records_inputs_with_sha256_and_library_versions(built_store):
    ds = built_store.dataset()
    rows = list(ds.query("""SELECT ?file ?sha WHERE { GRAPH ggid:graph\\/provenance {
        ?b a prov:Activity ; prov:startedAtTime ?t0 ; prov:endedAtTime ?t1 ; prov:used ?f .
        ?f gg:sourceFile ?file ; gg:sha256 ?sha } }""".replace("ggid:graph\\/provenance",
                                                                "<https://w3id.org/guidegraph/id/graph/provenance>")))
    import hashlib

    assert len(rows) == 5
    for r in rows:
        assert hashlib.sha256((CORPUS / str(r.file)).read_bytes()).hexdigest() == str(r.sha)
    versions = {str(r[0]).split()[0] for r in ds.query("SELECT ?v WHERE { ?a gg:softwareVersion ?v }")}
    assert {"python", "guidegraph", "rdflib", "pyoxigraph", "oxrdflib"} <= versions


def test_two_builds_give_isomorphic_document_and_inferred_graphs(tmp_path, built_store):
    other = Store(tmp_path / "again")
    build(None, other)
    iris = [document_graph_iri(p.stem) for p in sorted(CORPUS.glob("*.txt"))]
    for iri in iris + [URIRef("https://w3id.org/guidegraph/id/graph/inferred")]:
        a, b = Graph(), Graph()
        a += built_store.graph(iri)
        b += other.graph(iri)
        if not isomorphic(a, b):
            _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
            pytest.fail(f"{iri} differs:\n{only_a.serialize(format='nt')}\n---\n{only_b.serialize(format='nt')}")
        assert len(a) > 1000


def _plain_strings(g: Graph) -> Graph:
    # Oxigraph spells a plain literal with its RDF 1.1 datatype xsd:string; rdflib leaves it out
    from rdflib.namespace import XSD  # imported here: pytest warns when it inspects the namespace

    out = Graph()
    for s, p, o in g:
        if isinstance(o, Literal) and o.datatype == XSD.string:
            o = Literal(str(o))
        out.add((s, p, o))
    return out


def test_the_store_graph_equals_the_library_graph_of_the_document(corpus_docs, built_store):
    from guidegraph.annotate.statements import annotate
    from guidegraph.annotate.vocabulary import load_vocabulary

    doc = corpus_docs["oracle-breast-cancer-bone-metastasis"]
    stored = _plain_strings(built_store.graph(document_graph_iri(doc.slug)))
    expected = _plain_strings(document_graph(doc, annotate(doc, load_vocabulary())))
    if not isomorphic(stored, expected):
        _, only_store, only_library = graph_diff(to_isomorphic(stored), to_isomorphic(expected))
        pytest.fail(f"store only:\n{only_store.serialize(format='nt')[:3000]}\nlibrary only:\n"
                    f"{only_library.serialize(format='nt')[:3000]}")


def _corpus_with_bad_files(folder):
    folder.mkdir()
    for name in ("oracle-breast-cancer-bone-metastasis.txt", "acs-treating-bone-metastases.txt"):
        shutil.copy(CORPUS / name, folder / name)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 100)
    (folder / "latin1.txt").write_bytes("Résumé\n\nDose de 4 mg.\n".encode("latin-1"))
    with open(folder / "huge.txt", "wb") as f:
        f.truncate(20 * 1024 * 1024)
    return folder


def test_bad_documents_are_reported_and_the_rest_still_builds(tmp_path):
    store = Store(tmp_path / "store")
    report = build([_corpus_with_bad_files(tmp_path / "mixed")], store, reason=False, check_shapes=False)
    assert [d.slug for d in report.documents] == ["acs-treating-bone-metastases",
                                                  "oracle-breast-cancer-bone-metastasis"]
    messages = sorted(f.message for f in report.failures)
    assert len(messages) == 4
    assert any("binary.txt: file is binary" in m for m in messages)
    assert any("empty.txt: file is empty" in m for m in messages)
    assert any("huge.txt: file is 20,971,520 bytes" in m for m in messages)
    assert any("latin1.txt: not valid UTF-8" in m for m in messages)
    assert store_stats(store)["totals"]["statements"] == 39 + 125
    failed = list(store.dataset().query("SELECT ?f WHERE { ?b gg:failedInput/gg:sourceFile ?f }"))
    assert len(failed) == 4


def test_cli_build_exits_1_when_some_input_failed_and_names_it(tmp_path, run_cli):
    result = run_cli("build", _corpus_with_bad_files(tmp_path / "mixed"), "--store", tmp_path / "s", "--no-reason",
                     "--no-validate")
    assert result.returncode == 1
    assert "empty.txt: file is empty" in result.stderr
    assert "Built 2 documents" in result.stdout


def test_a_build_where_every_input_fails_leaves_the_previous_store_untouched(tmp_path):
    store = Store(tmp_path / "store")
    build([CORPUS / "oracle-osteoblastic-metastases.txt"], store, reason=False, check_shapes=False)
    before = store.current
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_text("")
    with pytest.raises(CorpusError, match="no document could be built, the store was left as it was"):
        build([bad], store)
    assert store.current == before
    assert store_stats(store)["totals"]["statements"] == 36


def test_missing_folder_and_folder_without_documents_are_clear_errors(tmp_path):
    with pytest.raises(CorpusError, match="no such file or folder"):
        build([tmp_path / "nowhere"], Store(tmp_path / "s"))
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "x.png").write_bytes(b"\x89PNG")
    with pytest.raises(CorpusError, match="no documents in this folder"):
        build([tmp_path / "images"], Store(tmp_path / "s"))


def test_a_store_path_that_cannot_be_written_is_refused_before_any_work(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot write the store at .*a-file/store.*choose another path"):
        build(None, Store(blocker / "store"))


def test_a_build_that_fails_while_writing_keeps_the_previous_generation(tmp_path, monkeypatch):
    store = Store(tmp_path / "store")
    build([CORPUS / "oracle-osteoblastic-metastases.txt"], store, reason=False, check_shapes=False)
    before = store.current

    import guidegraph.build as build_module

    def broken_provenance(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(build_module, "provenance_graph", broken_provenance)
    with pytest.raises(RuntimeError, match="disk on fire"):
        build(None, store, reason=False, check_shapes=False)
    assert store.current == before
    assert store_stats(store)["totals"]["documents"] == 1
    assert not [p for p in (store.path / "generations").iterdir() if p.name.endswith((".partial", ".nq"))]


def test_a_build_killed_half_way_leaves_the_previous_store_answering(tmp_path):
    from bench.synth import write_corpus

    store_path = tmp_path / "store"
    build([CORPUS], Store(store_path), reason=False, check_shapes=False)
    before = Store(store_path).current
    write_corpus(tmp_path / "big", 400)
    proc = subprocess.Popen([sys.executable, "-m", "guidegraph", "build", tmp_path / "big", "--store", store_path,
                             "--quiet", "--no-reason", "--no-validate"], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    gens = store_path / "generations"
    deadline = time.monotonic() + 60
    # kill it once it has started writing the new generation
    while time.monotonic() < deadline and not any(p.name.endswith((".nq", ".partial")) for p in gens.iterdir()):
        time.sleep(0.01)
    assert proc.poll() is None, "the build finished before it could be killed; use a bigger corpus"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    store = Store(store_path)
    assert store.current == before
    assert store_stats(store)["totals"]["statements"] == 377
    # the next build clears what the killed one left behind
    build([CORPUS / "oracle-osteoblastic-metastases.txt"], store, reason=False, check_shapes=False)
    assert not [p for p in gens.iterdir() if p.name.endswith((".partial", ".nq"))]


def test_a_relative_store_path_keeps_working_after_a_change_of_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    build([CORPUS / "oracle-breast-cancer-bone-metastasis.txt"], Store("rel/store"), reason=False, check_shapes=False)
    monkeypatch.chdir(ROOT)
    assert Store(tmp_path / "rel" / "store").exists()
    assert os.readlink(tmp_path / "rel" / "store" / "current").startswith("generations/")


def test_two_files_with_the_same_slug_keep_the_first_and_report_the_second(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    shutil.copy(CORPUS / "oracle-osteoblastic-metastases.txt", a / "same.txt")
    shutil.copy(CORPUS / "oracle-breast-cancer-bone-metastasis.txt", b / "same.txt")
    report = build([a / "same.txt", b / "same.txt"], Store(tmp_path / "s"), reason=False, check_shapes=False)
    assert len(report.documents) == 1
    assert "identifier 'same' is taken" in report.failures[0].message


def test_the_environment_variable_chooses_the_store(tmp_path, run_cli):
    result = run_cli("build", CORPUS / "oracle-osteoblastic-metastases.txt", "--quiet", "--no-reason", "--no-validate",
                     env={"GUIDEGRAPH_STORE": str(tmp_path / "envstore")})
    assert result.returncode == 0, result.stderr
    assert Store(tmp_path / "envstore").exists()


def test_statement_iris_do_not_depend_on_other_documents(tmp_path, built_store):
    alone = Store(tmp_path / "alone")
    build([CORPUS / "oracle-esophageal-cancer-bone-metastases.txt"], alone, reason=False, check_shapes=False)
    q = "SELECT ?s WHERE { ?s a gg:Statement } ORDER BY ?s"
    iri = document_graph_iri("oracle-esophageal-cancer-bone-metastases")
    one = [r[0] for r in alone.graph(iri).query(q)]
    full = [r[0] for r in built_store.graph(iri).query(q)]
    assert one == full and len(one) == 53 and all(isinstance(x, URIRef) for x in one)
