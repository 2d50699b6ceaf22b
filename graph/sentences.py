"""Split text into sentences and find the inline citation markers that close them.

Citation markers in these documents are bare numbers written at the end of a sentence,
bullet or step, before or after its final full stop: ``… every 3-4 weeks 3``,
``… (ECOG 0-2). 1, 2 The standard …``, ``… pain control 5. This …``. Numbers that belong
to the text are never markers: ranges (``3-4``), thresholds (``≥13``), decimals, years,
and numbers that a word before them asks for (``every 3``, ``score of 9``, ``Level 1``).
All offsets are absolute offsets into the raw text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import Marker

# A group of marker numbers as written: "3", "1, 2", "1,2, 4".
_GROUP = r"(?:[1-9]\d{0,2})(?:\s?,\s?[1-9]\d{0,2})*"
_GROUP_RE = re.compile(_GROUP)
_NUMBER_RE = re.compile(r"[1-9]\d{0,2}")

# Words after which a number is part of the text, not a citation.
NUMBER_WORDS = {
    "every", "of", "than", "at", "to", "from", "about", "approximately", "around", "over",
    "under", "above", "below", "least", "most", "within", "after", "before", "per", "by",
    "and", "or", "nor", "x", "level", "grade", "stage", "type", "phase", "day", "week",
    "month", "year", "cycle", "score", "class", "step", "version", "ecog", "karnofsky",
    "age", "aged", "dose", "page", "pages", "table", "figure", "fig", "chapter", "section",
    "number", "no", "vol", "volume", "issue", "tier", "category", "zone", "is", "was",
    "were", "are", "be", "equals",
}
# Characters right before the number that make it part of the text.
_NUMERIC_CONTEXT = set("≥≤<>=±×x/+-–—~#$€£°:;")

# Abbreviations whose full stop does not end a sentence.
ABBREVIATIONS = {
    "e.g", "i.e", "vs", "Dr", "Mr", "Mrs", "Ms", "Prof", "al", "approx", "Fig", "fig", "No",
    "St", "cf", "Inc", "Ltd", "Co", "Jr", "Sr", "resp", "ca", "incl", "Dept", "Univ", "Vol",
    "vol", "ed", "eds", "pp",
}


@dataclass
class Sentence:
    """A sentence with the markers written at its end."""

    start: int
    end: int
    text: str  # as written, without its citation markers, white space folded
    markers: list[Marker] = field(default_factory=list)


def _word_before(text: str, pos: int) -> str:
    m = re.search(r"([^\s(]+)\s*$", text[:pos])
    return m.group(1) if m else ""


def _is_marker_context(text: str, pos: int) -> bool:
    """Tell whether a number group starting at ``pos`` can be a citation marker."""
    if pos == 0 or not text[pos - 1].isspace():
        return False
    before = text[:pos].rstrip()
    if not before:
        return False
    last = before[-1]
    if last in _NUMERIC_CONTEXT or last.isdigit() or last == ",":
        # "3-4 weeks 3" is fine (last is "s"); "≥ 13", "1, 2 or 3" and "2014: 739" are text
        return False
    word = _word_before(text, pos).strip(".,;:()[]").lower()
    if word in NUMBER_WORDS:
        return False
    # "1 or 2": a number, a joining word, then our number
    if re.search(r"\d\s+(or|and|to|of|in)\s*$", before):
        return False
    return True


def _markers(text: str, base: int, start: int, end: int) -> list[Marker]:
    out = []
    for m in _NUMBER_RE.finditer(text, start, end):
        out.append(Marker(start=base + m.start(), end=base + m.end(), number=int(m.group()), content=m.group()))
    return out


def _trailing_group(text: str, stop: int) -> tuple[int, int] | None:
    """Find a marker group ending at ``stop`` (before a final full stop or at the end)."""
    m = re.search(r"(" + _GROUP + r")\s*$", text[:stop])
    if not m:
        return None
    # the number must not continue a longer number or word ("2.5", "COVID-19", "HER2")
    s = m.start(1)
    if s > 0 and not text[s - 1].isspace():
        return None
    if not _is_marker_context(text, s):
        return None
    return s, m.end(1)


# A stop followed by space, or run into the next sentence as captured ("pain.Initially").
_BOUNDARY = re.compile(r"[.!?](?=[\s\"'”’)]*(\s|$))|(?<=[a-z]{3})\.(?=[A-Z][a-z])")


def _is_abbreviation(text: str, dot: int) -> bool:
    if text[dot] != ".":
        return False
    word = re.search(r"([A-Za-z.]+)$", text[:dot])
    if not word:
        return False
    w = word.group(1).rstrip(".")
    if w in ABBREVIATIONS or w.lower() in {"e.g", "i.e", "vs"}:
        return True
    # an initial such as "J." in "Smith J. Title", or "U.S."
    return bool(re.fullmatch(r"[A-Z]", w)) or "." in w


def split_sentences(text: str, base: int = 0) -> list[Sentence]:
    """Split ``text`` (found at offset ``base`` of the raw file) into sentences with markers."""
    sentences: list[Sentence] = []
    pos = 0
    n = len(text)
    while pos < n:
        while pos < n and text[pos].isspace():
            pos += 1
        if pos >= n:
            break
        end, after_markers = _next_boundary(text, pos)
        sentences.append(_make_sentence(text, base, pos, end, after_markers))
        pos = end
    return sentences


def _next_boundary(text: str, start: int) -> tuple[int, tuple[int, int] | None]:
    """Return where the sentence starting at ``start`` ends, and a marker group after its stop."""
    n = len(text)
    for m in _BOUNDARY.finditer(text, start):
        dot = m.start()
        if dot == start or _is_abbreviation(text, dot):
            continue
        stop_end = dot + 1
        # closing quotes or brackets stay with the sentence
        while stop_end < n and text[stop_end] in "\"'”’)":
            stop_end += 1
        rest = stop_end
        while rest < n and text[rest].isspace():
            rest += 1
        if rest >= n:
            return len(text.rstrip()), None
        g = _GROUP_RE.match(text, rest)
        if g:
            after = g.end()
            tail = after
            while tail < n and text[tail] in " \t":
                tail += 1
            # markers after the stop, then the end, a line break or a new sentence
            if tail >= n or text[tail] in "\r\n" or (text[tail].isupper() and after < tail):
                return after, (rest, after)
        nxt = text[rest]
        if nxt.isupper() or nxt.isdigit() or nxt in "\"“‘'(":
            return stop_end, None
    # no boundary: a colon ending with a marker group ("include: 3, 4") or plain end
    return len(text.rstrip()), None


def _make_sentence(text: str, base: int, start: int, end: int, after: tuple[int, int] | None) -> Sentence:
    body_end = end
    markers: list[Marker] = []
    groups: list[tuple[int, int]] = []
    if after:
        groups.append(after)
        body_end = after[0]
        while body_end > start and text[body_end - 1].isspace():
            body_end -= 1
    # markers before the final stop ("… control 5.") or at the end of an unpunctuated line
    stop = body_end
    final = ""
    if stop > start and text[stop - 1] in ".!?:":
        final = text[stop - 1]
        stop -= 1
    g = _trailing_group(text, stop) if stop > start else None
    if g is None and not after:
        # "… include: 3, 4" has its group after the colon, at the very end
        c = re.search(r":\s+(" + _GROUP + r")\s*$", text[start:body_end])
        if c:
            g = (start + c.start(1), start + c.end(1))
    if g and g[0] > start:
        groups.insert(0, g)
    for gs, ge in groups:
        markers.extend(_markers(text, base, gs, ge))
    clean = _strip_groups(text, start, end, groups)
    return Sentence(start=base + start, end=base + end, text=clean, markers=markers)


def _strip_groups(text: str, start: int, end: int, groups: list[tuple[int, int]]) -> str:
    parts = []
    pos = start
    for gs, ge in sorted(groups):
        parts.append(text[pos:gs])
        pos = ge
    parts.append(text[pos:end])
    clean = "".join(parts)
    clean = re.sub(r"\s+", " ", clean).strip()
    # "control ." left by a marker between a word and its stop
    return re.sub(r"\s+([.!?:;,])", r"\1", clean)
