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
