"""Reasoning: HermiT on the shipped ontology, realisation of the corpus, explanations, failures."""
from __future__ import annotations

import json

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from guidegraph.paths import ontology_dir
from guidegraph.reason import Fact, classify, defined_classes, reason, tbox

ONTOLOGY_DIR = ontology_dir()

GG = "https://w3id.org/guidegraph/ontology#"
GGV = "https://w3id.org/guidegraph/vocabulary#"
INFERRED = "https://w3id.org/guidegraph/id/graph/inferred"
BREAST_ZOLEDRONATE = "https://w3id.org/guidegraph/id/document/oracle-breast-cancer-bone-metastasis/statement/1277"


def test_the_shipped_ontology_and_vocabulary_are_consistent_under_hermit():
    c = classify(tbox())
    assert c.consistent and c.unsatisfiable == []
    assert GGV + "BoneModifyingAgent" in c.superclasses[GGV + "ZoledronicAcid"]
    # HermiT derives this from the two definitions; nobody asserted it
    assert (GG + "BoneModifyingAgentRecommendation", GG + "DrugRecommendation") in c.inferred_subsumptions


def test_the_ontology_defines_the_statement_classes_the_realisation_uses():
    names = {d.iri[len(GG):] for d in defined_classes(tbox())}
    assert names == {"BoneModifyingAgentRecommendation", "RadiotherapyRecommendation", "DrugRecommendation",
                     "SurgicalRecommendation", "SafetyPrecaution", "Contraindication", "NegativeRecommendation"}


def test_realisation_places_a_statement_by_the_classified_hierarchy_with_its_premises():
    facts = [Fact("urn:s", str(RDF.type), GG + "Recommendation", "its modality is 'recommend'"),
             Fact("urn:s", GG + "aboutIntervention", GGV + "Denosumab", 'the words "Xgeva" at 4-9', "urn:m")]
    result = reason(facts)
    assert {str(o) for o in result.inferred.objects(URIRef("urn:s"), RDF.type)} == {
        GG + "BoneModifyingAgentRecommendation", GG + "DrugRecommendation"}
    assert result.inferences == 2


def test_an_inconsistent_fixture_is_reported_with_its_reason():
    facts = [Fact("urn:s", str(RDF.type), GG + "Recommendation"), Fact("urn:s", str(RDF.type), GG + "Claim")]
    result = reason(facts)
    assert result.classification.consistent is False
    assert "urn:s is asserted to be both" in result.classification.message
    assert "owl:disjointWith" in result.classification.message
    assert len(result.inferred) == 0
    assert any("no inferences" in n for n in result.notes)


def test_without_java_the_build_completes_without_inferences_and_says_so(tmp_path, monkeypatch):
    from guidegraph.build import build
    from guidegraph.store.embedded import Store

    from .conftest import CORPUS

    monkeypatch.setenv("PATH", str(tmp_path))  # no java on this PATH
    monkeypatch.delenv("GUIDEGRAPH_JAVA", raising=False)
    report = build([CORPUS / "oracle-esophageal-cancer-bone-metastases.txt"], Store(tmp_path / "s"), check_shapes=False)
    assert report.reasoning["inferences"] == 0
    assert any("Java was not found" in n for n in report.reasoning["notes"])
    assert Store(tmp_path / "s").exists()


def test_the_corpus_bone_modifying_agent_recommendations_come_from_every_kind_of_wording(built_store):
    rows = built_store.dataset().query("""
        SELECT DISTINCT ?st ?words WHERE {
          GRAPH <https://w3id.org/guidegraph/id/graph/inferred> { ?st a gg:BoneModifyingAgentRecommendation }
          ?m gg:inStatement ?st ; gg:concept ?c ; gg:asWritten ?words .
          ?c rdfs:subClassOf* ggv:BoneModifyingAgent .
        }""")
    words = {str(r.words).lower() for r in rows}
    assert {"zoledronate", "zoledronic acid", "bisphosphonates", "denosumab", "bmas"} <= words
    docs = {str(r.st).split("/statement/")[0].rsplit("/", 1)[-1] for r in rows}
    assert docs == {"acs-treating-bone-metastases", "oracle-breast-cancer-bone-metastasis",
                    "oracle-esophageal-cancer-bone-metastases", "oracle-osteoblastic-metastases"}


def test_inferred_triples_live_only_in_the_inferred_graph(built_store):
    ds = built_store.dataset()
    asserted = ds.query("""ASK { GRAPH ?g { ?s a gg:BoneModifyingAgentRecommendation }
                               FILTER(?g != <https://w3id.org/guidegraph/id/graph/inferred>) }""")
    assert asserted.askAnswer is False


def test_explain_prints_why_a_statement_is_about_a_bone_modifying_agent(built_store, run_cli):
    result = run_cli("explain", BREAST_ZOLEDRONATE, "--store", built_store.path)
    assert result.returncode == 0, result.stderr
    first = result.stdout.split("\n\n")[0].splitlines()
    statement = "ggid:document/oracle-breast-cancer-bone-metastasis/statement/1277"
    assert first == [
        f"{statement} rdf:type gg:BoneModifyingAgentRecommendation  because:",
        f"  1. {statement} is a gg:Recommendation (asserted: its modality is 'consider')",
        f'  2. {statement} gg:aboutIntervention ggv:ZoledronicAcid (asserted: the words "Zoledronate" at 1277-1288 '
        "of oracle-breast-cancer-bone-metastasis.txt)",
        "  3. ggv:ZoledronicAcid ⊑ ggv:Bisphosphonate ⊑ ggv:BoneModifyingAgent (vocabulary, confirmed by HermiT "
        f"(owlready2 {first[3].split('owlready2 ')[1].split(')')[0]}))",
        "  4. gg:BoneModifyingAgentRecommendation ≡ gg:Recommendation ⊓ ∃gg:aboutIntervention.ggv:BoneModifyingAgent "
        "(ontology axiom)",
        first[5],
    ]
    assert first[5].startswith("  (guidegraph realisation over the hierarchy classified by HermiT")


def test_explain_as_json_points_each_premise_at_its_node(built_store, run_cli):
    data = json.loads(run_cli("explain", BREAST_ZOLEDRONATE, "--store", built_store.path, "--format", "json").stdout)
    bma = next(d for d in data if d["object"].endswith("BoneModifyingAgentRecommendation"))
    assert [p["order"] for p in bma["premises"]] == [1, 2, 3, 4]
    assert bma["premises"][1]["refersTo"].endswith("oracle-breast-cancer-bone-metastasis/mention/1277")


def test_explain_an_unknown_iri_is_an_error(built_store, run_cli):
    result = run_cli("explain", "https://w3id.org/guidegraph/id/document/none", "--store", built_store.path)
    assert result.returncode == 2 and "unknown IRI" in result.stderr


def test_reason_recomputes_the_inferred_graph_of_a_store(tmp_path, run_cli):
    from guidegraph.build import build
    from guidegraph.store import store_stats
    from guidegraph.store.embedded import Store

    from .conftest import CORPUS

    store = Store(tmp_path / "s")
    build([CORPUS / "oracle-breast-cancer-bone-metastasis.txt"], store, reason=False, check_shapes=False)
    assert "https://w3id.org/guidegraph/id/graph/inferred" not in store_stats(store)["graphs"]
    result = run_cli("reason", "--store", store.path)
    assert result.returncode == 0, result.stderr
    assert "consistent" in result.stdout and "statements realised" in result.stdout
    graphs = store_stats(Store(store.path))["graphs"]
    assert graphs["https://w3id.org/guidegraph/id/graph/inferred"] > 100
    assert graphs["https://w3id.org/guidegraph/id/graph/document/oracle-breast-cancer-bone-metastasis"] > 1000


def _inferred_graph(store_path) -> Graph:
    """Copy a store's inferred graph into memory."""
    from guidegraph.store.embedded import Store

    g = Graph()
    for t in Store(store_path).graph(INFERRED):
        g.add(t)
    return g


def test_reason_over_a_built_store_gives_the_inferred_graph_the_build_wrote(built_store, tmp_path, run_cli):
    # one producer of facts: the build reads them back from the quads it writes, as `reason` reads the store
    import shutil

    from rdflib.compare import graph_diff, isomorphic, to_isomorphic

    copy = tmp_path / "store"  # the fixture is shared: reason over a copy of it
    shutil.copytree(built_store.path, copy, symlinks=True, ignore=shutil.ignore_patterns("write.lock"))
    built = _inferred_graph(copy)
    assert len(built) > 1000, "the build wrote no inferred graph to compare with (is Java there?)"
    assert any("(asserted: read from" in str(o) for o in built.objects(None, URIRef(GG + "explanation")))
    result = run_cli("reason", "--store", copy)  # a process of its own: its own string hashing too
    assert result.returncode == 0, result.stderr
    again = _inferred_graph(copy)
    if not isomorphic(built, again):
        _, only_built, only_reasoned = graph_diff(to_isomorphic(built), to_isomorphic(again))
        shown = [f"{sign} {' '.join(term.n3() for term in t)}"
                 for sign, part in (("-", only_built), ("+", only_reasoned)) for t in sorted(part)[:5]]
        raise AssertionError(f"{len(only_built)} triples only in the build's inferred graph, {len(only_reasoned)} only "
                             f"in the one `guidegraph reason` wrote:\n" + "\n".join(shown))


def test_the_shipped_owl_rendering_matches_the_turtle(run_cli):
    from rdflib.compare import isomorphic

    ttl = Graph().parse(ONTOLOGY_DIR / "guidegraph.ttl", format="turtle")
    owl = Graph().parse(ONTOLOGY_DIR / "guidegraph.owl", format="xml")
    assert isomorphic(ttl, owl)
    result = run_cli("ontology", "--check")
    assert result.returncode == 0, result.stderr
    assert "consistent" in result.stdout


def test_every_class_and_property_of_the_ontology_has_a_label_and_a_comment():
    from rdflib.namespace import OWL, RDFS

    g = Graph().parse(ONTOLOGY_DIR / "guidegraph.ttl", format="turtle")
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    missing = [s for k in kinds for s in g.subjects(RDF.type, k) if isinstance(s, URIRef)
               and str(s).startswith(GG) and (not g.value(s, RDFS.label) or not g.value(s, RDFS.comment))]
    assert missing == []
