"""Read the modality of a statement from its wording.

Rules are tried in order; the first that matches decides. Negated negatives in pitfall
lists ("Do not withhold BMAs", "Do not skip dental evaluation") ask for the action, so they
are checked before plain negations ("Do not use …" = avoid).
"""
from __future__ import annotations

import re

MODALITIES = ("recommend", "prefer", "require", "consider", "avoid", "contraindicated", "inform")

_I = re.IGNORECASE
# an imperative first word: "Start …", "Infuse over …"
IMPERATIVE = re.compile(r"^(start|add|use|give|initiate|prescribe|obtain|discuss|encourage|coordinate|reserve"
                        r"|measure|check|deliver|document|monitor|assess|infuse|administer|refer|continue|maintain"
                        r"|treat)\b", _I)
# (modality, pattern) in the order they are tried
RULES: list[tuple[str, re.Pattern[str]]] = [
    # a belief to drop, not an action: "Do not assume multi-fraction radiation is superior"
    ("inform", re.compile(r"^do not (assume|believe|think)\b", _I)),
    # a claim about how well something works, not an instruction: "They don['’]t work as well for …"
    ("inform", re.compile(r"\b(don['’]t|do not|does not|doesn['’]t) work as well\b|\bworks? poorly\b|\bless effective\b"
                          r"|\bnot effective\b|\bineffective\b", _I)),
    ("contraindicated", re.compile(r"\bcontraindicat|\bmust not\b|\bshould never be (used|given)\b", _I)),
    ("require", re.compile(r"\b(do not|don['’]t|never)\s+(withhold|skip|overlook|delay|neglect|omit)\b", _I)),
    ("recommend", re.compile(r"\b(do not|don['’]t)\s+(forget|miss|ignore)\b", _I)),
    ("require", re.compile(r"\bdo not proceed\b[^.]*\bwithout\b", _I)),
    ("recommend", re.compile(r"\bshould never be missed\b", _I)),
    ("avoid", re.compile(r"\b(do not|don['’]t|should not|must not|never)\b|\bnot (be )?recommended\b"
                         r"|^(critical warning:\s*)?avoid\b|\bavoid (this|using|giving)\b", _I)),
    ("consider", re.compile(r"^consider\b", _I)),
    ("recommend", IMPERATIVE),
    ("require", re.compile(r"\b(must|mandatory|mandate|required|requires?|is essential|are essential|essential for"
                           r"|need to|needs to)\b", _I)),
    ("prefer", re.compile(r"\b(preferred|prefer|strongly favou?red|is superior|are superior|superior to|first-line)\b",
                          _I)),
    ("consider", re.compile(r"\b(may|can|could|should)( also)?( be)?( strongly)? considered\b|\bmay be offered\b"
                            r"|\bis an option\b|\breasonable to\b"
                            r"|\b(may|can) be (de-escalated|reduced|interrupted|repeated)\b"
                            r"|\bmay be administered\b", _I)),
    # reported advice: "Many doctors advise patients to …", "Experts urge …"
    ("recommend", re.compile(r"\b(advis(e|es|ed|ing)|urg(e|es|ed|ing))\b(?=[^.;]*\bto\b)", _I)),
    ("recommend", re.compile(r"\b(should|recommended|recommend|is indicated|are indicated|indicated for|is the standard"
                             r"|is standard|standard approach|standard treatment|is the backbone|is the alternative"
                             r"|is the approach|is primary)\b", _I)),
    # an imperative after an opening clause: "If HER2-positive, add …", "For MSCC, deliver …"
    ("recommend", re.compile(r"^(if|for|in|when|before|after)\b[^,:]*[,:]\s+"
                             r"(start|add|use|give|initiate|prescribe|obtain|deliver|refer|treat)\b", _I)),
    ("recommend", re.compile(r"\bindications? for\b", _I)),
]


# modalities that an item without its own modality words takes from its lead-in or parent
INHERITED = {"recommend", "require", "contraindicated", "avoid", "prefer", "consider"}


POOR_EFFECT = re.compile(r"\b(don['’]t|do not|does not|doesn['’]t) work as well\b|\bworks? poorly\b|\bless effective\b"
                         r"|\bnot effective\b|\bineffective\b", _I)


def modality(text: str) -> str:
    """Return the modality of a statement's text (one of MODALITIES)."""
    for name, pattern in RULES:
        if pattern.search(text):
            return name
    return "inform"
