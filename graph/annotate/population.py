"""Read population criteria: who a statement or a section applies to.

Numeric criteria carry a comparator and bounds ("ECOG 0-2" → 0..2, "creatinine clearance
<60 mL/min" → below 60, SINS "(≥13)" → the unstable band); categorical ones name a concept
("HER2-positive", "postmenopausal", "T4b"), negated when the text says "without" or "no".
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import URIRef

from guidegraph.annotate.vocabulary import Vocabulary

GGV = "https://w3id.org/guidegraph/vocabulary#"


def _c(name: str) -> URIRef:
    return URIRef(GGV + name)


# concepts that select patients when a statement names them
CATEGORICAL = [_c(n) for n in (
    "HRPositiveHER2NegativeBreastCancer", "HER2PositiveBreastCancer", "TripleNegativeBreastCancer",
    "EsophagealAdenocarcinoma", "EsophagealSquamousCellCarcinoma", "CastrationResistantProstateCancer",
    "Postmenopausal", "Premenopausal", "T4bDisease", "RenalImpairment", "OligometastaticDisease",
    "SpinalCordCompression", "Pregnancy", "HER2Positive", "HormoneReceptorPositive",
)]
_SINS_BANDS = [(0, 6, _c("SINSStable")), (7, 12, _c("SINSPotentiallyUnstable")), (13, 18, _c("SINSUnstable"))]
_CMP = r"(<|≤|>|≥|<=|>=)"
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "twelve": 12}


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


def criteria(raw: str, start: int, end: int, mentions, vocab: Vocabulary) -> list[Criterion]:
    """Return the population criteria written in ``raw[start:end]``."""
    text = raw[start:end]
    out: list[Criterion] = []

    def add(m: re.Match, concept, comparator, lo=None, hi=None, unit=None, group=0):
        out.append(Criterion(start + m.start(group), start + m.end(group), concept, comparator,
                             text[m.start(group):m.end(group)], lo, hi, unit))

    for m in re.finditer(r"ECOG\s*(\d)\s*(?:-|–|to)\s*(\d)", text):
        add(m, _c("PerformanceStatus"), "range", float(m.group(1)), float(m.group(2)))
    for m in re.finditer(r"ECOG\s*" + _CMP + r"\s*(\d)", text):
        lo, hi = _bounds(m.group(1), float(m.group(2)))
        add(m, _c("PerformanceStatus"), m.group(1), lo, hi)
    for m in re.finditer(r"creatinine clearance\s*" + _CMP + r"\s*(\d+)\s*(mL/min)", text, re.I):
        lo, hi = _bounds(m.group(1), float(m.group(2)))
        add(m, _c("CreatinineClearance"), m.group(1), lo, hi, m.group(3))
    if re.search(r"\bSINS\b|Spinal Instability Neoplastic Score", text):
        for m in re.finditer(r"\(\s*" + _CMP + r"\s*(\d+)\s*\)|\(\s*(\d+)\s*[-–]\s*(\d+)\s*\)|SINS score\s*" + _CMP + r"\s*(\d+)", text):
            if m.group(3):
                lo, hi, cmp = float(m.group(3)), float(m.group(4)), "range"
            else:
                cmp = m.group(1) or m.group(5)
                lo, hi = _bounds(cmp, float(m.group(2) or m.group(6)))
            band = next(c for a, b, c in _SINS_BANDS if (lo if lo is not None else 0) <= b and (hi if hi is not None else 18) >= a)
            add(m, band, cmp, lo, hi, "points")
    if "Mirels" in text:
        for m in re.finditer(r"\bscores?\s*(?:of\s*)?" + _CMP + r"\s*(\d+)", text):
            lo, hi = _bounds(m.group(1), float(m.group(2)))
            add(m, _c("MirelsScore"), m.group(1), lo, hi, "points")
    for m in re.finditer(_CMP + r"\s*(\d+)\s*(lesions?|metastatic sites)", text):
        lo, hi = _bounds(m.group(1), float(m.group(2)))
        add(m, _c("OligometastaticDisease"), m.group(1), lo, hi, "lesions")
    for m in re.finditer(r"\bage\s*" + _CMP + r"\s*(\d+)\s*years?", text, re.I):
        lo, hi = _bounds(m.group(1), float(m.group(2)))
        add(m, _c("Age"), m.group(1), lo, hi, "years")
    for m in re.finditer(r"life expectancy of (more|less) than (\d+|\w+) (months?|years?)", text, re.I):
        value = float(_WORDS.get(m.group(2).lower(), m.group(2)) if not m.group(2).isdigit() else m.group(2))
        cmp = ">" if m.group(1).lower() == "more" else "<"
        lo, hi = _bounds(cmp, value)
        add(m, _c("LifeExpectancy"), cmp, lo, hi, m.group(3).rstrip("s") + "s")
    for mention in mentions:
        if any(vocab.is_a(mention.concept, c) for c in CATEGORICAL):
            before = raw[max(start, mention.start - 60):mention.start].lower()
            # "without complete fractures or evidence of epidural spinal cord compression": the
            # negation reaches over a coordination, not over a clause break
            negated = bool(re.search(r"\b(without|no|not|non)\b[^.;:,()]{0,45}$", before))
            out.append(Criterion(mention.start, mention.end, mention.concept, "is not" if negated else "is",
                                 raw[mention.start:mention.end]))
    return out


def distinct(found: list[Criterion]) -> list[Criterion]:
    """Keep the first of criteria that say the same thing in different words."""
    seen, out = set(), []
    for c in found:
        key = (c.concept, c.comparator, c.min_value, c.max_value)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out
