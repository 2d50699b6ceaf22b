"""The controlled vocabulary (ontology/vocabulary.ttl) as a label index for annotation.

Labels are matched on word tokens: case-insensitive, hyphens and slashes as word breaks,
plurals folded to the singular ("bisphosphonates", "metastases"). Short all-capital labels
(abbreviations such as "ONJ", "EBRT") match only when written in capitals.

What annotation knows about the domain is read from the vocabulary too, never written in code:
which branches are interventions, diseases, drugs and radiation (``gg:interventionRoot`` …),
which phrases are not concepts (``gg:notAConcept``), and which concepts select patients
(``gg:criterionKind``, their scales ``gg:scaleMin``/``gg:scaleMax``, bands ``gg:bandOf``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache
from pathlib import Path
from typing import NamedTuple

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from guidegraph.errors import GuidegraphError
from guidegraph.namespaces import GG, local_name
from guidegraph.paths import ontology_file

_TOKEN = re.compile(r"[A-Za-z0-9]+\+?")
# the branches annotation reads (a gg:…Root of the concept scheme each): role → property
ROOTS = {"intervention": GG.interventionRoot, "scope": GG.scopeRoot, "situation": GG.situationRoot,
         "drug": GG.drugRoot, "radiation": GG.radiationRoot}
# branches a vocabulary may name, read for mention roles (graph/annotate/directives.py)
OPTIONAL_ROOTS = {"assessment": GG.assessmentRoot, "adverse event": GG.adverseEventRoot, "outcome": GG.outcomeRoot,
                  "symptom": GG.symptomRoot}


class VocabularyError(GuidegraphError):
    """The vocabulary file lacks or misstates a term that annotation reads."""


class Scale(NamedTuple):
    """The range of a numeric criterion (or the bounds of a band); None where open."""

    min: float | None
    max: float | None


class Band(NamedTuple):
    """One band of a score: the band concept and its bounds."""

    concept: URIRef
    min: float
    max: float


def singular(word: str) -> str:
    """Fold an English plural to its singular, the way labels are compared."""
    if len(word) <= 3 or word.isupper():
        return word[:-1] if len(word) > 2 and word[:-1].isupper() and word.endswith("s") else word
    w = word
    if w.endswith("ases"):
        return w[:-2] + "is"  # metastases -> metastasis
    if w.endswith("ies"):
        return w[:-3] + "y"
    if w.endswith(("ss", "us", "is")):
        return w
    if w.endswith("s"):
        return w[:-1]
    return w


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Return (normalised token, start, end) for every word of ``text``."""
    out = []
    for m in _TOKEN.finditer(text):
        word = m.group()
        norm = singular(word) if word.isupper() and len(word) <= 6 else singular(word.lower())
        out.append((norm, m.start(), m.end()))
    return out


def _label_key(label: str) -> tuple[tuple[str, ...], bool]:
    """Return the token key of a label and whether it must match in capitals."""
    caps = bool(re.fullmatch(r"[A-Z0-9+]{2,6}s?", label))
    key = tuple(t for t, _, _ in tokens(label))
    return key, caps


@dataclass
class Concept:
    """One concept with its labels and place in the hierarchy."""

    iri: URIRef
    pref_label: str
    alt_labels: list[str] = field(default_factory=list)
    broader: list[URIRef] = field(default_factory=list)
    definition: str | None = None


@dataclass
class Vocabulary:
    """The concepts, their ancestors, the label index and what annotation reads the concepts as."""

    graph: Graph
    concepts: dict[URIRef, Concept]
    index: dict[tuple[str, ...], URIRef | None]
    caps_only: set[tuple[str, ...]]
    longest: int
    roots: dict[str, URIRef] = field(default_factory=dict)
    not_concepts: tuple[str, ...] = ()
    categorical: tuple[URIRef, ...] = ()
    numeric: tuple[URIRef, ...] = ()
    count_nouns: dict[tuple[str, ...], URIRef] = field(default_factory=dict)
    scales: dict[URIRef, Scale] = field(default_factory=dict, repr=False)
    units: dict[URIRef, str] = field(default_factory=dict, repr=False)
    bands: dict[URIRef, list[Band]] = field(default_factory=dict, repr=False)
    _ancestors: dict = field(default_factory=dict, repr=False)

    def root(self, role: str) -> URIRef:
        """Return the concept at the top of the branch read as ``role`` (a key of ``ROOTS``)."""
        return self.roots[role]

    @cached_property
    def disjoint(self) -> frozenset[URIRef]:
        """Return the concepts the vocabulary declares disjoint from another (``owl:disjointWith``), read once."""
        return frozenset(a for pair in self.graph.subject_objects(OWL.disjointWith) for a in pair)

    def in_branch(self, iri: URIRef, role: str) -> bool:
        """Tell whether ``iri`` is in the branch read as ``role``: its root or narrower (False for a branch
        the vocabulary does not name)."""
        return role in self.roots and self.is_a(iri, self.roots[role])

    def scale(self, concept: URIRef) -> Scale:
        """Return the scale of a numeric criterion or the bounds of a band (None where open or unknown)."""
        return self.scales.get(concept, Scale(None, None))

    def unit(self, concept: URIRef) -> str | None:
        """Return the unit of a criterion's values on ``concept`` when the text writes none."""
        return self.units.get(concept)

    def bands_of(self, score: URIRef) -> list[Band]:
        """Return the bands of a score, lowest first ([] for a score without bands)."""
        return self.bands.get(score, [])

    def is_categorical(self, iri: URIRef) -> bool:
        """Tell whether naming ``iri`` selects patients: it is, or is narrower than, a categorical criterion."""
        return any(self.is_a(iri, c) for c in self.categorical)

    def ancestors(self, iri: URIRef) -> list[URIRef]:
        """Return the broader concepts of ``iri``, nearest first (excluding itself)."""
        found = self._ancestors.get(iri)
        if found is None:
            found = self._ancestors[iri] = list(_ancestors(self, iri))
        return found

    def is_a(self, iri: URIRef, ancestor: URIRef) -> bool:
        """Tell whether ``iri`` is ``ancestor`` or narrower than it."""
        return iri == ancestor or ancestor in self.ancestors(iri)

    def chain(self, iri: URIRef, ancestor: URIRef) -> list[URIRef]:
        """Return the broader-path from ``iri`` up to ``ancestor`` (both included), or []."""
        paths = [[iri]]
        while paths:
            path = paths.pop(0)
            if path[-1] == ancestor:
                return path
            for b in self.concepts.get(path[-1], Concept(path[-1], "")).broader:
                paths.append(path + [b])
        return []

    def label(self, iri: URIRef) -> str:
        """Return the preferred label of a concept (or the end of its IRI)."""
        c = self.concepts.get(iri)
        return c.pref_label if c else local_name(iri)

    def match(self, key: tuple[str, ...], caps: bool) -> URIRef | None:
        """Look up a token key; abbreviations only when written in capitals."""
        iri = self.index.get(key)
        if iri is None or (key in self.caps_only and not caps):
            return None
        return iri


def _ancestors(vocab: Vocabulary, iri: URIRef):
    seen = set()
    frontier = list(vocab.concepts[iri].broader) if iri in vocab.concepts else []
    while frontier:
        nxt = []
        for b in frontier:
            if b not in seen:
                seen.add(b)
                yield b
                nxt.extend(vocab.concepts[b].broader if b in vocab.concepts else [])
        frontier = nxt


def load_vocabulary(path: Path | None = None) -> Vocabulary:
    """Read the SKOS vocabulary and index its labels."""
    return _load(str(Path(path if path is not None else ontology_file("vocabulary.ttl")).resolve()))


@lru_cache(maxsize=4)
def _load(path: str) -> Vocabulary:
    g = Graph().parse(path, format="turtle")
    concepts: dict[URIRef, Concept] = {}
    for c in g.subjects(RDF.type, SKOS.Concept):
        pref = g.value(c, SKOS.prefLabel)
        concepts[c] = Concept(
            iri=c, pref_label=str(pref) if pref else str(c),
            alt_labels=sorted(str(a) for a in g.objects(c, SKOS.altLabel)),
            broader=sorted(set(g.objects(c, SKOS.broader))),
            definition=str(g.value(c, SKOS.definition) or "") or None,
        )
    index: dict[tuple[str, ...], URIRef | None] = {}
    caps_only: set[tuple[str, ...]] = set()
    for c in sorted(concepts.values(), key=lambda c: str(c.iri)):
        for label in [c.pref_label, *c.alt_labels]:
            key, caps = _label_key(label)
            if not key:
                continue
            index.setdefault(key, c.iri)
            if caps:
                caps_only.add(key)
    scheme = _scheme(g, path)
    # phrases that contain a label but name something else are matched like labels, so that the
    # longest match consumes them, and mapped to no concept
    not_concepts = tuple(sorted(str(o) for o in g.objects(scheme, GG.notAConcept)))
    for phrase in not_concepts:
        index[_label_key(phrase)[0]] = None
    longest = max((len(k) for k in index), default=1)
    return Vocabulary(graph=g, concepts=concepts, index=index, caps_only=caps_only, longest=longest,
                      roots=_roots(g, scheme, concepts, path), not_concepts=not_concepts,
                      **_criteria(g, concepts, path))


def _scheme(g: Graph, path: str) -> URIRef:
    schemes = sorted(g.subjects(RDF.type, SKOS.ConceptScheme))
    if len(schemes) != 1:
        raise VocabularyError(f"{path}: expected one skos:ConceptScheme, found {len(schemes)}: "
                              "declare the vocabulary's scheme once (gg:vocabulary a skos:ConceptScheme)")
    return schemes[0]


def _roots(g: Graph, scheme: URIRef, concepts: dict, path: str) -> dict[str, URIRef]:
    roots = {}
    for role, prop in ROOTS.items():
        found = list(g.objects(scheme, prop))
        if len(found) != 1 or found[0] not in concepts:
            raise VocabularyError(f"{path}: the concept scheme needs one {g.namespace_manager.normalizeUri(prop)} "
                                  f"naming a concept of the vocabulary (found {len(found)}): say which concept's "
                                  f"branch annotation reads as {role}")
        roots[role] = found[0]
    for role, prop in OPTIONAL_ROOTS.items():
        found = [c for c in g.objects(scheme, prop) if c in concepts]
        if found:
            roots[role] = found[0]
    return roots


def _decimal(g: Graph, concept: URIRef, prop: URIRef, path: str) -> float | None:
    values = sorted(g.objects(concept, prop))
    if not values:
        return None
    value = values[0].toPython() if len(values) == 1 and isinstance(values[0], Literal) else None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise VocabularyError(f"{path}: {concept} {g.namespace_manager.normalizeUri(prop)} "
                              f"{', '.join(v.n3() for v in values)}: give one number, as a decimal such as 0.0")
    return float(value)


def _criteria(g: Graph, concepts: dict, path: str) -> dict:
    """Read which concepts select patients: their kinds, scales, units, bands and count nouns."""
    kinds: dict[URIRef, list[URIRef]] = {GG.NumericCriterion: [], GG.CategoricalCriterion: []}
    for concept, kind in sorted(g.subject_objects(GG.criterionKind)):
        if kind not in kinds or concept not in concepts:
            raise VocabularyError(f"{path}: {concept} gg:criterionKind {kind.n3()}: the subject must be a concept "
                                  "and the value gg:NumericCriterion or gg:CategoricalCriterion")
        kinds[kind].append(concept)
    numeric = tuple(kinds[GG.NumericCriterion])
    scales = {c: Scale(_decimal(g, c, GG.scaleMin, path), _decimal(g, c, GG.scaleMax, path))
              for c in {*g.subjects(GG.scaleMin), *g.subjects(GG.scaleMax)}}
    bands: dict[URIRef, list[Band]] = {}
    for band, score in g.subject_objects(GG.bandOf):
        low, high = scales.get(band, (None, None))
        if score not in numeric or low is None or high is None:
            raise VocabularyError(f"{path}: band {band} needs gg:bandOf a numeric criterion (gg:criterionKind "
                                  "gg:NumericCriterion) and its own gg:scaleMin and gg:scaleMax")
        bands.setdefault(score, []).append(Band(band, low, high))
    for found in bands.values():
        found.sort(key=lambda b: (b.min, b.max, str(b.concept)))
    return {
        "numeric": numeric,
        "categorical": tuple(kinds[GG.CategoricalCriterion]),
        "scales": scales,
        "units": {c: str(u) for c, u in g.subject_objects(GG.scaleUnit)},
        "bands": bands,
        "count_nouns": {_label_key(str(noun))[0]: c for c, noun in sorted(g.subject_objects(GG.countNoun))},
    }
