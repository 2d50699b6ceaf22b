"""Words for the pages: counts with their noun, quotes cut at a word, the kinds of nodes named as people say them."""
from __future__ import annotations

# the classes a finding involves, as an author names them
KIND_LABELS = {"Statement": "statement", "InTextReferencePointer": "citation marker",
               "BibliographicReference": "reference", "GuidelineDocument": "document", "node": "node"}
# nouns whose plural is not the noun with an s
_UNCOUNTED = {"info"}


def plural(count: int, noun: str) -> str:
    """Return a count with its noun: "1 warning", "19 warnings", "47 info"."""
    return f"{count:,} {noun if count == 1 or noun in _UNCOUNTED else noun + 's'}"


def clip(text: str | None, limit: int = 160) -> str:
    """Return text of at most ``limit`` characters, cut at the end of a word and marked with "…" when cut."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    # a single word longer than the limit is cut where it must be
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "…"


def kind_label(kind: str | None) -> str:
    """Return the name a person uses for a node's class (``InTextReferencePointer`` → "citation marker")."""
    return KIND_LABELS.get(kind or "node", kind or "node")
