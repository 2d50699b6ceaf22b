"""Read what the citation checks judge: what a reference's title is about (with the words that
say it), whether it comes from the document's own publisher or names no topic at all, which
specific topics of a title no statement citing it shares, and the clinical figures (numbers,
thresholds, effect sizes) a statement claims. The rules are described in docs/annotation.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import URIRef

from guidegraph.annotate.mentions import find_mentions
from guidegraph.annotate.vocabulary import Vocabulary, tokens
from guidegraph.model import Document

# words that say what kind of document a reference is, not what it is about: a title made of
# them only ("Guideline Directed Topic Overview") names no topic
_GENERIC_WORDS = {
    "a", "an", "and", "the", "of", "for", "in", "on", "to", "with", "guideline", "guidelines", "guidance",
    "directed", "topic", "topics", "overview", "overviews", "summary", "summaries", "review", "reviews",
    "update", "updates", "recommendation", "recommendations", "clinical", "practice", "practical",
    "medical", "information", "handbook", "manual", "general", "introduction", "resource", "resources",
    "statement", "consensus", "article", "articles", "editorial", "page", "web", "site", "faq", "notes",
}
# the branches whose concepts are what a reference does or measures, not whom or what it is about
_NOT_A_TOPIC = ("intervention", "assessment", "adverse event", "outcome")
_NUMBER_WORD = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|\d+(?:\.\d+)?)"
_RANGE = rf"{_NUMBER_WORD}(?:\s*(?:-|–|to|or)\s*{_NUMBER_WORD})?"
# a figure a clinical claim rests on: a proportion, a threshold, a dose, a duration or count of
# fractions, an effect size, or a study result
_FIGURE = re.compile(
    rf"(?:{_RANGE}\s*(?:%|percent\b)"
    r"|[≤≥<>]\s*=?\s*\d+(?:\.\d+)?"
    rf"|\b{_RANGE}\s*(?:mg|g|gy|ml|mmol|mcg|µg|iu|mg/m2|mg/kg)\b"
    # a count may carry one word before its unit: "1 or 2 large doses", "5 daily fractions"
    rf"|\b{_RANGE}\s*(?:[a-z]+\s+)?(?:days?|weeks?|months?|years?|hours?|minutes?|fractions?|cycles?|doses?)\b"
    r"|\b(?:(?-i:HR|OR|RR)|hazard ratio|odds ratio|relative risk)\s*[=:,]?\s*\d+(?:\.\d+)?"
    # an effect compared without a figure is a claim too: "as effective as", "equally effective"
    r"|\b(?:as effective as|equally effective|just as well as|superior to|inferior to|non-inferior to)\b"
    r"|\bstud(?:y|ies)\s+(?:have\s+|has\s+)?(?:shown|found|show|showed|suggests?|demonstrated)\b)", re.I)


@dataclass
class TitleMention:
    """Words of a reference's title that name a concept."""

    reference: int  # index into Document.references
    start: int
    end: int
    concept: URIRef


@dataclass
class Figure:
    """A figure a statement claims: "50 to 80 percent", "≤5 lesions", "8 Gy"."""

    statement: int
    start: int
    end: int


@dataclass
class Citations:
    """What the citation checks need of one document, by reference and statement index."""

    title_mentions: list[TitleMention] = field(default_factory=list)
    own_publisher: set[int] = field(default_factory=set)
    generic_title: set[int] = field(default_factory=set)
    # reference index → title concepts (a site, condition or population) no citing statement shares
    off_topic: dict[int, list[URIRef]] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)


def citations(doc: Document, vocab: Vocabulary, mentions, topics: list[URIRef], abbreviations) -> Citations:
    """Return the citation facts of a document, given its statements' concept mentions and its topics."""
    out = Citations()
    by_statement: dict[int, set[URIRef]] = {}
    for m in mentions:
        by_statement.setdefault(m.statement, set()).add(m.concept)
    for k, ref in enumerate(doc.references):
        if ref.publisher and doc.publisher and _same_publisher(doc.publisher, ref.publisher):
            out.own_publisher.add(k)
        if not ref.title:
            continue
        at = doc.raw.find(ref.title, ref.start, ref.end)
        if at < 0:
            continue
        found = find_mentions(doc.raw, at, at + len(ref.title), -1, vocab, abbreviations)
        out.title_mentions.extend(TitleMention(k, m.start, m.end, m.concept) for m in found)
        if not found and all(t in _GENERIC_WORDS for t, _, _ in tokens(ref.title.lower())):
            out.generic_title.add(k)
        unshared = _unshared_topics(doc, ref.number, [m.concept for m in found], by_statement, topics, vocab)
        if unshared:
            out.off_topic[k] = unshared
    for i, st in enumerate(doc.statements):
        out.figures.extend(Figure(i, m.start(), m.end()) for m in _FIGURE.finditer(doc.raw, st.start, st.end))
    return out


def _same_publisher(document: str, reference: str) -> bool:
    """Tell whether a reference's publisher names the document's: "X Medical Advisory Board & Editors"
    for "X" or "X (Medical Advisory Board)"."""
    cited = re.findall(r"\w+", reference.lower())
    for name in (document, re.sub(r"\([^)]*\)", " ", document)):
        words = re.findall(r"\w+", name.lower())
        n = len(words)
        if n and any(cited[i:i + n] == words for i in range(len(cited) - n + 1)):
            return True
    return False


def _unshared_topics(doc: Document, number: int, concepts: list[URIRef], by_statement, topics, vocab) -> list[URIRef]:
    """Return the specific topics of a title (sites, conditions, populations) that no citing statement,
    nor the lead-in or item above one, names or names a broader or narrower concept of."""
    citing = [i for i, st in enumerate(doc.statements) if any(m.number == number for m in st.markers)]
    if not citing:
        return []
    context: set[URIRef] = set()
    for i in citing:
        st = doc.statements[i]
        for j in (i, st.lead_in, st.parent):
            if j is not None:
                context |= by_statement.get(j, set())
    # what a document is about, and everything broader ("bone metastasis" above "osteoblastic
    # metastasis"), says nothing about the fit of one of its references
    general = {a for t in topics for a in (t, *vocab.ancestors(t))}
    out = []
    for c in concepts:
        # a site, condition or population; not an action, test or outcome, and not a concept so general
        # that it sits at the top of the vocabulary or just below ("cancer")
        if any(role in vocab.roots and vocab.in_branch(c, role) for role in _NOT_A_TOPIC) \
                or len(vocab.ancestors(c)) < 2 or c in general:
            continue
        related = {c, *vocab.ancestors(c)}
        if any(s in related or c in vocab.ancestors(s) for s in context):
            continue
        if c not in out:
            out.append(c)
    return out
