"""OWL reasoning: HermiT (through owlready2) for the open-world part, linear realisation after it.

HermiT classifies the ontology and the vocabulary (their class hierarchy, the defined
classes, consistency) and checks the consistency of the statement-level assertions. It does
not realise every statement individual: that grows superlinearly (docs/reasoning.md).
Instead ``realise`` reads each defined class ``D ≡ Base ⊓ ∃p.C`` (or ``∃p.{v}``) from the
ontology and assigns a statement to ``D`` when it is asserted a ``Base`` and has a value of
``p`` (or a sub-property) that the classified hierarchy places under ``C``: one pass over
the statements. Each inferred triple is written to the inferred graph with a ``gg:Inference``
that lists its premises in order: the asserted facts (with the words and offsets they were
read from), the subclass chain, and the axiom. The facts come from the graph alone:
``store_facts`` reads them from the document graphs, for a build (the quads it writes) and for
``guidegraph reason`` (the store) alike, so both write the same inferred graph.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD

from guidegraph.errors import GuidegraphError
from guidegraph.namespaces import GG, GRAPH_INFERRED, ID, PREFIXES, curie, local_name
from guidegraph.paths import ontology_file

# Above this many statement facts the data is not given to HermiT (the classification still is).
MAX_CONSISTENCY_FACTS = 25_000


class ReasonerUnavailable(GuidegraphError):
    """HermiT cannot run here (no Java)."""


@dataclass
class Classification:
    """What HermiT said about the ontology, the vocabulary and (when small enough) the data."""

    consistent: bool
    superclasses: dict[str, set[str]]
    inferred_subsumptions: list[tuple[str, str]]
    unsatisfiable: list[str]
    seconds: float
    reasoner: str
    message: str | None = None
    data_checked: int = 0


@dataclass
class DefinedClass:
    """``iri ≡ base ⊓ restrictions``, each restriction (property, "some" | "value", filler)."""

    iri: str
    base: str
    restrictions: list[tuple[str, str, str]]


@dataclass
class Fact:
    """An asserted statement fact the realisation reads, with where it came from."""

    subject: str
    predicate: str
    value: str
    evidence: str | None = None  # e.g. 'the words "Zoledronate" at 1277-1288'
    source: str | None = None  # the IRI of the mention or node it was read from


@dataclass
class Reasoning:
    """The outcome of reasoning over a build."""

    classification: Classification | None
    inferred: Graph
    inferences: int = 0
    notes: list[str] = field(default_factory=list)


def java_executable() -> str | None:
    """Return the java command HermiT will run with, or None."""
    return os.environ.get("GUIDEGRAPH_JAVA") or shutil.which("java")


def tbox(extra: Graph | None = None) -> Graph:
    """Return the ontology and the vocabulary as one rdflib graph."""
    g = Graph()
    g.parse(ontology_file("guidegraph.ttl"), format="turtle")
    g.parse(ontology_file("vocabulary.ttl"), format="turtle")
    if extra is not None:
        g += extra
    return g


def write_owl(graph: Graph, path: Path, fmt: str = "xml") -> Path:
    """Write a graph in a syntax owlready2 and Protégé read (owlready2 does not read Turtle)."""
    graph.serialize(destination=str(path), format=fmt)
    return path


def classify(tbox_graph: Graph, abox: Graph | None = None) -> Classification:
    """Run HermiT on the ontology (and the assertions in ``abox``); return the hierarchy."""
    java = java_executable()
    if not java:
        raise ReasonerUnavailable("Java was not found, so HermiT cannot run: install a Java runtime "
                                  "(for example `apt-get install default-jre-headless`) or set GUIDEGRAPH_JAVA")
    import owlready2

    owlready2.JAVA_EXE = java
    merged = Graph()
    merged += tbox_graph
    if abox is not None:
        merged += abox
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        path = write_owl(merged, Path(tmp) / "guidegraph-reasoning.owl")
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load()
        consistent, message = True, None
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            consistent, message = False, _inconsistency_reason(merged) or f"HermiT: {exc}"
        except owlready2.OwlReadyJavaError as exc:
            raise ReasonerUnavailable(f"HermiT failed to run: {str(exc).strip().splitlines()[-1]}") from None
        superclasses: dict[str, set[str]] = {}
        unsatisfiable: list[str] = []
        if consistent:
            for cls in world.classes():
                iri = cls.iri
                ancestors = {a.iri for a in cls.ancestors() if isinstance(a, owlready2.ThingClass)}
                ancestors.discard(iri)
                ancestors.discard(str(OWL.Thing))
                superclasses[iri] = ancestors
            unsatisfiable = sorted(c.iri for c in world.inconsistent_classes())
    asserted = _asserted_closure(tbox_graph)
    inferred = sorted((c, s) for c, sups in superclasses.items() for s in sups
                      if s not in asserted.get(c, set()) and not s.startswith(str(OWL)))
    seconds = time.perf_counter() - t0
    return Classification(consistent, superclasses, inferred, unsatisfiable, seconds,
                          f"HermiT (owlready2 {owlready2.VERSION})", message,
                          data_checked=len(abox) if abox is not None else 0)


def _asserted_closure(g: Graph) -> dict[str, set[str]]:
    direct: dict[str, set[str]] = {}
    for s, o in g.subject_objects(RDFS.subClassOf):
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            direct.setdefault(str(s), set()).add(str(o))
    closure: dict[str, set[str]] = {}

    def up(c: str, seen: set[str]) -> set[str]:
        if c in closure:
            return closure[c]
        out: set[str] = set()
        for p in direct.get(c, ()):
            if p not in seen:
                out |= {p} | up(p, seen | {p})
        closure[c] = out
        return out

    for c in list(direct):
        up(c, {c})
    return closure


def _inconsistency_reason(g: Graph) -> str | None:
    """Name an individual that belongs to two disjoint classes, the usual cause."""
    for a, b in g.subject_objects(OWL.disjointWith):
        both = set(g.subjects(RDF.type, a)) & set(g.subjects(RDF.type, b))
        for x in sorted(both):
            return (f"inconsistent: {x} is asserted to be both {a} and {b}, "
                    f"but the ontology says {a} owl:disjointWith {b}")
    return None


def defined_classes(g: Graph) -> list[DefinedClass]:
    """Read the defined classes ``D ≡ Base ⊓ ∃p.C | ∃p.{v}`` of the ontology."""
    out = []
    for d, eq in g.subject_objects(OWL.equivalentClass):
        if not isinstance(d, URIRef) or not isinstance(eq, BNode):
            continue
        members_node = g.value(eq, OWL.intersectionOf)
        if members_node is None:
            continue
        base, restrictions = None, []
        for member in Collection(g, members_node):
            if isinstance(member, URIRef):
                base = str(member)
                continue
            prop = g.value(member, OWL.onProperty)
            some = g.value(member, OWL.someValuesFrom)
            value = g.value(member, OWL.hasValue)
            if prop is not None and some is not None:
                restrictions.append((str(prop), "some", str(some)))
            elif prop is not None and value is not None:
                restrictions.append((str(prop), "value", str(value)))
        if base and restrictions:
            out.append(DefinedClass(str(d), base, restrictions))
    return sorted(out, key=lambda c: c.iri)


def _subproperties(g: Graph) -> dict[str, list[str]]:
    """Map each property to itself and then every property below it, in a fixed order.

    The order decides which fact a premise quotes when several would do, so it must not
    depend on the process (set order does: string hashing is randomised per process).
    """
    below: dict[str, set[str]] = {}
    for s, o in g.subject_objects(RDFS.subPropertyOf):
        below.setdefault(str(o), set()).add(str(s))
    out: dict[str, set[str]] = {}
    for p in set(below) | {x for v in below.values() for x in v}:
        stack, seen = [p], {p}
        while stack:
            for q in below.get(stack.pop(), ()):
                if q not in seen:
                    seen.add(q)
                    stack.append(q)
        out[p] = [p, *sorted(seen - {p})]
    return out


def realise(facts: list[Fact], classification: Classification, tbox_graph: Graph) -> tuple[Graph, int]:
    """Assign statements to the defined classes; return the inferred graph and how many."""
    inferred = Graph(identifier=GRAPH_INFERRED)
    defined = defined_classes(tbox_graph)
    subprops = _subproperties(tbox_graph)
    sup = classification.superclasses
    by_subject: dict[str, dict[str, list[Fact]]] = {}
    for f in facts:
        by_subject.setdefault(f.subject, {}).setdefault(f.predicate, []).append(f)
    count = 0
    rdf_type = str(RDF.type)
    for subject, props in by_subject.items():
        types = {f.value for f in props.get(rdf_type, [])}
        for dc in defined:
            base_fact = next((f for f in props.get(rdf_type, [])
                              if f.value == dc.base or dc.base in sup.get(f.value, ())), None)
            if base_fact is None or dc.iri in types:
                continue
            support = []
            for prop, kind, filler in dc.restrictions:
                candidates = [f for p in subprops.get(prop, [prop]) for f in props.get(p, [])]
                if kind == "value":
                    hit = next((f for f in candidates if f.value == filler), None)
                else:
                    hit = next((f for f in candidates if f.value == filler or filler in sup.get(f.value, ())), None)
                if hit is None:
                    break
                support.append((prop, kind, filler, hit))
            else:
                count += 1
                _explain(inferred, subject, dc, base_fact, support, tbox_graph, classification)
    return inferred, count


def _explain(g: Graph, subject: str, dc: DefinedClass, base_fact: Fact, support, tbox_graph: Graph,
             classification: Classification) -> None:
    s, d = URIRef(subject), URIRef(dc.iri)
    g.add((s, RDF.type, d))
    inf = URIRef(f"{subject}/inferred/{hashlib.sha1(dc.iri.encode()).hexdigest()[:10]}")
    g.add((inf, RDF.type, GG.Inference))
    g.add((inf, RDF.subject, s))
    g.add((inf, RDF.predicate, RDF.type))
    g.add((inf, RDF.object, d))
    g.add((inf, GG.axiom, d))
    g.add((inf, GG.reasoner,
           Literal(f"guidegraph realisation over the hierarchy classified by {classification.reasoner}")))
    premises = [(f"{curie(subject)} is a {curie(base_fact.value)} (asserted"
                 + (f": {base_fact.evidence})" if base_fact.evidence else ")"), base_fact.source or subject)]
    for prop, kind, filler, hit in support:
        where = f": {hit.evidence}" if hit.evidence else ""
        premises.append((f"{curie(subject)} {curie(hit.predicate)} {curie(hit.value)} (asserted{where})",
                         hit.source or hit.value))
        if kind == "some" and hit.value != filler:
            chain = _chain(hit.value, filler, tbox_graph)
            how = "vocabulary" if chain else "HermiT classification"
            path = " ⊑ ".join(curie(c) for c in (chain or [hit.value, filler]))
            premises.append((f"{path} ({how}, confirmed by {classification.reasoner})", filler))
        if hit.predicate != prop:
            premises.append((f"{curie(hit.predicate)} ⊑ {curie(prop)} (ontology)", prop))
    parts = " ⊓ ".join([curie(dc.base)] + [f"∃{curie(p)}.{curie(f)}" if k == "some" else f"∃{curie(p)}.{{{curie(f)}}}"
                                            for p, k, f in dc.restrictions])
    premises.append((f"{curie(dc.iri)} ≡ {parts} (ontology axiom)", dc.iri))
    for n, (text, about) in enumerate(premises, start=1):
        p = URIRef(f"{inf}/premise/{n}")
        g.add((inf, GG.premise, p))
        g.add((p, RDF.type, GG.Premise))
        g.add((p, GG.premiseOrder, Literal(n, datatype=XSD.integer)))
        g.add((p, GG.explanation, Literal(text)))
        g.add((p, GG.refersTo, URIRef(about)))


def _chain(start: str, end: str, g: Graph) -> list[str]:
    """Return the asserted rdfs:subClassOf path from ``start`` up to ``end``, or []."""
    paths = [[start]]
    while paths:
        path = paths.pop(0)
        if path[-1] == end:
            return path
        for o in g.objects(URIRef(path[-1]), RDFS.subClassOf):
            if isinstance(o, URIRef) and str(o) not in path:
                paths.append(path + [str(o)])
    return []


def tbox_inferences(classification: Classification) -> Graph:
    """Return the subsumptions HermiT derived that were not asserted, each with its inference."""
    g = Graph(identifier=GRAPH_INFERRED)
    for c, s in classification.inferred_subsumptions:
        g.add((URIRef(c), RDFS.subClassOf, URIRef(s)))
        inf = ID[f"inference/subclass/{hashlib.sha1((c + ' ' + s).encode()).hexdigest()[:16]}"]
        g.add((inf, RDF.type, GG.Inference))
        g.add((inf, RDF.subject, URIRef(c)))
        g.add((inf, RDF.predicate, RDFS.subClassOf))
        g.add((inf, RDF.object, URIRef(s)))
        g.add((inf, GG.reasoner, Literal(classification.reasoner)))
        p = URIRef(f"{inf}/premise/1")
        g.add((inf, GG.premise, p))
        g.add((p, RDF.type, GG.Premise))
        g.add((p, GG.premiseOrder, Literal(1, datatype=XSD.integer)))
        g.add((p, GG.explanation, Literal(f"{curie(c)} ⊑ {curie(s)}: entailed by the definitions of both classes "
                                          f"(HermiT classification of the ontology and vocabulary)")))
        g.add((p, GG.refersTo, URIRef(s)))
    return g


def facts_abox(facts: list[Fact]) -> Graph:
    """Return the statement facts as OWL assertions for HermiT's consistency check."""
    g = Graph()
    for f in facts:
        g.add((URIRef(f.subject), URIRef(f.predicate), URIRef(f.value)))
        if f.predicate == str(RDF.type):
            g.add((URIRef(f.subject), RDF.type, OWL.NamedIndividual))
    return g


def reason(facts: list[Fact], tbox_graph: Graph | None = None) -> Reasoning:
    """Classify with HermiT, check the facts for consistency, realise; never raise for a missing Java."""
    tb = tbox_graph if tbox_graph is not None else tbox()
    notes = []
    abox = None
    if len(facts) <= MAX_CONSISTENCY_FACTS:
        abox = facts_abox(facts)
    else:
        notes.append(f"{len(facts):,} statement facts: above {MAX_CONSISTENCY_FACTS:,}, HermiT checked the ontology "
                     "and vocabulary only, not the data")
    try:
        cls = classify(tb, abox)
    except ReasonerUnavailable as exc:
        return Reasoning(None, Graph(identifier=GRAPH_INFERRED), 0, notes + [f"no inferences: {exc}"])
    if not cls.consistent:
        return Reasoning(cls, Graph(identifier=GRAPH_INFERRED), 0, notes + [f"no inferences: {cls.message}"])
    inferred, count = realise(facts, cls, tb)
    inferred += tbox_inferences(cls)
    return Reasoning(cls, inferred, count, notes)


# -- the facts, read from the graph ------------------------------------------------------------
_DOCUMENT_GRAPHS = 'FILTER(STRSTARTS(STR(?g), "https://w3id.org/guidegraph/id/graph/document/"))'
# how much of a statement's text the premise about its modality quotes
QUOTED_TEXT = 60


def store_facts(store) -> list[Fact]:
    """Read the asserted statement facts, with the words and offsets behind each, from the document graphs.

    The one producer of the facts reasoning works on: ``guidegraph reason`` reads them from the
    whole store, a build from each document graph it writes (``document_facts``), so the two
    cannot disagree. ``store`` is a guidegraph Store or a pyoxigraph Store.
    """
    db = store.oxigraph() if hasattr(store, "oxigraph") else store
    rdf_type, modality, mentions, about = str(RDF.type), str(GG.modality), str(GG.mentions), str(GG.aboutIntervention)
    facts: list[Fact] = []
    for r in db.query("SELECT ?s ?type ?mod ?text WHERE { GRAPH ?g { ?s a ?type ; gg:modality ?mod . "
                      "FILTER(?type IN (gg:Recommendation, gg:Claim)) OPTIONAL { ?s gg:text ?text } } "
                      + _DOCUMENT_GRAPHS + " } ORDER BY ?s", prefixes=PREFIXES):
        s, mod = r["s"].value, r["mod"].value
        text = r["text"].value if r["text"] is not None else None
        facts.append(Fact(s, rdf_type, r["type"].value, f"its modality is '{local_name(mod)}'", s))
        facts.append(Fact(s, modality, mod, f'read from "{text[:QUOTED_TEXT]}"' if text is not None else None, s))
    about_pairs = {(r["s"].value, r["c"].value) for r in db.query(
        "SELECT ?s ?c WHERE { GRAPH ?g { ?s gg:aboutIntervention ?c } " + _DOCUMENT_GRAPHS + " }", prefixes=PREFIXES)}
    # an intervention's evidence is the first mention of it in the statement
    for r in db.query("SELECT ?s ?c ?m ?words ?start ?end ?file WHERE { GRAPH ?g { ?m a gg:Mention ; gg:concept ?c ; "
                      "gg:inStatement ?s ; gg:asWritten ?words ; gg:start ?start ; gg:end ?end . "
                      "?s dcterms:isPartOf ?d . ?d gg:sourceFile ?file } " + _DOCUMENT_GRAPHS + " } ORDER BY ?s ?start",
                      prefixes=PREFIXES):
        s, c, m = r["s"].value, r["c"].value, r["m"].value
        words = f'the words "{r["words"].value}" at {r["start"].value}-{r["end"].value} of {r["file"].value}'
        facts.append(Fact(s, mentions, c, words, m))
        if (s, c) in about_pairs:
            about_pairs.discard((s, c))
            facts.append(Fact(s, about, c, words, m))
    # what the graph asserts is a fact even when no mention in the statement shows the words
    facts.extend(Fact(s, about, c, None, s) for s, c in sorted(about_pairs))
    return facts


def document_facts(nquads_text: str) -> list[Fact]:
    """Read the facts of the N-Quads a build writes for one document (``store_facts`` on them alone)."""
    import pyoxigraph as ox

    db = ox.Store()  # in memory
    db.bulk_load(input=nquads_text, format=ox.RdfFormat.N_QUADS, lenient=True)
    return store_facts(db)


def reason_store(store) -> Reasoning:
    """Recompute the inferred graph of a store from its asserted graphs, into a new generation."""
    result = reason(store_facts(store))
    store.replace_graphs({GRAPH_INFERRED: result.inferred})
    return result


def explanations(store, iri: str) -> list[dict]:
    """Return every inference about ``iri`` with its ordered premises (data for the CLI and UI)."""
    from guidegraph.query.sparql import bind

    ds = store.dataset()
    query, init = bind("""
        SELECT ?inf ?p ?o ?reasoner ?n ?text ?about WHERE {
          GRAPH <https://w3id.org/guidegraph/id/graph/inferred> {
            ?inf a gg:Inference ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; gg:premise ?premise .
            OPTIONAL { ?inf gg:reasoner ?reasoner }
            ?premise gg:premiseOrder ?n ; gg:explanation ?text .
            OPTIONAL { ?premise gg:refersTo ?about }
          }
        } ORDER BY ?o ?n""", {"s": URIRef(iri)})
    out: dict[str, dict] = {}
    rows = ds.query(query, initBindings=init)
    for r in rows:
        item = out.setdefault(str(r.inf), {"inference": str(r.inf), "subject": iri, "predicate": str(r.p),
                                           "object": str(r.o), "reasoner": str(r.reasoner) if r.reasoner else None,
                                           "premises": []})
        item["premises"].append({"order": int(r.n), "text": str(r.text), "refersTo": str(r.about) if r.about else None})
    return list(out.values())
