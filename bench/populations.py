"""Measure the population solver against HermiT over the same OWL class expressions.

For every pair of distinct population cells (of a corpus, and of generated cases) the solver
of graph/checks/populations.py decides whether one patient can be in both; HermiT, through
owlready2, classifies one defined class per pair (``Pair ≡ cellA ⊓ cellB``, with the ontology
and the vocabulary) and an unsatisfiable class means the cells cannot overlap. The script
prints the agreement and the time of each.

    python -m bench.populations [CORPUS_DIR] [--generated 300] [--seed 7]
"""
from __future__ import annotations

import argparse
import random
import tempfile
import time
from itertools import combinations
from pathlib import Path

from rdflib import Graph, URIRef

from guidegraph.annotate.statements import annotate
from guidegraph.annotate.vocabulary import load_vocabulary
from guidegraph.checks.populations import Interval, Logic, Member, canonical, owl_class, satisfiable, statement_cells
from guidegraph.ingest.document import ingest
from guidegraph.ingest.metadata import read_catalogue
from guidegraph.reason import java_executable, tbox, write_owl


def corpus_cells(folder: Path, logic: Logic) -> list:
    catalogue = read_catalogue(folder)
    cells = set()
    for path in sorted(folder.glob("*.txt")):
        doc = ingest(path, folder, catalogue)
        cells |= {r.cell for r in statement_cells(doc, annotate(doc, logic.vocab), logic.vocab, logic)}
    return sorted(cells, key=lambda c: c.key())


def generated_pairs(logic: Logic, n: int, seed: int) -> list:
    """Random pairs of cells over the vocabulary's criteria: classes (positive or negated) drawn from
    the categorical criteria, the cancers and the concepts they are declared disjoint with; intervals
    with open or closed bounds on the numeric criteria; a scope of one or two cancers."""
    rng = random.Random(seed)
    vocab = logic.vocab
    cancers = [str(c) for c in vocab.concepts if vocab.in_branch(c, "scope")]
    classes = sorted({*map(str, vocab.categorical), *cancers, *(x for pair in logic.disjoint for x in pair)})
    numeric = [str(c) for c in vocab.numeric]

    def one():
        members = [Member(rng.choice(classes), rng.random() < 0.3) for _ in range(rng.choice([0, 1, 1, 2, 3]))]
        intervals = []
        for _ in range(rng.choice([0, 0, 1, 2])):
            # low above high now and then: a cell no patient is in
            low, high = rng.choice([None, *range(0, 20)]), rng.choice([None, *range(0, 20)])
            intervals.append(Interval(rng.choice(numeric), low, high, rng.random() < 0.3 and low is not None,
                                      rng.random() < 0.3 and high is not None))
        scope = rng.sample(cancers, rng.choice([1, 1, 2])) if rng.random() < 0.7 else None
        return canonical(intervals, members, scope, logic)

    return [(one(), one()) for _ in range(n)]


def hermit(pairs: list, logic: Logic) -> tuple[list[bool], float]:
    """Return, for each pair, whether HermiT finds ``a ⊓ b`` satisfiable, and the seconds it took."""
    import owlready2

    owlready2.JAVA_EXE = java_executable()
    g = Graph()
    g += tbox()
    names = [URIRef(f"https://w3id.org/guidegraph/bench#Pair{i}") for i in range(len(pairs))]
    for name, (a, b) in zip(names, pairs, strict=True):
        owl_class(g, [a, b], name)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        path = write_owl(g, Path(tmp) / "populations.owl")
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load()
        with onto:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        unsat = {c.iri for c in world.inconsistent_classes()}
    return [str(n) not in unsat for n in names], time.perf_counter() - t0


def measure(label: str, pairs: list, logic: Logic) -> dict:
    t0 = time.perf_counter()
    solver = [satisfiable([a, b], logic).overlap for a, b in pairs]
    solver_s = time.perf_counter() - t0
    reasoner, hermit_s = hermit(pairs, logic)
    agree = sum(x == y for x, y in zip(solver, reasoner, strict=True))
    out = {"set": label, "pairs": len(pairs), "overlapping": sum(solver), "agree": agree,
           "solver_s": round(solver_s, 4), "hermit_s": round(hermit_s, 2)}
    for (a, b), x, y in zip(pairs, solver, reasoner, strict=True):
        if x != y:
            print(f"  DISAGREE solver={x} hermit={y}: {a.key()}  &  {b.key()}")
    print(out)
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", default="corpus")
    ap.add_argument("--generated", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    logic = Logic(load_vocabulary())
    cells = corpus_cells(Path(args.corpus), logic)
    measure(f"corpus cells ({len(cells)})", list(combinations(cells, 2)), logic)
    measure("generated", generated_pairs(logic, args.generated, args.seed), logic)


if __name__ == "__main__":
    main()
