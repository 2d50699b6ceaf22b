"""The checks stage runs checks side by side, each still stopped at its own deadline.

Cheap on purpose: a store of a few triples and hand-written checks; the timings at 100 and
1,000 documents are bench/checks.py's, never asserted here.
"""
from __future__ import annotations

import pyoxigraph as ox

from guidegraph.checks.sparql import load_checks, run_checks_bounded

FAST = """#+ title: {name}
CONSTRUCT {{ ?f a gg:Finding, gg:Probe ; gg:checkName "{name}" ; gg:severity "info" ; rdfs:comment "seen" . }}
WHERE {{ ?s <urn:p> ?o BIND(IRI(CONCAT("urn:finding:{name}:", STR(?o))) AS ?f) }}
"""
# a billion rows that all fail the filter: runs for minutes, in constant memory
SLOW = """#+ title: slow
CONSTRUCT { <urn:f> a gg:Finding } WHERE {
  VALUES ?a { %s } VALUES ?b { %s } VALUES ?c { %s } VALUES ?d { %s }
  FILTER(?a + ?b + ?c + ?d < 0)
}
""" % ((" ".join(map(str, range(180))),) * 4)


def _store(tmp_path):
    db = ox.Store(str(tmp_path / "db"))
    db.load(input="<urn:s> <urn:p> 1, 2 .", format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("urn:g"))
    db.flush()
    del db
    return tmp_path / "db"


def _checks(tmp_path, texts: dict[str, str]):
    folder = tmp_path / "checks"
    folder.mkdir()
    for name, text in texts.items():
        (folder / f"{name}.rq").write_text(text)
    return load_checks(folder)


def test_a_slow_check_is_stopped_while_the_others_finish_beside_it(tmp_path):
    path = _store(tmp_path)
    checks = _checks(tmp_path, {"a-fast": FAST.format(name="a-fast"), "b-slow": SLOW,
                                "c-fast": FAST.format(name="c-fast")})
    seconds: dict[str, float] = {}
    quads, unfinished = run_checks_bounded(path, 2.0, checks, workers=2, seconds=seconds)
    assert unfinished == ["b-slow"]
    assert set(seconds) == {"a-fast", "b-slow", "c-fast"} and seconds["b-slow"] >= 2.0
    names = [q.object.value for q in quads if q.predicate.value.endswith("#checkName")]
    # findings come in the order of the checks, whichever finished first
    assert names == ["a-fast", "a-fast", "b-slow", "c-fast", "c-fast"]
    incomplete = [q.subject.value for q in quads if q.object.value.endswith("#CheckIncomplete")]
    assert incomplete == ["https://w3id.org/guidegraph/id/finding/check-incomplete/b-slow"]


def test_side_by_side_and_one_at_a_time_give_the_same_findings(tmp_path):
    path = _store(tmp_path)
    checks = _checks(tmp_path, {f"c{i}": FAST.format(name=f"c{i}") for i in range(5)})
    one, _ = run_checks_bounded(path, 60, checks, workers=1)
    many, _ = run_checks_bounded(path, 60, checks, workers=3)
    assert one == many and len(one) == 1 + 5 * 2 * 5


def test_a_failing_check_is_reported_and_the_rest_still_run(tmp_path):
    path = _store(tmp_path)
    checks = _checks(tmp_path, {"a-broken": "#+ title: broken\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p }\n",
                                "b-fast": FAST.format(name="b-fast")})
    quads, unfinished = run_checks_bounded(path, 60, checks, workers=2)
    assert unfinished == ["a-broken"]
    assert any("failed (SyntaxError" in q.object.value for q in quads if q.predicate.value.endswith("#comment"))
    assert sum(q.object.value == "b-fast" for q in quads) == 2


def _named_terms(check):
    """The predicates (with those inside property paths) and the classes found by type in a check's parse tree."""
    from rdflib import RDF, URIRef, Variable
    from rdflib.paths import Path
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    from guidegraph.namespaces import sparql_prologue

    predicates, types, variable_predicates, bound = set(), set(), set(), {}

    def path_iris(p):
        if isinstance(p, URIRef):
            yield p
        elif isinstance(p, Path):
            for part in vars(p).values():
                for item in part if isinstance(part, (list, tuple)) else [part]:
                    yield from path_iris(item)

    stack = [translateQuery(parseQuery(sparql_prologue() + check.text)).algebra]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "BGP":
                for _, p, o in node.triples:
                    if isinstance(p, Variable):
                        variable_predicates.add(p)
                    predicates.update(path_iris(p))
                    if p == RDF.type:
                        assert not isinstance(o, Variable), f"{check.name}: a type pattern with a variable class"
                        types.add(o)
            if node.name == "values":
                for row in node.res:
                    for var, value in row.items():
                        bound.setdefault(var, set()).add(value)
            stack.extend(node.values())
        elif isinstance(node, (list, tuple, set)):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
    for var in variable_predicates:
        assert var in bound, f"{check.name}: ?{var} as a predicate, not bound by VALUES"
        predicates.update(bound[var])
    return {str(p) for p in predicates}, {str(t) for t in types}


def test_every_check_reads_only_what_the_checks_dataset_keeps():
    # the build runs the checks on an in-memory copy without offsets, anchors and most types:
    # a check that names what the copy leaves out must fail here, not find nothing at build time
    from guidegraph.checks.dataset import READ_TYPES, unread

    for check in load_checks():
        predicates, types = _named_terms(check)
        assert not {p for p in predicates if unread(p)}, check.name
        assert types <= READ_TYPES, (check.name, types - READ_TYPES)


def test_the_checks_dataset_keeps_what_checks_read_and_leaves_out_the_rest():
    from guidegraph.checks.dataset import CheckDataset

    gg, oa = "https://w3id.org/guidegraph/ontology#", "http://www.w3.org/ns/oa#"
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    lines = [
        f'<urn:s> <{gg}text> "Give it. <not a predicate>" <urn:g> .',
        f"<urn:s> <{gg}start> \"12\"^^<http://www.w3.org/2001/XMLSchema#integer> <urn:g> .",
        f"<urn:a> <{oa}hasBody> <urn:s> <urn:g> .",
        f"<urn:c> {rdf_type} <{gg}Population> <urn:p> .",
        f"<urn:s> {rdf_type} <{gg}Statement> <urn:g> .",
        f"<urn:a> {rdf_type} <{oa}Annotation> <urn:g> .",
        f"_:b1 <{gg}action> <urn:k> <urn:g> .",
    ]
    dataset = CheckDataset()
    dataset.add("\n".join(lines) + "\n")
    kept = {(q.subject.value if isinstance(q.subject, ox.NamedNode) else "_", q.predicate.value, q.object.value)
            for q in dataset.store}
    assert kept == {("urn:s", gg + "text", "Give it. <not a predicate>"),
                    ("urn:c", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", gg + "Population"),
                    ("_", gg + "action", "urn:k")}
    assert dataset.quads == 3
    # graphs are kept: a check may name one
    assert {q.graph_name.value for q in dataset.store} == {"urn:g", "urn:p"}


def test_checks_read_an_in_memory_store_as_they_read_the_store_on_disk(tmp_path):
    from guidegraph.checks.dataset import CheckDataset

    path = _store(tmp_path)
    checks = _checks(tmp_path, {f"c{i}": FAST.format(name=f"c{i}") for i in range(3)})
    dataset = CheckDataset()
    dataset.add('<urn:s> <urn:p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> <urn:g> .\n'
                '<urn:s> <urn:p> "2"^^<http://www.w3.org/2001/XMLSchema#integer> <urn:g> .\n')
    on_disk, _ = run_checks_bounded(path, 60, checks, workers=2)
    in_memory, _ = run_checks_bounded(dataset.store, 60, checks, workers=2)
    assert set(on_disk) == set(in_memory) and len(in_memory) == 1 + 3 * 2 * 5
