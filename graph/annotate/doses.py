"""Read dose schedules and radiation prescriptions from a statement's words.

"4 mg IV every 3-4 weeks" → zoledronic acid, 4 mg, IV, interval 21–28 days;
"every 3 months" → about 90 days (a month counts 30 days); "monthly" → 30;
"over at least 15 minutes" → an infusion of 15 minutes or more;
"8 Gy in a single fraction", "50-60 Gy", ">60 Gy", "1 or 2 large doses", "5 to 10 treatments".
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import URIRef

from guidegraph.annotate.vocabulary import Vocabulary

_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
_WORD_INTERVAL = {"daily": 1, "weekly": 7, "monthly": 30, "yearly": 365, "annually": 365}
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "twelve": 12}

_FREQ = re.compile(r"\bevery\s+(\d+|one|two|three|four|six|twelve)(?:\s*(?:-|–|to)\s*(\d+))?"
                   r"\s*(day|week|month|year)s?\b|\b(daily|weekly|monthly|yearly|annually)\b", re.I)
_DOSE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(mg/kg|mg/m2|mg|mcg|µg|g|kBq/kg|MBq)\b")
_ROUTE = re.compile(r"\b(IV|intravenous(?:ly)?|subcutaneous(?:ly)?|SC|orally|oral|by mouth|intramuscular(?:ly)?)\b")
_INFUSION = re.compile(r"\bover\s+(?:no less than|at least|a minimum of|not less than)?\s*(\d+)\s*"
                       r"(minutes|minute|min|hours|hour)\b", re.I)
_GY = re.compile(r"(>|≥|<|≤)?\s*(\d+(?:\.\d+)?)(?:\s*(?:-|–|to)\s*(\d+(?:\.\d+)?))?\s*Gy\b")
_FRACTIONS = re.compile(r"\b(\d+)\s*(?:or|to|-|–)\s*(\d+)\s*(?:large\s+|smaller\s+)?(doses|treatments|fractions)\b",
                        re.I)
_SINGLE = re.compile(r"\bsingle[- ](?:fraction|dose)\b|\bsingle\s+\d+(?:\.\d+)?\s*Gy\s+fraction\b"
                     r"|\bin a single fraction\b", re.I)


@dataclass
class DoseSchedule:
    """A dose schedule as written, with its normalised interval."""

    start: int
    end: int
    drug: URIRef
    as_written: str
    value: float | None = None
    value_max: float | None = None
    unit: str | None = None
    route: str | None = None
    frequency: str | None = None
    interval_min: float | None = None
    interval_max: float | None = None
    infusion_minutes: float | None = None
    fractions: str | None = None
    comparator: str | None = None


def _route(text: str) -> str | None:
    m = _ROUTE.search(text)
    if not m:
        return None
    word = m.group(1).lower()
    if word.startswith(("iv", "intraven")):
        return "IV"
    if word.startswith(("subcut", "sc")):
        return "subcutaneous"
    if word.startswith("intramus"):
        return "intramuscular"
    return "oral"


def _nearest(concepts: list[tuple[int, URIRef]], pos: int) -> URIRef | None:
    before = [c for p, c in concepts if p <= pos]
    return before[-1] if before else (concepts[0][1] if concepts else None)


def dose_schedules(raw: str, start: int, end: int, mentions, vocab: Vocabulary,
                   context: list[URIRef] | None = None) -> list[DoseSchedule]:
    """Return the dose schedules written in ``raw[start:end]``; ``mentions`` are its concept mentions."""
    text = raw[start:end]
    drugs = [(m.start - start, m.concept) for m in mentions
             if vocab.in_branch(m.concept, "drug") and not vocab.in_branch(m.concept, "radiation")]
    radiation = [(m.start - start, m.concept) for m in mentions if vocab.in_branch(m.concept, "radiation")]
    if not drugs and context:
        drug_context = [c for c in context if vocab.in_branch(c, "drug")]
        if drug_context:
            drugs = [(0, drug_context[0])]
    out: list[DoseSchedule] = []
    if drugs:
        out.extend(_drug_schedules(text, start, drugs))
    out.extend(_radiation(text, start, radiation, vocab.root("radiation")))
    return out


def _drug_schedules(text: str, base: int, drugs: list[tuple[int, URIRef]]) -> list[DoseSchedule]:
    dose = _DOSE.search(text)
    route = _route(text)
    infusion = _INFUSION.search(text)
    freqs = list(_FREQ.finditer(text))
    out = []
    for f in freqs:
        if f.group(4):
            days = _WORD_INTERVAL[f.group(4).lower()]
            lo = hi = days
        else:
            n1 = _NUMBER_WORDS.get(f.group(1).lower()) or int(f.group(1))
            n2 = int(f.group(2)) if f.group(2) else n1
            unit = _DAYS[f.group(3).lower()]
            lo, hi = n1 * unit, n2 * unit
        pieces = [f] + ([dose] if dose else [])
        s = min(p.start() for p in pieces)
        e = max(p.end() for p in pieces)
        out.append(DoseSchedule(
            start=base + s, end=base + e, drug=_nearest(drugs, f.start()), as_written=text[s:e],
            value=float(dose.group(1)) if dose else None, unit=dose.group(2) if dose else None, route=route,
            frequency=f.group(0), interval_min=lo, interval_max=hi,
            infusion_minutes=_minutes(infusion) if infusion else None,
        ))
    if not freqs and (dose or infusion):
        pieces = [p for p in (dose, infusion) if p]
        s = min(p.start() for p in pieces)
        e = max(p.end() for p in pieces)
        out.append(DoseSchedule(
            start=base + s, end=base + e, drug=_nearest(drugs, s), as_written=text[s:e],
            value=float(dose.group(1)) if dose else None, unit=dose.group(2) if dose else None, route=route,
            infusion_minutes=_minutes(infusion) if infusion else None,
        ))
    return out


def _minutes(m: re.Match) -> float:
    value = float(m.group(1))
    return value * 60 if m.group(2).lower().startswith("hour") else value


def _radiation(text: str, base: int, radiation: list[tuple[int, URIRef]], unnamed: URIRef) -> list[DoseSchedule]:
    """Read prescriptions in Gy and fraction counts; ``unnamed`` is the treatment of a prescription that names none."""
    out = []
    single = _SINGLE.search(text)
    for g in _GY.finditer(text):
        concept = _nearest(radiation, g.start()) or unnamed
        lo = float(g.group(2))
        hi = float(g.group(3)) if g.group(3) else None
        out.append(DoseSchedule(
            start=base + g.start() + (len(g.group(0)) - len(g.group(0).lstrip())), end=base + g.end(), drug=concept,
            as_written=g.group(0).strip(), value=lo, value_max=hi, unit="Gy", comparator=g.group(1),
            fractions="1" if single else None,
        ))
    if radiation:
        for f in _FRACTIONS.finditer(text):
            out.append(DoseSchedule(
                start=base + f.start(), end=base + f.end(), drug=_nearest(radiation, f.start()), as_written=f.group(0),
                fractions=f"{f.group(1)}-{f.group(2)}",
            ))
    return out
