"""Populations by logic: canonical cells and the exact solver (graph/checks/populations.py)."""
from __future__ import annotations

import pyoxigraph
import pytest

from guidegraph.annotate.vocabulary import load_vocabulary
from guidegraph.checks.populations import (
    GRAPH_POPULATIONS,
    Interval,
    Logic,
    Member,
    canonical,
    cell_iri,
    satisfiable,
)

V = "https://w3id.org/guidegraph/vocabulary#"
ECOG, SINS = V + "PerformanceStatus", V + "SINS"


@pytest.fixture(scope="module")
def logic():
    return Logic(load_vocabulary())


def cell(logic, intervals=(), members=(), scope=None):
    return canonical(list(intervals), list(members), scope, logic)


def overlap(logic, a, b):
    return satisfiable([a, b], logic)


def test_numeric_intervals_intersect_or_not(logic):
    low = cell(logic, [Interval(ECOG, 0, 2)])
    high = cell(logic, [Interval(ECOG, 3, 4)])
    one = cell(logic, [Interval(ECOG, None, 1)])
    assert not overlap(logic, low, high).overlap
    assert "no value in common" in overlap(logic, low, high).reason
    verdict = overlap(logic, low, one)
    assert verdict.overlap and "meet at 0-1" in verdict.reason
    # an open bound: "<60" and "≥60" share no value, "≤60" and "≥60" share 60
    below = cell(logic, [Interval(V + "CreatinineClearance", None, 60, high_open=True)])
    above = cell(logic, [Interval(V + "CreatinineClearance", 60, None)])
    assert not overlap(logic, below, above).overlap
    assert overlap(logic, cell(logic, [Interval(V + "CreatinineClearance", None, 60)]), above).overlap


def test_a_positive_class_and_a_negated_superclass_conflict(logic):
    her2 = cell(logic, members=[Member(V + "HER2PositiveBreastCancer")])
    not_breast = cell(logic, members=[Member(V + "BreastCancer", negated=True)])
    verdict = overlap(logic, her2, not_breast)
    assert not verdict.overlap and "is a kind of breast cancer" in verdict.reason
    # a negated subclass does not: HER2-positive breast cancer patients who are not triple-negative
    assert overlap(logic, her2, cell(logic, members=[Member(V + "TripleNegativeBreastCancer", negated=True)])).overlap


def test_disjoint_classes_and_disjoint_ancestors_conflict(logic):
    pre = cell(logic, members=[Member(V + "Premenopausal")])
    post = cell(logic, members=[Member(V + "Postmenopausal")])
    assert not overlap(logic, pre, post).overlap
    # HER2-positive breast cancer is under breast cancer, declared disjoint from esophageal cancer
    her2 = cell(logic, members=[Member(V + "HER2PositiveBreastCancer")])
    adeno = cell(logic, members=[Member(V + "EsophagealAdenocarcinoma")])
    verdict = overlap(logic, her2, adeno)
    assert not verdict.overlap and "declared disjoint" in verdict.reason


def test_a_subset_overlaps(logic):
    breast = cell(logic, scope=[V + "BreastCancer"])
    narrower = cell(logic, [Interval(ECOG, 0, 2)], [Member(V + "Postmenopausal")], scope=[V + "BreastCancer"])
    assert overlap(logic, breast, narrower).overlap
    assert overlap(logic, cell(logic, scope=[V + "Cancer"]), breast).overlap


def test_a_scope_of_several_cancers_is_a_disjunction(logic):
    either = cell(logic, scope=[V + "BreastCancer", V + "ProstateCancer"])
    assert overlap(logic, either, cell(logic, scope=[V + "ProstateCancer"])).overlap
    assert not overlap(logic, either, cell(logic, scope=[V + "EsophagealCancer"])).overlap


def test_the_canonical_key_is_stable_and_drops_what_is_implied(logic):
    a = cell(logic, [Interval(ECOG, 0, 2), Interval(ECOG, None, 1)],
             [Member(V + "Postmenopausal"), Member(V + "HER2PositiveBreastCancer"), Member(V + "BreastCancer")],
             scope=[V + "BreastCancer"])
    b = cell(logic, [Interval(ECOG, None, 1), Interval(ECOG, 0, 2)],
             [Member(V + "BreastCancer"), Member(V + "HER2PositiveBreastCancer"), Member(V + "Postmenopausal")],
             scope=[V + "BreastCancer"])
    assert a == b and a.key() == b.key() and a.iri() == b.iri() == cell_iri(a.key())
    # breast cancer (and the scope) follow from HER2-positive breast cancer; the ECOG values meet at 0-1
    assert a.key() == (f"is {V}HER2PositiveBreastCancer; is {V}Postmenopausal; {ECOG} in [0,1]")
    # the whole of a scale is no criterion
    assert cell(logic, [Interval(SINS, 0, 18)]).key() == ""


def _rows(store, query):
    found = store.oxigraph().query("PREFIX gg: <https://w3id.org/guidegraph/ontology#> " + query)
    if isinstance(found, pyoxigraph.QueryBoolean):
        return bool(found)
    return [tuple(x.value for x in row) for row in found]


def test_the_build_writes_cells_and_overlaps(built_store):
    g = f"<{GRAPH_POPULATIONS}>"
    st = "<https://w3id.org/guidegraph/id/document/oracle-breast-cancer-bone-metastasis/statement/{}>"
    cell_of = _rows(built_store, f"SELECT ?s ?c ?key WHERE {{ GRAPH {g} {{ ?s gg:populationCell ?c . "
                                 f"?c gg:populationKey ?key }} }}")
    by_statement = {str(s): (str(c), str(k)) for s, c, k in cell_of}
    assert len({c for c, _ in by_statement.values()}) == 36
    # "Premenopausal women: …" under "HR-Positive/HER2-Negative Disease" (read by hand)
    pre = [k for s, (c, k) in by_statement.items() if "Premenopausal" in k]
    post = [k for s, (c, k) in by_statement.items() if "Postmenopausal" in k]
    assert pre and post and all("HRPositiveHER2NegativeBreastCancer" in k for k in pre + post)
    overlaps = _rows(built_store, f"SELECT ?a ?b ?why WHERE {{ GRAPH {g} {{ ?o a gg:PopulationOverlap ; "
                                  f"gg:comparesCell ?a, ?b ; gg:overlapReason ?why . ?a gg:populationKey ?ka . "
                                  f"?b gg:populationKey ?kb . FILTER(STR(?ka) < STR(?kb)) }} }}")
    keys = {str(c): k for c, k in by_statement.values()}
    pairs = {(keys[str(a)], keys[str(b)]) for a, b, _ in overlaps}
    pre_cell, post_cell = pre[0], post[0]
    assert (min(pre_cell, post_cell), max(pre_cell, post_cell)) not in pairs
    # esophageal ECOG 0-2 and ECOG 3-4 never overlap; esophageal cancer and its adenocarcinoma do
    eso = f"scope {V}EsophagealCancer"
    assert (f"{eso}; {ECOG} in [0,2]", f"{eso}; {ECOG} in [3,4]") not in pairs
    assert (f"is {V}EsophagealAdenocarcinoma", eso) in pairs
    assert len(overlaps) == 428
    separations = _rows(built_store, f"SELECT ?ka ?kb ?why WHERE {{ GRAPH {g} {{ ?o a gg:PopulationSeparation ; "
                                     f"gg:comparesCell ?a, ?b ; gg:overlapReason ?why . ?a gg:populationKey ?ka . "
                                     f"?b gg:populationKey ?kb . FILTER(STR(?ka) < STR(?kb)) }} }}")
    why = {(a, b): r for a, b, r in separations}
    assert len(separations) == 630 - 428
    # a dose for creatinine clearance below 60 mL/min and a gate on adequate renal function: never the same patients
    renal = [(a, b, r) for (a, b), r in why.items() if "RenalImpairment" in a + b and "AdequateRenalFunction" in a + b]
    assert renal and all(r == "adequate renal function and renal impairment are declared disjoint" for *_, r in renal)
    pair = (min(pre_cell, post_cell), max(pre_cell, post_cell))
    assert why[pair] == "postmenopausal and premenopausal are declared disjoint"
    assert why[(f"{eso}; {ECOG} in [0,2]", f"{eso}; {ECOG} in [3,4]")] == \
        "ECOG performance status: 0-2 and 3-4 have no value in common"
    # overlapsWith is symmetric and the statement names its scope's origin
    assert not _rows(built_store, f"ASK {{ GRAPH {g} {{ ?a gg:overlapsWith ?b MINUS {{ ?b gg:overlapsWith ?a }} }} }}")
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {g} {{ ?a gg:overlapsWith ?b }} }}"
    assert _rows(built_store, count) == [(str(2 * 428),)]
    origin = _rows(built_store, f"SELECT ?o WHERE {{ GRAPH {g} {{ {st.format(1277)} gg:scopeFrom ?o }} }}")
    assert [o for o, in origin] in (["statement"], ["section"], ["document"])


def _cells_of(tmp_path, title: str, heading: str, body: str):
    from guidegraph.annotate.statements import annotate
    from guidegraph.checks.populations import statement_cells
    from guidegraph.ingest.document import ingest

    lines = [title, "", "Last updated: March 3, 2025View editorial policy", "", heading, "", body, ""]
    path = tmp_path / "a.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    doc = ingest(path, tmp_path, {})
    vocab = load_vocabulary()
    cells = statement_cells(doc, annotate(doc, vocab), vocab)
    return {doc.raw[st.start:st.end]: c for st, c in zip(doc.statements, cells, strict=True)}


def test_the_scope_is_the_statements_else_its_sections_else_its_documents_never_the_broadest(tmp_path):
    found = _cells_of(tmp_path, "Breast Cancer Bone Metastasis: Summary", "Esophageal Cancer",
                      "Denosumab is recommended for prostate cancer. Radiotherapy is recommended for pain.")
    own, section = found.values()
    assert (own.scope_from, own.cell.scope.concepts) == ("statement", (V + "ProstateCancer",))
    assert (section.scope_from, section.cell.scope.concepts) == ("section", (V + "EsophagealCancer",))
    found = _cells_of(tmp_path, "Breast Cancer Bone Metastasis: Summary", "Treatment",
                      "Radiotherapy is recommended for pain.")
    (document,) = found.values()
    assert (document.scope_from, document.cell.scope.concepts) == ("document", (V + "BreastCancer",))
    found = _cells_of(tmp_path, "Bone Metastasis: Summary", "Treatment", "Radiotherapy is recommended for pain.")
    (none,) = found.values()
    assert (none.scope_from, none.cell.scope) == ("none", None)


def test_the_vocabulary_stays_in_the_fragment_the_solver_is_exact_for():
    # atomic rdfs:subClassOf and binary owl:disjointWith only: an equivalence, a union or a covering
    # axiom would make the direct solver incomplete (measure it against HermiT again: bench/populations.py)
    from rdflib.namespace import OWL

    g = load_vocabulary().graph
    for p in (OWL.equivalentClass, OWL.unionOf, OWL.intersectionOf, OWL.complementOf, OWL.disjointUnionOf,
              OWL.members, OWL.someValuesFrom, OWL.allValuesFrom):
        assert not list(g.triples((None, p, None))), p


def test_the_solver_agrees_with_hermit_on_generated_pairs(logic):
    from bench.populations import generated_pairs, hermit
    from guidegraph.reason import java_executable

    if not java_executable():
        pytest.skip("HermiT needs Java")
    pairs = generated_pairs(logic, 60, seed=3)
    answers, _ = hermit(pairs, logic)
    assert answers == [satisfiable([a, b], logic).overlap for a, b in pairs]
    assert 0 < sum(answers) < len(pairs)
