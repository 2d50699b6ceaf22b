"""Split text into sentences and find the inline citation markers that close them.

Citation markers in these documents are bare numbers written at the end of a sentence,
bullet or step, before or after its final full stop: ``… every 3-4 weeks 3``,
``… (ECOG 0-2). 1, 2 The standard …``, ``… pain control 5. This …``. Numbers that belong
to the text are never markers: ranges (``3-4``), thresholds (``≥13``), decimals, years,
and numbers that a word before them asks for (``every 3``, ``score of 9``, ``Level 1``).
All offsets are absolute offsets into the raw text.

The splitter is linear in the length of a paragraph: every look back from a position (the
word before a full stop, the numbers before the end of a sentence) walks only over the run of
characters that can belong to what it looks for, and never re-reads the text before it, so a
paragraph of megabytes is split in seconds (tests/test_splitter_scale.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from guidegraph.model import Marker

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


# Words that join two numbers: "1 or 2", "2 to 4".
_JOINING_WORDS = ("or", "and", "to", "of", "in")


def _skip_space_back(text: str, pos: int, low: int = 0) -> int:
    """Return where the white space that ends at ``pos`` begins (not before ``low``)."""
    while pos > low and text[pos - 1].isspace():
        pos -= 1
    return pos


def _word_before(text: str, pos: int) -> str:
    """Return the last word before ``pos`` (white space between allowed), as ``[^\\s(]+``."""
    end = _skip_space_back(text, pos)
    start = end
    while start > 0 and not text[start - 1].isspace() and text[start - 1] != "(":
        start -= 1
    # a word that ends in "(" is no word: "(" cannot end it and nothing before it can
    return text[start:end] if end and text[end - 1] != "(" else ""


def _is_marker_context(text: str, pos: int) -> bool:
    """Tell whether a number group starting at ``pos`` can be a citation marker."""
    if pos == 0 or not text[pos - 1].isspace():
        return False
    end = _skip_space_back(text, pos)  # text[:end] is the text before, right-stripped
    if not end:
        return False
    last = text[end - 1]
    if last in _NUMERIC_CONTEXT or last.isdigit() or last == ",":
        # "3-4 weeks 3" is fine (last is "s"); "≥ 13", "1, 2 or 3" and "2014: 739" are text
        return False
    word = _word_before(text, pos).strip(".,;:()[]").lower()
    if word in NUMBER_WORDS:
        return False
    # "1 or 2": a number, white space, a joining word, then our number
    for joining in _JOINING_WORDS:
        word_start = end - len(joining)
        if word_start > 0 and text.startswith(joining, word_start, end):
            space_start = _skip_space_back(text, word_start)
            if space_start < word_start and space_start > 0 and text[space_start - 1].isdecimal():
                return False
    return True


def _markers(text: str, base: int, start: int, end: int) -> list[Marker]:
    out = []
    for m in _NUMBER_RE.finditer(text, start, end):
        out.append(Marker(start=base + m.start(), end=base + m.end(), number=int(m.group()), content=m.group()))
    return out


def _group_at_end(text: str, low: int, stop: int) -> tuple[int, int, int] | None:
    """Find the marker group that ``text[low:stop]`` ends with (white space may follow it).

    Returns ``(window, start, end)``: the group is ``text[start:end]``, the leftmost start
    from which ``_GROUP`` matches up to the end, as ``re.search(_GROUP + r"\\s*$")`` finds it;
    ``window`` is where the run of digits, commas and white space before the end begins (a
    group cannot start before it). The work is linear in the length of that run.
    """
    end = _skip_space_back(text, stop, low)
    if end == low or not text[end - 1].isdecimal():
        return None
    window = end
    while window > low and (text[window - 1].isdecimal() or text[window - 1] == "," or text[window - 1].isspace()):
        window -= 1
    # Walking back from the end: number[i] tells whether text[i:end] is a group (a number, then
    # any ", number"), more[i] whether text[i:end] is a sequence of ", number" (or empty).
    size = end - window
    number = [False] * (size + 1)
    more = [False] * (size + 1)
    more[size] = True
    first = None
    for i in range(size - 1, -1, -1):
        ch = text[window + i]
        if ch in "123456789":
            for length in (1, 2, 3):
                if i + length > size or (length > 1 and not text[window + i + length - 1].isdecimal()):
                    break
                if more[i + length]:
                    number[i], first = True, i
                    break
        else:
            # a separator (white space, a comma, white space: both spaces optional), then a group
            comma = i if ch == "," else i + 1 if ch.isspace() and i + 1 < size and text[window + i + 1] == "," else -1
            if comma >= 0 and comma + 1 < size:
                more[i] = number[comma + 1] or (text[window + comma + 1].isspace() and comma + 2 < size
                                                and number[comma + 2])
    if first is None:
        return None
    return window, window + first, end


def _trailing_group(text: str, stop: int) -> tuple[int, int] | None:
    """Find a marker group ending at ``stop`` (before a final full stop or at the end)."""
    found = _group_at_end(text, 0, stop)
    if not found:
        return None
    _, s, e = found
    # the number must not continue a longer number or word ("2.5", "COVID-19", "HER2")
    if s > 0 and not text[s - 1].isspace():
        return None
    if not _is_marker_context(text, s):
        return None
    return s, e


def _colon_group(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Find a group written after a final colon, ``… include: 3, 4``, in ``text[start:end]``."""
    found = _group_at_end(text, start, end)
    if not found:
        return None
    window, s, e = found
    # the colon ends the run before the group, and only white space (at least one) lies between
    if window - 1 < start or text[window - 1] != ":" or _skip_space_back(text, s, window) != window or s == window:
        return None
    return s, e


# A stop followed by space, or run into the next sentence as captured ("pain.Initially").
_BOUNDARY = re.compile(r"[.!?](?=[\s\"'”’)]*(\s|$))|(?<=[a-z]{3})\.(?=[A-Z][a-z])")


_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.")
_WORD_RUN = re.compile(r"[A-Za-z.]+")
_LONGEST_ABBREVIATION = max(map(len, ABBREVIATIONS))


class _WordRuns:
    """The runs of ASCII letters and full stops of a text, met from left to right.

    The word before a full stop is the part of its run before it; the runs are found once,
    in order, so looking at every full stop of a paragraph costs one pass over the paragraph.
    """

    def __init__(self, text: str):
        self.text = text
        self._runs = _WORD_RUN.finditer(text)
        self._run: tuple[int, int, int] | None = None  # start, end, first full stop

    def run_at(self, pos: int) -> tuple[int, int]:
        """Return the start of the run holding ``pos`` and the run's first full stop."""
        run = self._run
        while run is None or run[1] <= pos:
            m = next(self._runs, None)
            if m is None:
                break
            run = self._run = (m.start(), m.end(), self.text.find(".", m.start(), m.end()))
        if run is None or not run[0] <= pos < run[1]:
            return self._walk_back(pos)
        return run[0], run[2]

    def _walk_back(self, pos: int) -> tuple[int, int]:
        # asked out of order: find the run from the text itself
        start = pos
        while start > 0 and self.text[start - 1] in _WORD_CHARS:
            start -= 1
        return start, self.text.find(".", start, pos + 1)


def _is_abbreviation(text: str, dot: int, runs: _WordRuns | None = None) -> bool:
    """Tell whether the full stop at ``dot`` closes an abbreviation or an initial."""
    if text[dot] != ".":
        return False
    # the word is the run of letters and stops right before the full stop, or before the line
    # break right before it (as ``$`` matches before a final "\n" in the pattern this replaces)
    end = dot - 1 if dot and text[dot - 1] == "\n" else dot
    if end == 0 or text[end - 1] not in _WORD_CHARS:
        return False
    start, first_stop = (runs or _WordRuns(text)).run_at(end - 1)
    # without the full stops that end it
    while end > start and text[end - 1] == ".":
        end -= 1
    if end - start <= _LONGEST_ABBREVIATION:
        w = text[start:end]
        if w in ABBREVIATIONS or w.lower() in {"e.g", "i.e", "vs"}:
            return True
    # an initial such as "J." in "Smith J. Title", or "U.S."
    if end - start == 1 and "A" <= text[start] <= "Z":
        return True
    return start <= first_stop < end


def split_sentences(text: str, base: int = 0) -> list[Sentence]:
    """Split ``text`` (found at offset ``base`` of the raw file) into sentences with markers."""
    sentences: list[Sentence] = []
    pos = 0
    n = len(text)
    runs = _WordRuns(text)
    while pos < n:
        while pos < n and text[pos].isspace():
            pos += 1
        if pos >= n:
            break
        end, after_markers = _next_boundary(text, pos, runs)
        sentences.append(_make_sentence(text, base, pos, end, after_markers))
        pos = end
    return sentences


def _next_boundary(text: str, start: int, runs: _WordRuns | None = None) -> tuple[int, tuple[int, int] | None]:
    """Return where the sentence starting at ``start`` ends, and a marker group after its stop."""
    n = len(text)
    runs = runs or _WordRuns(text)
    for m in _BOUNDARY.finditer(text, start):
        dot = m.start()
        if dot == start or _is_abbreviation(text, dot, runs):
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
    if stop > start and text[stop - 1] in ".!?:":
        stop -= 1
    g = _trailing_group(text, stop) if stop > start else None
    if g is None and not after:
        # "… include: 3, 4" has its group after the colon, at the very end
        g = _colon_group(text, start, body_end)
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
