"""Recognise page furniture: the parts of a captured web page that are not guideline content.

Two levels, both rule tables so that a new site's furniture is one row away:
``line_furniture`` judges a whole line (menus, prompts, review widgets, bylines, banners,
disclaimers); ``sentence_furniture`` judges one sentence inside a paragraph (links to other
pages, phone numbers). ``FOOTER_RULES`` mark the line after which the rest of the page is
footer: everything from there on is furniture.
"""
from __future__ import annotations

import re

_I = re.IGNORECASE

# (kind, pattern matched against the stripped line)
LINE_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("review-widget", re.compile(r"^Medical Advisory Board", _I)),
    ("review-widget", re.compile(r"^Educational purpose only\b", _I)),
    ("review-widget", re.compile(r"^Article Review Status$", _I)),
    ("review-widget", re.compile(r"^(Submitted|Under Review|Approved|Pending)$", _I)),
    ("review-widget", re.compile(r"^Verified data", _I)),
    ("metadata", re.compile(r"^(Last updated|Last Medical Review|Last Revised|Published ?(At|on)|Reviewed ?(At|on)"
                            r"|Updated on)", _I)),
    ("metadata", re.compile(r"^\d+ min(ute)?s? read$", _I)),
    ("prompt", re.compile(r"^Personali[sz]e$", _I)),
    ("prompt", re.compile(r"^Help us tailor your experience", _I)),
    ("prompt", re.compile(r"^Which best describes you\?", _I)),
    ("prompt", re.compile(r"^Have a follow-up question\?", _I)),
    ("prompt", re.compile(r"^Our Medical A\.?I\.? is used by", _I)),
    ("prompt", re.compile(r"^Ask (a Doctor|your health query)", _I)),
    ("prompt", re.compile(r"^\*?guaranteed answer\b", _I)),
    ("branding", re.compile(r"\blogo$", _I)),
    ("branding", re.compile(r"^Community Banner", _I)),
    ("branding", re.compile(r"^Most popular articles", _I)),
    ("navigation", re.compile(r"^Home[A-Z]")),  # a breadcrumb run together: "HomeHealth articles…"
    ("navigation", re.compile(r"^(Source Article|Related articles|Share this article)", _I)),
    ("byline", re.compile(r"^(Medically )?(reviewed|written|authored) by:?$", _I)),
    ("byline", re.compile(r"^(Dr|Prof)\.\s?[A-Z][\w'’\-]*( [A-Z][\w'’.\-]*){0,3}$")),
    ("disclaimer", re.compile(r"^(Professional )?(Medical )?Disclaimer:?$", _I)),
    ("disclaimer", re.compile(r"^Disclaimer:", _I)),
    ("disclaimer", re.compile(r"^This information is intended for healthcare professionals", _I)),
    ("subscription", re.compile(r"^By subscribing\b", _I)),
    ("subscription", re.compile(r"^(Subscribe|Sign up) (to|for) our", _I)),
    ("cookies", re.compile(r"\buses? cookies\b", _I)),
    ("copyright", re.compile(r"(copyrighted material|^©|^Copyright\b|All rights reserved)", _I)),
    ("credits", re.compile(r"\b(medical and editorial content team|editorial team)$", _I)),
    ("credits", re.compile(r"^Our team is made up of\b", _I)),
]

# A line that starts the page footer: it and every line after it are furniture.
FOOTER_RULES: list[re.Pattern[str]] = [
    re.compile(r"^(Professional )?(Medical )?Disclaimer:?$", _I),
    re.compile(r"^Source Article", _I),
]

_PHONE = re.compile(r"\b1-\d{3}-\d{3}-\d{4}\b|\(\d{3}\)\s?\d{3}-\d{4}")

SENTENCE_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("navigation", re.compile(r"\bto learn more\b", _I)),
    ("navigation", re.compile(r"^For more information,? see\b", _I)),
    ("navigation", re.compile(r"^To see (what|if|how)\b.*\bsee information about\b", _I)),
    ("navigation", re.compile(r"^(Visit|See) (our |the )?[A-Z][\w ]* (section|page)\b")),
    ("phone", re.compile(r"^You can (also )?(call|reach) (our|this|us)\b", _I)),
    ("phone", _PHONE),
]


def _plain(text: str) -> str:
    # captured pages mix no-break and other Unicode spaces into the words the rules look for
    return re.sub(r"\s+", " ", text).strip()


def _first_kind(rules: list[tuple[str, re.Pattern[str]]], text: str) -> str | None:
    plain = _plain(text)
    return next((kind for kind, pattern in rules if pattern.search(plain)), None)


def line_furniture(line: str) -> str | None:
    """Return the furniture kind of a whole line, or None when it may be content."""
    return _first_kind(LINE_RULES, line)


def starts_footer(line: str) -> bool:
    """Tell whether this line opens the page footer."""
    text = _plain(line)
    return any(p.search(text) for p in FOOTER_RULES)


def sentence_furniture(sentence: str) -> str | None:
    """Return the furniture kind of one sentence of a paragraph, or None for content."""
    return _first_kind(SENTENCE_RULES, sentence)
