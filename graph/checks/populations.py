"""Populations by logic: population cells and whether two can be the same patients.

A statement's population is a conjunction of criteria (docs/reasoning.md, "Populations"):

* numeric intervals on a criterion concept (a score, a measure, a count), bounds open or
  closed, clamped to the concept's scale; a value of a score's band is an interval on the score;
* categorical classes of the vocabulary, positive ("HER2-positive") or negated ("without cord
  compression"), with the vocabulary's hierarchy (``skos:broader``) and ``owl:disjointWith``;
* the cancer scope: the cancers the statement names, else those of its section's heading (or a
  heading above), else those of its document's title; several cancers are a disjunction ("breast
  or prostate cancer"). When none names a cancer the cell has no scope criterion (its origin
  says so): never the broadest cancer by default.

The canonical form (sorted, merged criteria) gives a stable key and IRI: a *population cell*.
Whether two cells can be the same patients is the satisfiability of their conjunction, decided
here exactly for this fragment (atomic subsumption, binary disjointness, negated atoms, one
disjunction of atoms, intervals over the reals): a model is one patient who belongs to the
chosen positive classes and everything above them, and to nothing else. ``bench/populations.py``
measures the answers against HermiT over the same OWL class expressions.
"""
from __future__ import annotations

import hashlib
import itertools
import math
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from guidegraph.annotate.mentions import find_mentions
from guidegraph.annotate.pathways import section_conditions
from guidegraph.annotate.population import in_conditional_aside
from guidegraph.annotate.vocabulary import Vocabulary
from guidegraph.namespaces import GG, ID, local_name, statement_iri

GRAPH_POPULATIONS = ID["graph/populations"]
OPEN = {"<", ">"}


@dataclass(frozen=True, order=True)
class Interval:
    """Values of ``var`` between ``low`` and ``high`` (None: unbounded); ``*_open`` excludes the bound."""

    var: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def key(self) -> str:
        lo = "(" if self.low_open or self.low is None else "["
        hi = ")" if self.high_open or self.high is None else "]"
        return f"{self.var} in {lo}{_num(self.low, '-inf')},{_num(self.high, 'inf')}{hi}"

    def empty(self) -> bool:
        if self.low is None or self.high is None:
            return False
        return self.low > self.high or (self.low == self.high and (self.low_open or self.high_open))


@dataclass(frozen=True, order=True)
class Member:
    """Patients in the class ``concept`` (``negated``: patients not in it)."""

    concept: str
    negated: bool = False

    def key(self) -> str:
        return f"{'not' if self.negated else 'is'} {self.concept}"


@dataclass(frozen=True, order=True)
class AnyOf:
    """Patients in at least one of ``concepts`` (the cancer scope)."""

    concepts: tuple[str, ...]

    def key(self) -> str:
        return "scope " + " | ".join(self.concepts)


@dataclass(frozen=True)
class Population:
    """A canonical conjunction of criteria: a population cell."""

    intervals: tuple[Interval, ...] = ()
    members: tuple[Member, ...] = ()
    scope: AnyOf | None = None

    def criteria(self) -> list:
        return [*([self.scope] if self.scope else []), *self.members, *self.intervals]

    def key(self) -> str:
        return "; ".join(c.key() for c in self.criteria())

    def iri(self) -> URIRef:
        return cell_iri(self.key())


@dataclass(frozen=True)
class Verdict:
    """Whether a conjunction of cells can hold of one patient, and why."""

    overlap: bool
    reason: str


def cell_iri(key: str) -> URIRef:
    return ID[f"population/{hashlib.sha1(key.encode()).hexdigest()[:16]}"]


def _num(x: float | None, default: str) -> str:
    if x is None:
        return default
    return str(int(x)) if float(x).is_integer() else repr(float(x))


# ---------------------------------------------------------------- the vocabulary's logic


class Logic:
    """What the solver reads of the vocabulary: ancestors and declared disjointness."""

    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab
        self.disjoint: set[frozenset[str]] = {frozenset((str(a), str(b)))
                                              for a, b in vocab.graph.subject_objects(OWL.disjointWith)}
        self.band_score = {str(b.concept): (str(score), b) for score, bands in vocab.bands.items() for b in bands}

    def up(self, concept: str) -> list[str]:
        return [concept, *map(str, self.vocab.ancestors(URIRef(concept)))]

    def label(self, concept: str) -> str:
        return self.vocab.label(URIRef(concept))


def canonical(intervals, members, scope, logic: Logic) -> Population:
    """Return the canonical population of some criteria: intervals on one variable intersected,
    duplicate and implied classes dropped (a positive class above another positive one; a scope
    cancer below another of the same scope), everything sorted."""
    by_var: dict[str, Interval] = {}
    for iv in intervals:
        by_var[iv.var] = _meet(by_var[iv.var], iv) if iv.var in by_var else iv
    for var, iv in list(by_var.items()):
        scale = logic.vocab.scale(URIRef(var))
        if (iv.low, iv.high, iv.low_open, iv.high_open) == (scale.min, scale.max, False, False):
            del by_var[var]  # the whole scale: no criterion
    positive = {m.concept for m in members if not m.negated}
    implied = {a for c in positive for a in logic.up(c)[1:]}
    kept = sorted({m for m in members if m.negated or m.concept not in implied})
    any_of = None
    # a scope a positive class already implies says nothing more ("HER2-positive breast cancer" in breast cancer)
    if scope and not any(a in set(scope) for c in positive for a in logic.up(c)):
        s = set(scope)
        s = {c for c in s if not any(a in s for a in logic.up(c)[1:])}
        any_of = AnyOf(tuple(sorted(s)))
    return Population(tuple(sorted(by_var.values())), tuple(kept), any_of)


def _hull(intervals: list[Interval]) -> list[Interval]:
    """Several values of one variable in one statement or heading are alternatives ("stable (≤6),
    potentially unstable (7-12), or unstable (≥13)"): read them as the smallest interval holding all."""
    by_var: dict[str, list[Interval]] = {}
    for iv in intervals:
        by_var.setdefault(iv.var, []).append(iv)
    out = []
    for var, ivs in by_var.items():
        lows = [iv for iv in ivs if iv.low is not None]
        highs = [iv for iv in ivs if iv.high is not None]
        low = min(lows, key=lambda iv: (iv.low, iv.low_open)) if len(lows) == len(ivs) else None
        high = max(highs, key=lambda iv: (iv.high, not iv.high_open)) if len(highs) == len(ivs) else None
        out.append(Interval(var, low.low if low else None, high.high if high else None,
                            bool(low and low.low_open), bool(high and high.high_open)))
    return out


def _meet(a: Interval, b: Interval) -> Interval:
    low, low_open = a.low, a.low_open
    if b.low is not None and (low is None or b.low > low or (b.low == low and b.low_open)):
        low, low_open = b.low, b.low_open
    high, high_open = a.high, a.high_open
    if b.high is not None and (high is None or b.high < high or (b.high == high and b.high_open)):
        high, high_open = b.high, b.high_open
    return Interval(a.var, low, high, low_open, high_open)


# ---------------------------------------------------------------- the solver


def satisfiable(cells: list[Population], logic: Logic) -> Verdict:
    """Decide whether one patient can be in every cell, with the reason (exact for this fragment)."""
    # numeric criteria: one value per variable must lie in every interval on it
    by_var: dict[str, list[Interval]] = {}
    for c in cells:
        for iv in c.intervals:
            by_var.setdefault(iv.var, []).append(iv)
    met = []
    for var, ivs in sorted(by_var.items()):
        m = ivs[0]
        for iv in ivs[1:]:
            m = _meet(m, iv)
        if m.empty():
            return Verdict(False, f"{logic.label(var)}: " + " and ".join(_show(iv) for iv in ivs)
                           + " have no value in common")
        if len(ivs) > 1:
            met.append(f"{logic.label(var)} {' and '.join(_show(iv) for iv in ivs)} meet at {_show(m)}")
        else:
            met.append(f"{logic.label(var)} {_show(m)} on one side only")
    positives = [m.concept for c in cells for m in c.members if not m.negated]
    negatives = [m.concept for c in cells for m in c.members if m.negated]
    scopes = [c.scope.concepts for c in cells if c.scope]
    first_failure = None
    for choice in itertools.product(*scopes):
        failure = _classes([*positives, *choice], negatives, logic)
        if failure is None:
            why = met + _classes_meet(positives, negatives, choice, scopes, logic)
            return Verdict(True, "; ".join(why) or "no criterion separates them")
        first_failure = first_failure or failure
    return Verdict(False, first_failure)


def within(a: Population, b: Population, logic: Logic) -> bool:
    """Tell whether every patient of cell ``a`` is in cell ``b`` (a ⊆ b): no patient of ``a`` fails
    one of ``b``'s criteria. Each failure is a conjunction the solver decides (the complement of
    an interval is two half-lines, tried one at a time)."""
    if not satisfiable([a], logic).overlap:
        return True
    for c in b.criteria():
        if isinstance(c, Interval):
            outside = []
            if c.low is not None:
                outside.append(Interval(c.var, None, c.low, high_open=not c.low_open))
            if c.high is not None:
                outside.append(Interval(c.var, c.high, None, low_open=not c.high_open))
            failures = [Population(intervals=(iv,)) for iv in outside]
        elif isinstance(c, Member):
            failures = [Population(members=(Member(c.concept, not c.negated),))]
        else:  # the scope: in none of its cancers
            failures = [Population(members=tuple(Member(x, True) for x in c.concepts))]
        if any(satisfiable([a, f], logic).overlap for f in failures):
            return False
    return True


def _classes(positives: list[str], negatives: list[str], logic: Logic) -> str | None:
    """Return why a patient cannot be in every positive class and no negative one, or None."""
    closure: dict[str, str] = {}  # class -> the positive class it is reached from
    for p in positives:
        for a in logic.up(p):
            closure.setdefault(a, p)
    for n in negatives:
        if n in closure:
            p = closure[n]
            return (f"{logic.label(p)} is excluded by not {logic.label(n)}" if p == n else
                    f"{logic.label(p)} is a kind of {logic.label(n)}, which the other criterion excludes")
    classes = sorted(closure)
    for a, b in itertools.combinations(classes, 2):
        if frozenset((a, b)) in logic.disjoint:
            pa, pb = closure[a], closure[b]
            via = "" if (pa, pb) == (a, b) or (pb, pa) == (a, b) else f" ({logic.label(pa)} and {logic.label(pb)})"
            return f"{logic.label(a)} and {logic.label(b)} are declared disjoint{via}"
    return None


def _classes_meet(positives, negatives, choice, scopes, logic: Logic) -> list[str]:
    out = []
    if len(scopes) > 1:
        a, b = choice[0], choice[1]
        if a == b:
            out.append(f"both are about {logic.label(a)}")
        elif a in logic.up(b) or b in logic.up(a):
            narrow, broad = (b, a) if a in logic.up(b) else (a, b)
            out.append(f"{logic.label(narrow)} is within {logic.label(broad)}")
        else:
            out.append(f"{logic.label(a)} and {logic.label(b)} are not declared disjoint")
    if positives:
        out.append("nothing excludes " + ", ".join(logic.label(p) for p in dict.fromkeys(positives)))
    if negatives:
        out.append("none is " + " or ".join(logic.label(n) for n in dict.fromkeys(negatives)))
    return out


def _show(iv: Interval) -> str:
    if iv.low is not None and iv.high is not None:
        if iv.low == iv.high and not (iv.low_open or iv.high_open):
            return _num(iv.low, "")
        if not (iv.low_open or iv.high_open):
            return f"{_num(iv.low, '')}-{_num(iv.high, '')}"
    parts = []
    if iv.low is not None:
        parts.append(f"{'>' if iv.low_open else '≥'}{_num(iv.low, '')}")
    if iv.high is not None:
        parts.append(f"{'<' if iv.high_open else '≤'}{_num(iv.high, '')}")
    return " ".join(parts) or "any value"


def describe(cell: Population, logic: Logic) -> str:
    """Return a cell as words: "scope breast cancer; HER2-positive; not pregnancy; SINS ≥13"."""
    parts = []
    if cell.scope:
        parts.append("scope " + " or ".join(logic.label(c) for c in cell.scope.concepts))
    parts += [("not " if m.negated else "") + logic.label(m.concept) for m in cell.members]
    parts += [f"{logic.label(iv.var)} {_show(iv)}" for iv in cell.intervals]
    return "; ".join(parts) or "anyone (no criterion, no scope)"


# ---------------------------------------------------------------- statements' cells


@dataclass(frozen=True)
class StatementCell:
    """A statement's population cell and where its scope came from."""

    statement: str
    cell: Population
    scope_from: str  # statement, section, document, none


def _interval(c, logic: Logic) -> Interval:
    var, band = logic.band_score.get(str(c.concept), (str(c.concept), None))
    low, high = c.min_value, c.max_value
    iv = Interval(var, low, high, low_open=c.comparator == ">" and low is not None,
                  high_open=c.comparator == "<" and high is not None)
    scale = logic.vocab.scale(URIRef(var))
    return _meet(iv, Interval(var, scale.min, scale.max)) if (scale.min, scale.max) != (None, None) else iv


def statement_cells(doc, ann, vocab: Vocabulary, logic: Logic | None = None) -> list[StatementCell]:
    """Return the population cell of every statement of an annotated document."""
    logic = logic or Logic(vocab)
    own: dict[int, list[str]] = {}
    for m in ann.mentions:
        # a cancer named in a conditional aside ("(with trastuzumab if HER2+ adenocarcinoma)") is
        # the aside's, not the statement's
        if vocab.in_branch(m.concept, "scope") and not in_conditional_aside(
                doc.raw, doc.statements[m.statement].start, m.start):
            own.setdefault(m.statement, []).append(str(m.concept))
    headings: dict[int, list[str]] = {}
    for k, sec in enumerate(doc.sections):
        headings[k] = [str(m.concept) for m in find_mentions(doc.raw, sec.start, sec.end, -1, vocab, ann.abbreviations)
                       if vocab.in_branch(m.concept, "scope")]
    topic = [str(c) for c in ann.topics if vocab.in_branch(c, "scope")]
    out = []
    for i, st in enumerate(doc.statements):
        mine = ann.population.get(i, [])
        above = section_conditions(doc, st.section, ann.section_criteria) if st.section is not None else []
        written = [*mine, *above]
        members = [Member(str(c.concept), c.comparator == "is not")
                   for c in written if c.comparator in ("is", "is not")]
        # alternatives within one statement or one heading; the statement's values meet its headings'
        intervals = [iv for group in (mine, above)
                     for iv in _hull([_interval(c, logic) for c in group if c.comparator not in ("is", "is not")])]
        negated = {m.concept for m in members if m.negated}
        scope, origin = [c for c in own.get(i, []) if c not in negated], "statement"
        section = st.section
        while not scope and section is not None:
            scope, origin = headings.get(section), "section"
            section = doc.sections[section].parent
        if not scope:
            scope, origin = topic, "document"
        elif origin != "document" and topic and set(scope) == {str(vocab.root("scope"))}:
            # the bare root ("cancer", "tumors") in a document about one cancer means that cancer;
            # a named class ("solid tumors") keeps its breadth
            scope = topic
        if not scope:
            scope, origin = None, "none"
        out.append(StatementCell(str(statement_iri(doc, st)), canonical(intervals, members, scope, logic), origin))
    return out


# ---------------------------------------------------------------- the graph


def overlaps(cells: list[Population], logic: Logic) -> dict[tuple[Population, Population], Verdict]:
    """Compare every pair of distinct cells (in key order)."""
    ordered = sorted(set(cells), key=lambda c: c.key())
    return {(a, b): satisfiable([a, b], logic) for a, b in itertools.combinations(ordered, 2)}


def populations_graph(records: list[StatementCell], vocab: Vocabulary) -> tuple[Graph, dict]:
    """Return the populations graph of a corpus and its figures (cells, pairs, overlapping pairs)."""
    logic = Logic(vocab)
    g = Graph(identifier=GRAPH_POPULATIONS)
    cells = sorted({r.cell for r in records}, key=lambda c: c.key())
    for r in records:
        s = URIRef(r.statement)
        g.add((s, GG.populationCell, r.cell.iri()))
        g.add((s, GG.scopeFrom, Literal(r.scope_from)))
    unsatisfiable = 0
    for cell in cells:
        node = cell.iri()
        g.add((node, RDF.type, GG.Population))
        g.add((node, GG.populationKey, Literal(cell.key())))
        g.add((node, RDFS.label, Literal(describe(cell, logic))))
        for c in cell.criteria():
            g.add((node, GG.cellCriterion, _criterion(g, c, logic)))
        alone = satisfiable([cell], logic)
        if not alone.overlap:
            unsatisfiable += 1
            g.add((node, GG.satisfiable, Literal(False)))
            g.add((node, GG.overlapReason, Literal(alone.reason)))
    pairs = overlaps(cells, logic)
    overlapping = 0
    for (a, b), verdict in pairs.items():
        # every pair with its reason: the overlapping ones also get the direct link checks join on
        node = ID[f"population/pair/{hashlib.sha1((a.key() + ' & ' + b.key()).encode()).hexdigest()[:16]}"]
        g.add((node, RDF.type, GG.PopulationOverlap if verdict.overlap else GG.PopulationSeparation))
        g.add((node, GG.comparesCell, a.iri()))
        g.add((node, GG.comparesCell, b.iri()))
        g.add((node, GG.overlapReason, Literal(verdict.reason)))
        if verdict.overlap:
            overlapping += 1
            g.add((a.iri(), GG.overlapsWith, b.iri()))
            g.add((b.iri(), GG.overlapsWith, a.iri()))
            # containment, for the checks that tell a caveat for a subgroup from a contradiction
            for narrow, broad in ((a, b), (b, a)):
                if within(narrow, broad, logic):
                    g.add((narrow.iri(), GG.withinCell, broad.iri()))
    return g, {"cells": len(cells), "pairs": len(pairs), "overlapping": overlapping, "unsatisfiable": unsatisfiable,
               "statements": len(records)}


def _criterion(g: Graph, c, logic: Logic) -> URIRef:
    node = ID[f"population/criterion/{hashlib.sha1(c.key().encode()).hexdigest()[:16]}"]
    g.add((node, RDF.type, GG.CellCriterion))
    g.add((node, GG.criterionKey, Literal(c.key())))
    if isinstance(c, AnyOf):
        for concept in c.concepts:
            g.add((node, GG.anyOf, URIRef(concept)))
        g.add((node, RDFS.label, Literal("scope " + " or ".join(logic.label(x) for x in c.concepts))))
    elif isinstance(c, Member):
        g.add((node, GG.onConcept, URIRef(c.concept)))
        g.add((node, GG.negated, Literal(c.negated)))
        g.add((node, RDFS.label, Literal(("not " if c.negated else "") + logic.label(c.concept))))
    else:
        g.add((node, GG.onConcept, URIRef(c.var)))
        if c.low is not None:
            g.add((node, GG.lowerBound, Literal(str(c.low), datatype=XSD.decimal)))
            g.add((node, GG.lowerInclusive, Literal(not c.low_open)))
        if c.high is not None:
            g.add((node, GG.upperBound, Literal(str(c.high), datatype=XSD.decimal)))
            g.add((node, GG.upperInclusive, Literal(not c.high_open)))
        g.add((node, RDFS.label, Literal(f"{logic.label(c.var)} {_show(c)}")))
    return node


# ---------------------------------------------------------------- the same cells as OWL (for HermiT)


def owl_class(g: Graph, cells: list[Population], name: URIRef) -> URIRef:
    """Add ``name ≡ ⊓ cells`` to ``g`` as OWL: classes, complements, a union for the scope, and
    a datatype restriction on a functional data property per numeric variable."""
    parts = []
    for cell in cells:
        if cell.scope:
            parts.append(_list_node(g, OWL.unionOf, [URIRef(c) for c in cell.scope.concepts])
                         if len(cell.scope.concepts) > 1 else URIRef(cell.scope.concepts[0]))
        for m in cell.members:
            if m.negated:
                n = BNode()
                g.add((n, RDF.type, OWL.Class))
                g.add((n, OWL.complementOf, URIRef(m.concept)))
                parts.append(n)
            else:
                parts.append(URIRef(m.concept))
        for iv in cell.intervals:
            parts.append(_restriction(g, iv))
    if not parts:
        parts = [OWL.Thing]
    g.add((name, RDF.type, OWL.Class))
    g.add((name, OWL.equivalentClass, _list_node(g, OWL.intersectionOf, parts)))
    return name


def value_property(var: str) -> URIRef:
    return URIRef(f"{GG}value_{local_name(var)}")


def _restriction(g: Graph, iv: Interval) -> BNode:
    prop = value_property(iv.var)
    g.add((prop, RDF.type, OWL.DatatypeProperty))
    g.add((prop, RDF.type, OWL.FunctionalProperty))
    facets = []
    if iv.low is not None and not math.isinf(iv.low):
        facets.append((XSD.minExclusive if iv.low_open else XSD.minInclusive, iv.low))
    if iv.high is not None and not math.isinf(iv.high):
        facets.append((XSD.maxExclusive if iv.high_open else XSD.maxInclusive, iv.high))
    datatype = BNode()
    g.add((datatype, RDF.type, RDFS.Datatype))
    g.add((datatype, OWL.onDatatype, XSD.decimal))
    items = []
    for facet, value in facets:
        f = BNode()
        g.add((f, facet, Literal(str(value), datatype=XSD.decimal)))
        items.append(f)
    _list(g, datatype, OWL.withRestrictions, items)
    r = BNode()
    g.add((r, RDF.type, OWL.Restriction))
    g.add((r, OWL.onProperty, prop))
    g.add((r, OWL.someValuesFrom, datatype))
    return r


def _list_node(g: Graph, prop: URIRef, items: list) -> BNode:
    n = BNode()
    g.add((n, RDF.type, OWL.Class))
    _list(g, n, prop, items)
    return n


def _list(g: Graph, subject, prop: URIRef, items: list) -> None:
    from rdflib.collection import Collection

    head = BNode()
    Collection(g, head, list(items))
    g.add((subject, prop, head))
