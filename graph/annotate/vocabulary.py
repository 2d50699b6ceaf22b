"""The controlled vocabulary (ontology/vocabulary.ttl) as a label index for annotation.

Labels are matched on word tokens: case-insensitive, hyphens and slashes as word breaks,
plurals folded to the singular ("bisphosphonates", "metastases"). Short all-capital labels
(abbreviations such as "ONJ", "EBRT") match only when written in capitals.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from guidegraph.paths import ontology_file

_TOKEN = re.compile(r"[A-Za-z0-9]+\+?")
# Phrases that contain a label but name something else (a medical specialty, not a treatment):
# matched like labels, so that the longest match consumes them, and mapped to no concept.
NOT_CONCEPTS = ["radiation oncology", "radiation oncologist", "medical oncology", "orthopedic surgeon", "orthopedic surgery",
                "nuclear medicine"]


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
    """The concepts, their ancestors and the label index."""

    graph: Graph
    concepts: dict[URIRef, Concept]
    index: dict[tuple[str, ...], URIRef | None]
    caps_only: set[tuple[str, ...]]
    longest: int
    _ancestors: dict = field(default_factory=dict, repr=False)

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
        return c.pref_label if c else str(iri).rsplit("#", 1)[-1]

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
    for phrase in NOT_CONCEPTS:
        index[_label_key(phrase)[0]] = None
    longest = max((len(k) for k in index), default=1)
    return Vocabulary(graph=g, concepts=concepts, index=index, caps_only=caps_only, longest=longest)
