"""Find the concepts a statement names: vocabulary labels matched longest first, and the
abbreviations a document defines ("skeletal-related events (SREs)"). Every mention keeps its offsets."""
from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import URIRef

from guidegraph.annotate.vocabulary import Vocabulary, tokens
from guidegraph.model import Document


@dataclass
class Mention:
    """Words of a statement that name a concept."""

    start: int
    end: int
    concept: URIRef
    statement: int  # index into Document.statements


_ABBREV = re.compile(r"\(([A-Z][A-Za-z0-9]{1,7})\)|\bor ([A-Z]{2,6})\b")


def defined_abbreviations(doc: Document, vocab: Vocabulary) -> dict[str, URIRef]:
    """Find abbreviations the text defines, in headings and statements: "skeletal-related events (SREs)", "… of the
    jaw or ONJ", "Radiotherapy (RT)"."""
    found: dict[str, URIRef] = {}
    # headings define them too: "Radiotherapy (RT)"
    for st in [*doc.sections, *doc.statements]:
        text = doc.raw[st.start:st.end]
        for m in _ABBREV.finditer(text):
            abbr = m.group(1) or m.group(2)
            if not any(ch.isupper() for ch in abbr[1:]) and not abbr.isupper():
                continue
            before = tokens(text[:m.start()])
            # the longest run of words just before the bracket that names a concept
            for n in range(min(vocab.longest, len(before)), 0, -1):
                key = tuple(t for t, _, _ in before[-n:])
                concept = vocab.match(key, caps=False)
                if concept:
                    found[abbr.rstrip("s") if abbr.endswith("s") and abbr[:-1].isupper() else abbr] = concept
                    break
    return found


_BREAK = re.compile(r"[,;:()\[\]]|\.\s")


def find_mentions(raw: str, start: int, end: int, statement: int, vocab: Vocabulary,
                  abbreviations: dict[str, URIRef] | None = None) -> list[Mention]:
    """Return the concept mentions in ``raw[start:end]``, longest match first, left to right."""
    text = raw[start:end]
    toks = tokens(text)
    words = [text[s:e] for _, s, e in toks]
    out: list[Mention] = []
    i = 0
    while i < len(toks):
        hit = None
        for n in range(min(vocab.longest, len(toks) - i), 0, -1):
            if n > 1 and _BREAK.search(text, toks[i][2], toks[i + n - 1][1]):
                continue  # a label is not read across a comma or a bracket ("… in bones, radiation …")
            key = tuple(t for t, _, _ in toks[i:i + n])
            caps = all(w.isupper() or w.isdigit() or w.rstrip("s").isupper() for w in words[i:i + n])
            if key in vocab.index and vocab.index[key] is None:
                hit = (n, None)  # a phrase that names no concept ("radiation oncology")
                break
            concept = vocab.match(key, caps)
            if concept is None and n == 1 and abbreviations:
                concept = abbreviations.get(words[i]) or abbreviations.get(words[i].rstrip("s"))
            if concept is not None:
                hit = (n, concept)
                break
        if hit:
            n, concept = hit
            if concept is not None:
                out.append(Mention(start + toks[i][1], start + toks[i + n - 1][2], concept, statement))
            i += n
        else:
            i += 1
    # phrasings a label does not cover, each read as the label it stands for, where no mention is read yet
    for pattern, group, label in _REPHRASED:
        for m in pattern.finditer(text):
            s, e = start + m.start(group), start + m.end(group)
            concept = vocab.match(tuple(t for t, _, _ in tokens(m.expand(label))), False)
            if concept is not None and not any(x.start < e and s < x.end for x in out):
                out.append(Mention(s, e, concept, statement))
    out.sort(key=lambda x: x.start)
    return out


_SHARED_HEAD = re.compile(r"\b([A-Za-z-]+)\s+(and|or)\s+[A-Za-z-]+\s+(cancers|tumou?rs|carcinomas|metastases)\b", re.I)
_LEVEL = re.compile(r"\b([A-Za-z]+)\s+levels?\s+(?:is|are|was|were|become|becomes|get|gets)\s+"
                    r"(?:already\s+|very\s+|too\s+)?(low|high)\b", re.I)
# (pattern, the group whose words the mention covers, the label it reads as)
# a dose split into several fractions ("20 Gy in 5 fractions") is multi-fraction radiotherapy
_FRACTIONS = re.compile(r"\b\d+(?:\.\d+)?\s*Gy\s+in\s+(?:[2-9]|[1-9]\d)\s+fractions\b", re.I)
_REPHRASED = [
    (_FRACTIONS, 0, "multiple fractions"),
    # a level said to be low or high: "whose calcium levels are already low" is "low calcium"
    (_LEVEL, 0, r"\2 \1"),
    # a head noun shared by two coordinated modifiers: "prostate and breast cancers" names prostate cancer too
    (_SHARED_HEAD, 1, r"\1 \3"),
]
