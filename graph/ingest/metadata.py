"""Document metadata: dates the text states about itself, publisher and kind.

Publisher and kind come first from the corpus catalogue (a Markdown table in the corpus
folder's README.md with ``file``, ``publisher`` and ``kind`` columns), then from the text.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from guidegraph.model import StatedDate

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
_DATE = (
    r"(?P<date>(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"\s+\d{1,2},\s*\d{4}|\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September|"
    r"October|November|December)\s+\d{4}|\d{4}-\d{2}-\d{2})"
)
# (role, pattern): the words a page uses before a date, and what that date means.
DATE_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("modified", re.compile(r"\bLast updated:?\s*" + _DATE, re.I)),
    ("modified", re.compile(r"\bLast Revised:?\s*" + _DATE, re.I)),
    ("modified", re.compile(r"\bUpdated on:?\s*" + _DATE, re.I)),
    ("issued", re.compile(r"\bPublished (?:At|on)?:?\s*" + _DATE, re.I)),
    ("reviewed", re.compile(r"\bLast Medical Review:?\s*" + _DATE, re.I)),
    ("reviewed", re.compile(r"\bReviewed (?:At|on)?:?\s*" + _DATE, re.I)),
]

# (publisher pattern) sentences that name who stands behind a page.
PUBLISHER_RULES: list[re.Pattern[str]] = [
    re.compile(r"(?:^|(?<=\. ))(?P<p>[A-Z][\w.&' ]{1,60}?) assumes no liability", re.M),
    re.compile(r"^(?P<p>[A-Z][\w.&' ]{1,60}?) medical information is copyrighted", re.M),
    re.compile(r"^By subscribing, I agree to (?P<p>[A-Z]\w+)['’]s Terms", re.M | re.I),
    re.compile(r"^(?P<p>[A-Z]\w+) logo$", re.M),
]


def parse_date(text: str) -> date:
    """Parse a date as these pages write it ("February 1, 2026", "1 February 2026", ISO)."""
    text = text.strip()
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if m:
        return date(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"([A-Za-z]+)\s+(\d{1,2}),\s*(\d{4})", text)
    if m:
        return date(int(m[3]), _MONTHS[m[1].lower()], int(m[2]))
    m = re.fullmatch(r"(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})", text)
    if m:
        return date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
    raise ValueError(f"not a date: {text!r}")


def stated_dates(raw: str) -> list[StatedDate]:
    """Return every date the document states about itself, with the offsets of the date."""
    found: dict[tuple[int, str], StatedDate] = {}
    for role, pattern in DATE_RULES:
        for m in pattern.finditer(raw):
            try:
                value = parse_date(m.group("date"))
            except (ValueError, KeyError):
                continue
            key = (m.start("date"), role)
            found.setdefault(key, StatedDate(start=m.start("date"), end=m.end("date"), role=role, value=value))
    return sorted(found.values(), key=lambda d: d.start)


def publisher_from_text(raw: str) -> str | None:
    """Return the publisher a page names in its own furniture, if it names one."""
    for pattern in PUBLISHER_RULES:
        m = pattern.search(raw)
        if m:
            return m.group("p").strip()
    return None


def read_catalogue(folder: Path) -> dict[str, dict[str, str]]:
    """Read the corpus table (file, publisher, kind, …) from ``folder/README.md`` if present."""
    readme = Path(folder) / "README.md"
    if not readme.is_file():
        return {}
    rows: dict[str, dict[str, str]] = {}
    header: list[str] | None = None
    for line in readme.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.strip()
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if header is None:
            header = [c.lower() for c in cells]
            continue
        if all(set(c) <= set("-: ") for c in cells):
            continue
        row = dict(zip(header, cells, strict=False))
        name = row.get("file")
        if name:
            rows[name] = row
    return rows
