"""Read reference lists: numbered three-line entries and author-style bibliographies.

Layout A (clinical summaries), after a "References" heading, each entry on its own lines::

    Guideline                                   <- type (optional)
    Treatment Strategies for Esophageal Cancer  <- title
    Praxis Medical Insights: …, 2025            <- publisher, year

Entries are numbered by position, which is what the inline markers cite.

Layout B (patient education pages): a run of paragraphs that each start with an author list
(``Coleman RE, Holen I. Bone metastasis. In: … 2014``), with or without a heading.
"""
from __future__ import annotations

import re

from guidegraph.model import Reference

REFERENCE_HEADINGS = re.compile(r"^(references?|bibliography|sources|citations|works cited|literature)\s*:?$", re.I)
_PUBLISHER_YEAR = re.compile(r"^(?P<publisher>.+?),\s*(?P<year>(?:19|20)\d{2})\.?$")
_TYPE_LINE = re.compile(r"^[A-Z][A-Za-z\-]*(?: [A-Za-z\-]+){0,2}$")
# "Coleman RE, Holen I." / "Zugaro L, DI Staso M" / "Ringe KI, Panzica M, von Falck C."
_AUTHOR_START = re.compile(r"^(?:[a-z]+ )?[A-Z][\w'’\-]+(?: [A-Za-z][\w'’\-]+)? [A-Z]{1,3}(?:,|\.)\s")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


def is_reference_heading(text: str) -> bool:
    """Tell whether a heading opens a reference list."""
    return bool(REFERENCE_HEADINGS.match(text.strip()))


def looks_like_bibliography_entry(text: str) -> bool:
    """Tell whether a paragraph reads as an author-style bibliography entry."""
    return bool(_AUTHOR_START.match(text) and _YEAR.search(text))


def three_line_entry(lines: list[tuple[int, int, str]], i: int) -> tuple[int, dict] | None:
    """Read an entry starting at ``lines[i]``; return how many lines it used and its fields.

    ``lines`` are the non-blank lines after the heading as (start, end, text).
    """
    def pub(j: int):
        return _PUBLISHER_YEAR.match(lines[j][2]) if j < len(lines) else None

    if i + 2 < len(lines) + 0 and pub(i + 2) and _TYPE_LINE.match(lines[i][2]) and not pub(i + 1):
        m = pub(i + 2)
        return 3, {
            "reference_type": lines[i][2],
            "title": lines[i + 1][2],
            "publisher": m.group("publisher").strip(),
            "year": int(m.group("year")),
        }
    if i + 1 < len(lines) and pub(i + 1) and not pub(i):
        m = pub(i + 1)
        return 2, {"title": lines[i][2], "publisher": m.group("publisher").strip(), "year": int(m.group("year"))}
    return None


def read_three_line_entries(lines: list[tuple[int, int, str]], first_number: int = 1) -> tuple[list[Reference], int]:
    """Read consecutive three-line entries; return them and how many lines they used."""
    refs: list[Reference] = []
    i = 0
    while i < len(lines):
        got = three_line_entry(lines, i)
        if not got:
            break
        used, fields = got
        start, end = lines[i][0], lines[i + used - 1][1]
        refs.append(Reference(start=start, end=end, number=first_number + len(refs), content="", **fields))
        i += used
    return refs, i


def bibliography_entry(start: int, end: int, text: str, number: int) -> Reference:
    """Read one author-style bibliography paragraph."""
    authors, title, rest = _split_author_entry(text)
    year = _YEAR.search(text)
    kind = "book chapter" if re.search(r"\bIn:\s", text) else "journal article"
    venue = None
    if rest:
        venue = re.split(r"\.\s|\s(?:19|20)\d{2}", rest, maxsplit=1)[0].strip(" .;") or None
        if kind == "book chapter":
            pub = re.search(r":\s*([A-Z][\w&' ]+);\s*(?:19|20)\d{2}", rest)
            venue = pub.group(1) if pub else venue
    return Reference(
        start=start, end=end, number=number, content=text, title=title, publisher=venue,
        year=int(year.group()) if year else None, reference_type=kind, authors=authors,
    )


def _split_author_entry(text: str) -> tuple[str | None, str | None, str | None]:
    # The author list ends at "et al." or at the first ". " after the initials.
    m = re.match(r"^(.*?\bet al)\.\s+(.*)$", text) or re.match(r"^(.*?[A-Z]{1,3})\.\s+(.*)$", text)
    if not m:
        return None, None, None
    authors, rest = m.group(1), m.group(2)
    t = re.match(r"^(.*?[^A-Z\s]{2}[.?])\s+(.*)$", rest)
    if not t:
        return authors, rest.strip(), None
    return authors, t.group(1).rstrip("."), t.group(2)
