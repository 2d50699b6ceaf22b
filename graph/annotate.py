"""Annotate a document's statements: concept mentions, modality, dose schedules, population
criteria and treatment pathways. Every annotation keeps the offsets of the words it was read
from. The rules are described in docs/annotation.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import URIRef

from .doses import DoseSchedule, dose_schedules
from .modality import INHERITED, modality
from .model import Document
from .pathways import Pathway, pathways
from .population import Criterion, criteria
from .vocabulary import Vocabulary, tokens

INTERVENTION = URIRef("https://w3id.org/guidegraph/vocabulary#Intervention")


@dataclass
class Mention:
    """Words of a statement that name a concept."""

    start: int
    end: int
    concept: URIRef
    statement: int  # index into Document.statements


@dataclass
class Annotation:
    """Everything annotation read from one document, by statement index."""

    mentions: list[Mention] = field(default_factory=list)
    modality: dict[int, str] = field(default_factory=dict)
    interventions: dict[int, list[URIRef]] = field(default_factory=dict)
    schedules: dict[int, list[DoseSchedule]] = field(default_factory=dict)
    population: dict[int, list[Criterion]] = field(default_factory=dict)
    section_criteria: dict[int, list[Criterion]] = field(default_factory=dict)
    pathways: list[Pathway] = field(default_factory=list)
    abbreviations: dict[str, URIRef] = field(default_factory=dict)


def annotate(doc: Document, vocab: Vocabulary) -> Annotation:
    """Return the annotations of every statement of the document."""
    ann = Annotation()
    ann.abbreviations = defined_abbreviations(doc, vocab)
    for i, st in enumerate(doc.statements):
        ann.mentions.extend(find_mentions(doc.raw, st.start, st.end, i, vocab, ann.abbreviations))
    by_statement: dict[int, list[Mention]] = {}
    for m in ann.mentions:
        by_statement.setdefault(m.statement, []).append(m)
    for i, st in enumerate(doc.statements):
        concepts = [m.concept for m in by_statement.get(i, [])]
        ann.modality[i] = _statement_modality(doc, i, ann.modality,
                                              any(vocab.is_a(c, INTERVENTION) for c in concepts))
        if ann.modality[i] != "inform":
            ann.interventions[i] = _unique([m.concept for m in by_statement.get(i, [])
                                            if vocab.is_a(m.concept, INTERVENTION) and not _excluded(doc.raw, m.start)])
        schedules = dose_schedules(doc.raw, st.start, st.end, by_statement.get(i, []), vocab,
                                   context=_context_drugs(doc, i, by_statement, vocab))
        if schedules:
            ann.schedules[i] = schedules
        found = criteria(doc.raw, st.start, st.end, by_statement.get(i, []), vocab)
        if found:
            ann.population[i] = found
    for k, sec in enumerate(doc.sections):
        heading_mentions = [Mention(m.start, m.end, m.concept, -1)
                            for m in find_mentions(doc.raw, sec.start, sec.end, -1, vocab, ann.abbreviations)]
        found = criteria(doc.raw, sec.start, sec.end, heading_mentions, vocab)
        if found:
            ann.section_criteria[k] = found
    ann.pathways = pathways(doc, ann.modality, ann.section_criteria)
    return ann


def _excluded(raw: str, start: int) -> bool:
    """Tell whether a named intervention is ruled out rather than recommended ("no chemotherapy or bisphosphonate")."""
    return bool(re.search(r"\bno\s+(\w+\s+or\s+)?$", raw[max(0, start - 40):start]))


def _unique(items):
    seen = []
    for x in items:
        if x not in seen:
            seen.append(x)
    return seen


def _statement_modality(doc: Document, i: int, known: dict[int, str], names_intervention: bool) -> str:
    st = doc.statements[i]
    own = modality(st.text)
    if own != "inform":
        return own
    # "For premenopausal patients: tamoxifen combined with …": a population, then what to give
    if names_intervention and re.match(r"^For [^:]{3,80}:\s*\S", st.text):
        return "recommend"
    # an item without modality words takes its lead-in's or parent's ("Monitor … through:")
    for j in (st.parent, st.lead_in):
        if j is not None and known.get(j) in INHERITED:
            return known[j]
    # a numbered step of a treatment algorithm is a recommendation unless it says otherwise
    if st.block == "step":
        return "recommend"
    return own


def _context_drugs(doc, i, by_statement, vocab) -> list[URIRef]:
    """Drugs named by the lead-in or parent of an item ("Zoledronic acid …: Infuse over 15 minutes")."""
    st = doc.statements[i]
    out = []
    for j in (st.parent, st.lead_in):
        if j is None:
            continue
        # a lead-in such as "Key considerations:" follows the sentence that names the drug
        for k in (j, j - 1):
            if k >= 0:
                out.extend(m.concept for m in by_statement.get(k, []))
    return out


_ABBREV = re.compile(r"\(([A-Z][A-Za-z0-9]{1,7})\)|\bor ([A-Z]{2,6})\b")


def defined_abbreviations(doc: Document, vocab: Vocabulary) -> dict[str, URIRef]:
    """Find abbreviations the text defines: "skeletal-related events (SREs)", "… of the jaw or ONJ"."""
    found: dict[str, URIRef] = {}
    for st in doc.statements:
        text = doc.raw[st.start:st.end]
        for m in _ABBREV.finditer(text):
            abbr = m.group(1) or m.group(2)
            if not any(ch.isupper() for ch in abbr[1:]) and not abbr.isupper():
                continue
            before = tokens(text[:m.start()])
            # the longest run of words just before the bracket that names a concept
            for n in range(min(vocab.longest, len(before)), 0, -1):
                key = tuple(t for t, _, _ in before[-n:])
                concept = vocab.match(key, caps=False)
                if concept:
                    found[abbr.rstrip("s") if abbr.endswith("s") and abbr[:-1].isupper() else abbr] = concept
                    break
    return found


def find_mentions(raw: str, start: int, end: int, statement: int, vocab: Vocabulary,
                  abbreviations: dict[str, URIRef] | None = None) -> list[Mention]:
    """Return the concept mentions in ``raw[start:end]``, longest match first, left to right."""
    text = raw[start:end]
    toks = tokens(text)
    words = [text[s:e] for _, s, e in toks]
    out: list[Mention] = []
    i = 0
    while i < len(toks):
        hit = None
        for n in range(min(vocab.longest, len(toks) - i), 0, -1):
            key = tuple(t for t, _, _ in toks[i:i + n])
            caps = all(w.isupper() or w.isdigit() or w.rstrip("s").isupper() for w in words[i:i + n])
            if key in vocab.index and vocab.index[key] is None:
                hit = (n, None)  # a phrase that names no concept ("radiation oncology")
                break
            concept = vocab.match(key, caps)
            if concept is None and n == 1 and abbreviations:
                concept = abbreviations.get(words[i]) or abbreviations.get(words[i].rstrip("s"))
            if concept is not None:
                hit = (n, concept)
                break
        if hit:
            n, concept = hit
            if concept is not None:
                out.append(Mention(start + toks[i][1], start + toks[i + n - 1][2], concept, statement))
            i += n
        else:
            i += 1
    return out
