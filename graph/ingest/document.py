"""Ingest one guideline document: raw text in, a ``Document`` with offsets out.

The reading is generic for captured guideline pages; no rule names a particular file.
Steps: split the raw text into lines (offsets kept, CRLF tolerated); mark page furniture;
group the rest into blocks; read each block as the title, a heading, a reference list, a
bibliography entry, list items (bullets, numbered steps) or a paragraph of sentences.
The rules are described in docs/ingestion.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from guidegraph.ingest import furniture as furn
from guidegraph.ingest.metadata import publisher_from_text, stated_dates
from guidegraph.ingest.reading import DEFAULT_MAX_BYTES, read_raw
from guidegraph.ingest.references import (
    bibliography_entry,
    is_reference_heading,
    looks_like_bibliography_entry,
    read_three_line_entries,
)
from guidegraph.ingest.sentences import split_sentences
from guidegraph.model import Document, Furniture, Section, Span, Statement

_BULLET = re.compile(r"^(?P<indent>[ \t]*)(?P<mark>[•▪◦·‣⁃*\-–])[ \t]+(?=\S)")
_STEP = re.compile(r"^(?P<indent>[ \t]*)(?P<num>\d{1,2})[.)][ \t]+(?=\S)")
# Words that end a lead-in sentence rather than a heading: "… include:", "… through:".
_LEAD_IN_WORDS = {
    "include", "includes", "including", "through", "following", "by", "as", "with", "to",
    "for", "of", "are", "is", "be", "below", "these", "those", "like", "such", "and", "or",
    "provides", "involves", "requires", "were", "was", "in", "on", "when", "if", "where",
}
_MAX_HEADING_CHARS = 120
_MAX_HEADING_WORDS = 16


@dataclass
class _Line:
    start: int  # offset of the first non-blank character
    end: int  # offset after the last non-blank character
    text: str  # raw[start:end]
    indent: int
    kind: str = "text"  # text, bullet, step, furniture
    block: int = -1


def slug_for(path: str | Path) -> str:
    """Return the stable slug of a document file: its name without extension, IRI-safe."""
    stem = Path(path).stem.lower()
    return re.sub(r"[^a-z0-9]+", "-", stem).strip("-") or "document"


def source_name(path: str | Path, root: str | Path) -> str:
    """Return the name a document records for its file: its path from the corpus root (links followed), or its name."""
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return Path(path).name


def ingest(path: str | Path, corpus_root: str | Path | None = None, catalogue: dict | None = None,
           max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read a document file and return its model; raise DocumentError for unusable files."""
    path = Path(path)
    raw, sha = read_raw(path, max_bytes)
    source = source_name(path, Path(corpus_root) if corpus_root else path.parent)
    row = (catalogue or {}).get(path.name, {})
    return ingest_text(raw, source_file=source, sha256=sha, catalogue_row=row)


def ingest_text(raw: str, source_file: str = "document.txt", sha256: str = "",
                catalogue_row: dict | None = None) -> Document:
    """Read raw text (already decoded) into a ``Document``."""
    doc = Document(slug=slug_for(source_file), source_file=source_file, raw=raw, sha256=sha256)
    lines = _lines(raw)
    _mark_furniture(lines, doc)
    _Reader(doc, [ln for ln in lines if ln.kind != "furniture"]).read()
    row = catalogue_row or {}
    doc.dates = stated_dates(raw)
    doc.publisher = row.get("publisher") or publisher_from_text(raw)
    # the catalogue may describe the kind at length: "clinical summary: lead recommendation, …"
    doc.kind = re.split(r"[:,;(]", row.get("kind") or "")[0].strip() or _infer_kind(doc)
    if not doc.sections:
        doc.notes.append("no headings found: statements are not grouped into sections")
    if not doc.references:
        doc.notes.append("no reference list found")
    if not doc.statements:
        doc.notes.append("no statements found")
    return doc


def _lines(raw: str) -> list[_Line]:
    out = []
    for m in re.finditer(r"[^\n]*\n?", raw):
        if not m.group():
            continue
        body = m.group().rstrip("\r\n")
        stripped = body.strip()
        if not stripped:
            continue
        lead = len(body) - len(body.lstrip())
        start = m.start() + lead
        end = m.start() + len(body.rstrip())
        out.append(_Line(start=start, end=end, text=raw[start:end], indent=lead))
    # lines with only blank lines between them share a block when adjacent in the file
    block = 0
    for i, ln in enumerate(out):
        if i and raw.count("\n", out[i - 1].end, ln.start) > 1:
            block += 1
        ln.block = block
    return out


def _mark_furniture(lines: list[_Line], doc: Document) -> None:
    footer = False
    for ln in lines:
        if not footer and furn.starts_footer(ln.text):
            footer = True
        kind = furn.line_furniture(ln.text) or ("footer" if footer else None)
        if kind:
            ln.kind = "furniture"
            doc.furniture.append(Furniture(start=ln.start, end=ln.end, kind=kind))
            continue
        raw_line = doc.raw[ln.start - ln.indent:ln.end]
        if _BULLET.match(raw_line):
            ln.kind = "bullet"
        elif _STEP.match(raw_line):
            ln.kind = "step"


def _heading_shaped(text: str) -> bool:
    if len(text) > _MAX_HEADING_CHARS or not (text[0].isupper() or text[0].isdigit()):
        return False
    words = text.split()
    if len(words) > _MAX_HEADING_WORDS or text[-1] in ".,;!":
        return False
    if re.search(r"\s\d{1,3}(,\s?\d{1,3})*$", text) and not _title_case(words[:-1]):
        return False  # ends with citation markers: a statement ("Phase 3 Trials 2" stays a heading)
    if text.endswith(":"):
        last = words[-1].rstrip(":").lower()
        return len(words) <= 6 and last not in _LEAD_IN_WORDS
    return True


def _title_case(words: list[str]) -> bool:
    """Tell whether most longer words are capitalised, as in "Treatment of Condition 1"."""
    long = [w for w in words if len(w) > 3 and w[0].isalpha()]
    return bool(long) and sum(w[0].isupper() for w in long) >= 0.75 * len(long) and len(long) >= 2


def _title_shaped(text: str) -> bool:
    """The page title: a first line that is not a sentence (a question is allowed)."""
    return len(text) <= 200 and text[-1] not in ".,;:!" and (text[0].isupper() or text[0].isdigit())


def _heading_form(text: str) -> str:
    """What makes sibling sub-headings alike: a question, or their last word."""
    if text.endswith("?"):
        return "?"
    core = re.sub(r"\s*\([^)]*\)\s*$", "", text).rstrip(":")
    return core.split()[-1].lower() if core.split() else ""


class _Reader:
    def __init__(self, doc: Document, lines: list[_Line]):
        self.doc = doc
        self.lines = lines
        self.section: int | None = None
        self.top: int | None = None  # the latest level-1 section
        self.group: tuple[int, str] | None = None  # (parent section, form of its sub-headings)
        self.after_heading: int | None = None  # a heading with nothing under it yet
        self.lead_in: int | None = None
        self.items: list[tuple[int, int]] = []  # open list items: (indent, statement index)
        self.in_references = False

    def read(self) -> None:
        blocks: list[list[_Line]] = []
        for ln in self.lines:
            if blocks and blocks[-1][-1].block == ln.block:
                blocks[-1].append(ln)
            else:
                blocks.append([ln])
        bib = [self._is_bib_block(b) for b in blocks]
        i = 0
        while i < len(blocks):
            block = blocks[i]
            first = block[0]
            if self.in_references:
                used = self._read_reference_entries(blocks, i)
                if used:
                    i += used
                    continue
                self.in_references = False
            if bib[i] and (self.in_references_heading() or (i + 1 < len(bib) and bib[i + 1]) or (i and bib[i - 1])):
                for ln in block:
                    self._add_bibliography_entry(ln)
                i += 1
                continue
            if len(block) == 1 and first.kind == "text":
                if self.doc.title is None and not self.doc.statements and not self.doc.sections \
                        and _title_shaped(first.text):
                    self.doc.title = first.text
                    self.doc.title_span = Span(first.start, first.end)
                    i += 1
                    continue
                if _heading_shaped(first.text):
                    self._add_heading(first)
                    i += 1
                    continue
            self._read_block(block)
            i += 1

    # -- headings -------------------------------------------------------------------------
    def in_references_heading(self) -> bool:
        return self.section is not None and is_reference_heading(self.doc.sections[self.section].heading)

    def _add_heading(self, ln: _Line) -> None:
        text = ln.text
        heading = text.rstrip(":").strip()
        parent = None
        if text.endswith(":") and self.top is not None:
            parent = self._closest_non_colon()
        elif self.after_heading is not None and not self.doc.sections[self.after_heading].heading.endswith(":"):
            # a heading straight under another opens a group of sub-headings
            parent = self.after_heading
            self.group = (parent, _heading_form(text))
        elif self.group and _heading_form(text) == self.group[1]:
            parent = self.group[0]
        else:
            self.group = None
        level = 1 if parent is None else self.doc.sections[parent].level + 1
        index = len(self.doc.sections)
        self.doc.sections.append(Section(start=ln.start, end=ln.end, heading=heading, order=index + 1,
                                         level=level, parent=parent))
        if parent is None:
            self.top = index
        self.section = index
        self.after_heading = index
        self.lead_in = None
        self.items = []
        if is_reference_heading(heading):
            self.in_references = True

    def _closest_non_colon(self) -> int | None:
        i = self.section
        while i is not None:
            s = self.doc.sections[i]
            if not self.doc.raw[s.start:s.end].endswith(":"):
                return i
            i = s.parent
        return self.top

    # -- references -----------------------------------------------------------------------
    def _read_reference_entries(self, blocks: list[list[_Line]], i: int) -> int:
        flat: list[tuple[int, int, str]] = []
        owner: list[int] = []
        for k in range(i, len(blocks)):
            for ln in blocks[k]:
                flat.append((ln.start, ln.end, ln.text))
                owner.append(k)
        refs, used = read_three_line_entries(flat, first_number=len(self.doc.references) + 1)
        if not refs:
            return 0
        for r in refs:
            r.content = self.doc.raw[r.start:r.end]
        self.doc.references.extend(refs)
        last_block = owner[used - 1]
        # an entry must not stop in the middle of a block
        return last_block - i + 1

    def _is_bib_block(self, block: list[_Line]) -> bool:
        return all(ln.kind == "text" and looks_like_bibliography_entry(ln.text) for ln in block)

    def _add_bibliography_entry(self, ln: _Line) -> None:
        ref = bibliography_entry(ln.start, ln.end, ln.text, number=len(self.doc.references) + 1)
        self.doc.references.append(ref)

    # -- content --------------------------------------------------------------------------
    def _read_block(self, block: list[_Line]) -> None:
        self.after_heading = None
        k = 0
        while k < len(block):
            ln = block[k]
            if ln.kind in ("bullet", "step"):
                end = k + 1
                # continuation lines, indented deeper than the item's marker
                while end < len(block) and block[end].kind == "text" and block[end].indent > ln.indent:
                    end += 1
                self._add_item(ln, block[k + 1:end])
                k = end
                continue
            end = k + 1
            while end < len(block) and block[end].kind == "text":
                end += 1
            self._add_paragraph(block[k:end])
            k = end

    def _add_item(self, ln: _Line, continuation: list[_Line]) -> None:
        raw = self.doc.raw
        line_start = ln.start - ln.indent
        m = (_BULLET if ln.kind == "bullet" else _STEP).match(raw[line_start:ln.end])
        body_start = line_start + m.end()
        body_end = continuation[-1].end if continuation else ln.end
        while self.items and self.items[-1][0] >= ln.indent:
            self.items.pop()
        parent = self.items[-1][1] if self.items else None
        sentences = split_sentences(raw[body_start:body_end], body_start)
        if not sentences:
            return
        text = " ".join(s.text for s in sentences)
        kind = furn.sentence_furniture(text)
        if kind:
            self.doc.furniture.append(Furniture(start=body_start, end=body_end, kind=kind))
            return
        index = len(self.doc.statements)
        self.doc.statements.append(Statement(
            start=body_start, end=body_end, text=text, order=index + 1,
            block="bullet" if ln.kind == "bullet" else "step", section=self.section,
            depth=len(self.items), parent=parent, lead_in=self.lead_in if parent is None else None,
            step_number=int(m.group("num")) if ln.kind == "step" else None,
            markers=[mk for s in sentences for mk in s.markers],
        ))
        self.items.append((ln.indent, index))

    def _add_paragraph(self, lines: list[_Line]) -> None:
        raw = self.doc.raw
        start, end = lines[0].start, lines[-1].end
        self.items = []
        self.lead_in = None
        for s in split_sentences(raw[start:end], start):
            kind = furn.sentence_furniture(s.text)
            if kind:
                self.doc.furniture.append(Furniture(start=s.start, end=s.end, kind=kind))
                continue
            index = len(self.doc.statements)
            self.doc.statements.append(Statement(
                start=s.start, end=s.end, text=s.text, order=index + 1, block="paragraph",
                section=self.section, markers=s.markers,
            ))
            self.lead_in = index if s.text.endswith(":") else None


def _infer_kind(doc: Document) -> str:
    has_markers = any(s.markers for s in doc.statements)
    if has_markers and doc.references:
        return "clinical summary"
    if any(re.search(r"frequently asked questions|\bFAQ\b", s.heading, re.I) for s in doc.sections):
        return "Q&A health article"
    if doc.references:
        return "patient education"
    return "article"
