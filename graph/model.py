"""The document model: what ingestion reads out of one guideline file.

Every piece carries ``start`` / ``end`` character offsets into the raw text of its file
(end exclusive), so ``raw[start:end]`` is always exactly what the document says there.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class Span:
    """A stretch of the raw text: ``raw[start:end]``."""

    start: int
    end: int


@dataclass
class Furniture(Span):
    """Page furniture (menus, prompts, disclaimers…): kept out of the statements."""

    kind: str


@dataclass
class Section(Span):
    """A headed section; ``start``/``end`` cover its heading line."""

    heading: str
    order: int
    level: int
    parent: int | None = None  # index of the parent section in Document.sections


@dataclass
class Marker(Span):
    """One number of an inline citation marker group, e.g. the ``2`` of ``1, 2``."""

    number: int
    content: str


@dataclass
class Statement(Span):
    """A sentence, bullet or numbered step, with the citation markers written after it."""

    text: str
    order: int
    block: str  # "paragraph", "bullet" or "step"
    section: int | None = None  # index into Document.sections
    depth: int = 0
    parent: int | None = None  # index of the enclosing bullet or step
    lead_in: int | None = None  # index of the sentence ending in ":" that introduces it
    step_number: int | None = None
    markers: list[Marker] = field(default_factory=list)


@dataclass
class Reference(Span):
    """An entry of the document's reference list or bibliography."""

    number: int
    content: str
    title: str | None = None
    publisher: str | None = None
    year: int | None = None
    reference_type: str | None = None
    authors: str | None = None


@dataclass
class StatedDate(Span):
    """A date the document states about itself, such as "Last updated: …"."""

    role: str  # "modified", "issued" or "reviewed"
    value: date


@dataclass
class Document:
    """One guideline document as read from its file."""

    slug: str
    source_file: str
    raw: str
    sha256: str
    title: str | None = None
    title_span: Span | None = None
    publisher: str | None = None
    kind: str | None = None
    dates: list[StatedDate] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    furniture: list[Furniture] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def markers(self) -> list[Marker]:
        """Return every citation marker of the document, in reading order."""
        return [m for s in self.statements for m in s.markers]

    def reference_numbers(self) -> set[int]:
        """Return the numbers that have an entry in the reference list."""
        return {r.number for r in self.references}

    def dangling_markers(self) -> list[Marker]:
        """Return the markers whose number has no reference entry."""
        known = self.reference_numbers()
        return [m for m in self.markers if m.number not in known]
