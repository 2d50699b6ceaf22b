"""Read population criteria: who a statement or a section applies to.

Which concepts select patients is read from the vocabulary (``gg:criterionKind``), never written
here; this module knows only how English writes a comparison. Numeric criteria are

* a numeric concept's label followed by a value: "ECOG 0-2" → 0..2, "creatinine clearance
  <60 mL/min" → below 60, "life expectancy of more than three months";
* a bare value after a bounded score was named: "the Mirels' score …, with scores ≥9",
  "… classifying lesions as stable (≤6)";
* a count of a concept's count nouns: "≤5 lesions".

A value outside the concept's scale is not read; a value of a score with bands becomes a
criterion on the band it falls in. Categorical criteria are the concepts a statement names
("HER2-positive", "postmenopausal"), negated when the text says "without" or "no".
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from rdflib import URIRef

from guidegraph.annotate.vocabulary import Vocabulary, tokens

_CMP = r"(<=|>=|<|≤|>|≥)"
_NUMBER = r"\d+(?:\.\d+)?"
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "twelve": 12}
_WORD = "|".join(_WORDS)
_RANGE = rf"({_NUMBER})\s*(?:-|–|to)\s*({_NUMBER})"
# units a value may be written with; a unit the text does not write comes from the vocabulary (gg:scaleUnit)
_UNIT = r"mL/min|mg/dL|µmol/L|%|points?|years?|months?|weeks?|days?"
_PLURAL_UNITS = ("point", "year", "month", "week", "day")

# right after a numeric concept's label: "0-2", "<60 mL/min", "≥13", "of more than three months"
_VALUE = re.compile(
    rf"\s*(?:of\s+)?(?:{_RANGE}|{_CMP}\s*({_NUMBER})|(more|greater|less|fewer)\s+than\s+({_NUMBER}|{_WORD})\b)"
    rf"(?:\s*({_UNIT})(?![A-Za-z]))?", re.I)
# a bare value of a score named earlier in the statement: "(≤6)", "(7-12)", "scores ≥9"
_BARE = re.compile(rf"\(\s*(?:{_CMP}\s*({_NUMBER})|{_RANGE})\s*\)|\bscores?\s*(?:of\s*)?{_CMP}\s*({_NUMBER})")
# a count: "≤5 lesions" (the noun is checked against the vocabulary's count nouns)
_COUNT = re.compile(rf"(?:{_CMP}\s*({_NUMBER})|{_RANGE})\s*")


@dataclass
class Criterion:
    """One population criterion as written."""

    start: int
    end: int
    concept: URIRef
    comparator: str  # "range", "<", "≤", ">", "≥", "is", "is not"
    as_written: str
    min_value: float | None = None
    max_value: float | None = None
    unit: str | None = None


def _bounds(cmp: str, value: float) -> tuple[float | None, float | None]:
    if cmp in ("<", "≤", "<="):
        return None, value
    return value, None


def _number(text: str) -> float:
    return float(_WORDS.get(text.lower(), text) if not text[0].isdigit() else text)


def _unit(written: str | None, concept: URIRef, vocab: Vocabulary) -> str | None:
    if not written:
        return vocab.unit(concept)
    if written.lower().rstrip("s") in _PLURAL_UNITS:
        return written.lower().rstrip("s") + "s"
    return written


def _reading(vocab: Vocabulary, concept: URIRef, low: float | None, high: float | None) -> URIRef | None:
    """Return the concept a value is a criterion on (a band of a score, or the concept), or None outside its scale."""
    scale = vocab.scale(concept)
    values = [v for v in (low, high) if v is not None]
    if any((scale.min is not None and v < scale.min) or (scale.max is not None and v > scale.max) for v in values):
        return None
    lo = low if low is not None else -math.inf
    hi = high if high is not None else math.inf
    # a value (or a range) of a banded score is read as the first band it reaches
    return next((b.concept for b in vocab.bands_of(concept) if lo <= b.max and hi >= b.min), concept)


def criteria(raw: str, start: int, end: int, mentions, vocab: Vocabulary) -> list[Criterion]:
    """Return the population criteria written in ``raw[start:end]``."""
    text = raw[start:end]
    named = [m for m in mentions if m.concept in vocab.numeric]
    out: list[Criterion] = []
    for reader in (_after_labels, _bare_values, _counts):
        for s, e, concept, comparator, lo, hi, unit in reader(text, start, named, vocab, out):
            target = _reading(vocab, concept, lo, hi)
            if target is not None:
                out.append(Criterion(start + s, start + e, target, comparator, text[s:e], lo, hi,
                                     _unit(unit, concept, vocab)))
    out.sort(key=lambda c: (c.start, c.end))
    for mention in mentions:
        if vocab.is_categorical(mention.concept):
            before = raw[max(start, mention.start - 60):mention.start].lower()
            if re.search(r"\b(compared (to|with)|than|versus|vs\.?|unlike)\s+(in\s+|with\s+|to\s+)?(the\s+)?$", before):
                continue  # "the benefit is limited compared to adenocarcinoma": a comparison, not whom it is for
            # the nearest cue decides ("do not give X to non-smokers"). It reaches over a coordination
            # ("without complete fractures or evidence of … cord compression"), not over a clause break,
            # nor over the preposition that names whom an action is for ("do not use X for HR-positive
            # disease" negates the action, not the criterion)
            cues = list(re.finditer(r"\b(without|no|not|non)\b", before))
            tail = before[cues[-1].end():] if cues else None
            negated = tail is not None and len(tail) <= 45 and not re.search(r"[.;:,()]", tail) \
                and not re.search(r"\b(for|in|to|among)\b", tail)
            out.append(Criterion(mention.start, mention.end, mention.concept, "is not" if negated else "is",
                                 raw[mention.start:mention.end]))
    return [c for c in out if not in_conditional_aside(raw, start, c.start)]


def in_conditional_aside(raw: str, start: int, at: int) -> bool:
    """Tell whether offset ``at`` lies in a bracketed aside with a condition of its own before it:
    "doublet chemotherapy (with trastuzumab if HER2+ adenocarcinoma)" selects the patients of the
    trastuzumab, not of the statement; "good performance status (ECOG 0-2)" still selects."""
    before = raw[start:at]
    opened = before.rfind("(")
    if opened < 0 or before.rfind(")") > opened:
        return False
    return re.search(r"\b(if|when|unless|whenever)\b", before[opened:], re.I) is not None


def _after_labels(text: str, start: int, named, vocab: Vocabulary, read):
    """Yield the values written right after the label of a numeric concept: "ECOG 0-2", "age <55 years"."""
    for mention in named:
        m = _VALUE.match(text, mention.end - start)
        if not m:
            continue
        s, e, unit = mention.start - start, m.end(), m.group(7)
        if m.group(1):
            # a bare range right after an open-ended measure is more likely citations ("renal function 1-3")
            if vocab.scale(mention.concept).max is not None or unit:
                yield s, e, mention.concept, "range", float(m.group(1)), float(m.group(2)), unit
        elif m.group(3):
            yield s, e, mention.concept, m.group(3), *_bounds(m.group(3), float(m.group(4))), unit
        else:
            cmp = ">" if m.group(5).lower() in ("more", "greater") else "<"
            yield s, e, mention.concept, cmp, *_bounds(cmp, _number(m.group(6))), unit


def _bare_values(text: str, start: int, named, vocab: Vocabulary, read):
    """Yield bare values of a bounded score the statement names: "stable (≤6)", "with scores ≥9"."""
    scores = [m for m in named if vocab.scale(m.concept).max is not None]
    taken = [(c.start - start, c.end - start) for c in read]
    for m in _BARE.finditer(text) if scores else ():
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        # the bounded score named last before the value, else the first one named
        before = [x for x in scores if x.start - start < m.start()]
        score = (before[-1] if before else scores[0]).concept
        if m.group(3):
            yield m.start(), m.end(), score, "range", float(m.group(3)), float(m.group(4)), None
        else:
            cmp = m.group(1) or m.group(5)
            yield m.start(), m.end(), score, cmp, *_bounds(cmp, float(m.group(2) or m.group(6))), None


def _counts(text: str, start: int, named, vocab: Vocabulary, read):
    """Yield counts of a concept's count nouns: "≤5 lesions"."""
    longest = max((len(k) for k in vocab.count_nouns), default=0)
    for m in _COUNT.finditer(text) if longest else ():
        words = tokens(text[m.end():m.end() + 80])
        if not words or words[0][1] != 0:
            continue
        for n in range(min(len(words), longest), 0, -1):
            concept = vocab.count_nouns.get(tuple(t for t, _, _ in words[:n]))
            if concept is not None:
                e = m.end() + words[n - 1][2]
                if m.group(1):
                    yield m.start(), e, concept, m.group(1), *_bounds(m.group(1), float(m.group(2))), None
                else:
                    yield m.start(), e, concept, "range", float(m.group(3)), float(m.group(4)), None
                break


def distinct(found: list[Criterion]) -> list[Criterion]:
    """Keep the first of criteria that say the same thing in different words."""
    seen, out = set(), []
    for c in found:
        key = (c.concept, c.comparator, c.min_value, c.max_value)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out
