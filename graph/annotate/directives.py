"""Read what a statement directs: its directives (action, strength, population, purpose, timing, what the
action is preferred over) and the role of every concept it mentions.

A directive is TMR's recommendation about the execution of an action type; its strength is a rung of
the permission ladder ``LADDER`` or a dose adjustment. Only a mention whose role is a recommended
action becomes a directive's action. The rules are English grammar (words of comparison, purpose and
time) over the mentions and the branches the vocabulary names; docs/annotation.md describes them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import URIRef

from guidegraph.annotate.modality import modality
from guidegraph.annotate.vocabulary import Vocabulary

LADDER = ("contraindicated", "avoid", "caution", "allow", "consider", "prefer", "recommend", "require")
STRENGTHS = (*LADDER, "dose-adjust")
ROLES = ("recommendedAction", "comparator", "outcome", "adverseEvent", "precondition", "priorTreatment",
         "population", "teamMember")

_I = re.IGNORECASE


@dataclass(frozen=True)
class Part:
    """Words of a statement that give one part of a directive, with the concept they name (if any)."""

    start: int
    end: int
    text: str
    concept: URIRef | None = None


@dataclass
class Directive:
    """One action a statement directs, with its strength and the parts the statement gives it."""

    statement: int
    action: URIRef
    action_start: int
    action_end: int
    strength: str
    population: Part | None = None
    purpose: Part | None = None
    timing: list[Part] = field(default_factory=list)
    preferred_over: Part | None = None
    antecedent: Part | None = None  # for an action named by an anaphor: the words it stands for


# the roles of a mention that is not what its statement directs or claims something of
NOT_DIRECTED = frozenset({"comparator", "outcome", "adverseEvent", "precondition", "priorTreatment", "teamMember",
                          "population"})
# the document's own aim: "To update the recommendations on the role of …"
AIM = re.compile(r"^\s*(?:to\s+(?:update|review|provide|summari[sz]e|assess|describe|present|address|evaluate)"
                 r"|this\s+(?:guideline|document|review|article|summary|update)\s+(?:aims|addresses|reviews|"
                 r"describes|summari[sz]es))\b", _I)
# strength words that the modality scheme does not tell apart, tried on a clause before its modality
_STRENGTH_RULES: list[tuple[str | None, re.Pattern[str]]] = [
    # a comparison of effects is a belief, not a directive: "X is superior to Y in delaying …"
    (None, re.compile(r"\b(is|are) (superior|inferior) to\b", _I)),
    # research only: "… should be considered in the setting of a clinical trial or with data collected in a registry"
    (None, re.compile(r"\b(?:in the (?:setting|context) of|within|only in|as part of)\s+(?:an?\s+|the\s+)?"
                      r"(?:clinical\s+)?(?:trials?|registry|registries|research)\b", _I)),
    # a requirement denied: "… no change in dosage, infusion time, or interval … is required"
    (None, re.compile(r"\bno\s+(?:[\w-]+[\s,]+){0,10}?(?:is|are)\s+(?:required|needed|necessary)\b", _I)),
    # the document's own aim
    (None, AIM),
    ("prefer", re.compile(r"\b(?:the\s+)?treatment of choice\b|\bpreferable\b", _I)),
    # an option set out: "EBRT is a standard treatment option", "X is an option for …"
    ("recommend", re.compile(r"\b(?:standard|essential|main|first-line)\s+(?:[\w-]+\s+)?options?\b", _I)),
    ("allow", re.compile(r"\b(?:is|are)\s+(?:an?\s+)?(?:[\w-]+\s+){0,2}options?\b", _I)),
    ("allow", re.compile(r"^reserve\b|\breserved for\b", _I)),
    ("recommend", re.compile(r"\b(is|are) (the )?first-line\b", _I)),
    ("dose-adjust", re.compile(r"\bdose (adjustment|reduction|modification)s?\b"
                               r"|\b(reduce|adjust|lower) the dose\b", _I)),
    ("caution", re.compile(r"\b(with|use) caution\b|\bcautious(ly)?\b", _I)),
    ("require", re.compile(r"\bdo not proceed\b[^.]*\bwithout\b|\b(must|mandatory|mandate|is essential)\b"
                           r"|\bshould never be (missed|omitted|skipped|overlooked)\b", _I)),
    # a negated negative asks for the action ("Do not skip dental evaluation")
    ("recommend", re.compile(r"\b(do not|don['’]t|never)\s+(withhold|skip|overlook|delay|neglect|omit|forget|miss)\b",
                             _I)),
    ("allow", re.compile(r"\b(can|may|could) (also )?be (used|de-escalated|given|repeated|administered)\b"
                         r"|\breasonable to\b|\b(is|are) (usually |commonly )?used\b", _I)),
    # a description of what is done ("X are used for treating Y", "It's sometimes used with …"): an option
    ("allow", re.compile(r"\b(?:is|are|['’]s|['’]re)\s+(?:\w+ly\s+|also\s+|sometimes\s+|often\s+|still\s+)?used"
                         r"\s+(?:to|for|as|with|along|when|in|if)\b", _I)),
    ("consider", re.compile(r"\bparticularly useful\b", _I)),
    ("prefer", re.compile(r"\bmore appropriate\b|\bpreferred\b", _I)),
]

# words before a mention that give it a role other than the action (the last words before it)
_ROLE_BEFORE: list[tuple[str | None, re.Pattern[str]]] = [
    ("precondition", re.compile(r"\bno\s+(\w+\s+or\s+)?$", _I)),
    ("comparator", re.compile(r"\b(than|over|as effective as|compared (with|to)|versus|vs\.?|instead of|rather than"
                              r"|superior to|inferior to|equivalent to|similar to)\s+([\w-]+\s+){0,2}$", _I)),
    ("adverseEvent", re.compile(r"\b(side effects? of|toxicity of|complications? of)\s+([\w-]+\s+){0,2}$", _I)),
    ("outcome", re.compile(r"\b(need for|risk of|effectiveness of|value of|potential for|benefit of)\s+"
                           r"([\w-]+\s+){0,3}$"
                           # a goal named: "The primary goal is palliation"
                           r"|\b(goal|aim|intent|objective|purpose)s?\s+(?:of\s+(?:[\w-]+\s+){1,4})?(?:is|are|was|were)"
                           r"\s+(?:to\s+)?$", _I)),
    ("priorTreatment", re.compile(r"\b(after|following|prior|previous|previously|response to|failure of"
                                  r"|progression on|despite|refractory to)\s+([\w-]+\s+){0,3}$"
                                  # a treatment that did not help: "pain that is not easily managed by local radiation"
                                  r"|\bnot\s+(?:\w+ly\s+)?(?:managed|controlled|relieved|helped|treated)\s+(?:by|with)\s+"
                                  r"([\w-]+\s+){0,2}$", _I)),
    # an examination's result is a condition, not an action: "a positive bone scan"
    ("precondition", re.compile(r"\b(?:positive|negative|abnormal)\s+$", _I)),
    ("precondition", re.compile(r"\b(before|prior to|until|concurrent(ly)? with|during)\s+"
                                r"(starting|initiating|beginning|each|any)?\s*([\w-]+\s+){0,2}$"
                                r"|\bwith all\s+$|\b(receiving|on|taking)\s+$|\b(when|if|unless)\s+([\w-]+\s+){0,2}$"
                                r"|\bproceed with\s+$|\badd\b[^,;]*\bto (the |an? )?([\w-]+/)?$"
                                r"|\b(requiring|needing)\s+$"
                                # what an action is given with ("used along with X", "given with local treatments
                                # such as X"), and a drug a patient takes ("before they start taking a X")
                                r"|\b(used|given|taken)\s+(alone\s+or\s+)?(along\s+)?with\s+([\w-]+,?\s+){0,4}$"
                                r"|\b(receiving|taking)\s+(an?|the)\s+$", _I)),
    # what the named action is ("X is the primary treatment"): part of the action's words
    (None, re.compile(r"\b(is|are)\s+(the |an? )?([\w-]+\s+){0,2}$", _I)),
]
# what a statement says causes harm is no action it directs: "X can cause Y, so doctors recommend …"
_CAUSES_AFTER = re.compile(r"^\s*(?:\([^)]*\)\s*)?(?:(?:can|may|might|could|will|often|also|sometimes|rarely|commonly)"
                           r"\s+)*(?:caus(?:e|es|ed)|leads? to|results? in|triggers?)\b", _I)
# a reason given for a directive ("… should be monitored as X is excreted by the kidney", "because X …"): what
# it names is no action the statement directs
_REASON = re.compile(r"\b(?:because|since)\s[^;:]*|(?:,\s*|\b\w+ed\s+)as\s+(?=(?:the\s+|this\s+|these\s+)?"
                     r"(?:[\w-]+\s+){1,3}(?:is|are|can|may|has|have|was|were)\b)[^;:]*", _I)
# what an action makes unnecessary ("does not require surgery or re-radiation", "without the need for …")
_NOT_REQUIRED = re.compile(r"\b(?:does|do|did)\s+not\s+(?:require|need)\s+(?:(?:any|further)\s+)?"
                           r"(?:[\w-]+\s+(?:or|and)\s+)?$|\bwithout\s+the\s+need\s+for\s+$", _I)
# a comparison that opens a statement ("Like the bisphosphonates, denosumab …", "As with X, …")
_OPENING_COMPARISON = re.compile(r"^\s*(?:like|unlike|as with|similar to)\s+([\w-]+\s+){0,2}$", _I)
# an assessment named as what is assessed ("Assess serum creatinine", "renal function should be monitored"): the
# assessment is the action, not a criterion that selects patients
_ASSESSED_BEFORE = re.compile(r"\b(?:assess|monitor|measure|check|evaluate|test|obtain|record|document|review)"
                              r"(?:ing|ed|s)?\s+(?:the\s+|a\s+|baseline\s+|patients['’]?\s+)?$", _I)
_ASSESSED_AFTER = re.compile(r"^\s+(?:should|must|needs? to|is to|will|has to|have to)\s+be\s+(?:\w+ly\s+)?"
                             r"(?:monitored|assessed|checked|measured|evaluated|tested|reviewed)\b", _I)
_TEAM = re.compile(r"\bteams?\s+(of|including)\b[^.;]*$|\b(refer(ral)? to|consult(ation with)?)\s+$", _I)

_PURPOSE = re.compile(r"\b(?:to|in order to|essential for|for)\s+((?:prevent|minimi[sz]e|reduce|decrease|relieve"
                      r"|improve|control|delay|avoid|palliate|maintain|preserve)\w*\b[^,;:.—()-]*)", _I)
_PURPOSE_NOUN = re.compile(r"\bfor\s+((?:[\w-]+\s+){0,3}?(?:relief|control|prevention|palliation|evaluation"
                           r"|assessment))\b", _I)
_FOR_SYMPTOM = re.compile(r"\b(?:for|to treat|treating|to manage|managing|to control)\s+([\w-]+\s+)?$", _I)
_PREFERRED = re.compile(r"\b(?:preferred|favou?red|chosen|recommended)\s+(?:over|to)\s+([^,;:.—()]+)"
                        r"|\b(?:rather than|instead of|in preference to)\s+([^,;:.—()]+)", _I)
_TIMING = re.compile(r"\b(at (?:the time of )?diagnosis|from the outset|immediately|first-line|second-line"
                     r"|(?:before|after|following|prior to|until|during)\s+[^,;:.—()]{3,60}"
                     r"|(?:combined with|in combination with|together with|concurrent(?:ly)? with|with all)"
                     r"\s+[^,;:.—()]{3,60}"
                     r"|for (?:at least |up to )?\d+(?:-\d+)? (?:days?|weeks?|months?|years?)"
                     r"|interrupt\w*\b[^,;:.—()]{0,40})", _I)
_POPULATION = re.compile(r"^(?:for|in)\s+([^,:]{3,100})[,:]|\b(?:in|for) ((?:all |any )?(?:patients|women|men|adults"
                         r"|those|people)\b[^,;:.—()]{0,80})", _I)
_CLAUSE_BREAK = re.compile(r"\s[-–—]\s|—|;|:\s|,\s+(?=(with|and|but|while|whereas|though|although|which)\b)", _I)


# an action named as the kind of effect something else has ("the painkiller effect of …")
_PROPERTY_AFTER = re.compile(r"\s+(?:effects?|efficacy|activity|properties)\b", re.I)


def mention_roles(raw: str, start: int, end: int, mentions, vocab: Vocabulary, directs: bool) -> dict[int, str]:
    """Return the role of every mention of the statement ``raw[start:end]``, by the mention's start.

    ``directs`` tells whether the statement directs anything: without it no mention is a recommended action,
    and an action it only describes gets no role (a belief's subject, read by beliefs).
    """
    text = raw[start:end]
    purposes = [(start + m.start(1), start + m.end(1))
                for pattern in (_PURPOSE, _PURPOSE_NOUN) for m in pattern.finditer(text)]
    reasons = [(start + m.start(), start + m.end()) for m in _REASON.finditer(text)]
    roles: dict[int, str] = {}
    named: list = []
    for m in mentions:
        # an example in brackets of an action just named ("bone-modifying agents (denosumab or …)") is part of it
        if named and _in_brackets_after(raw, named[-1].end, m.start):
            continue
        named.append(m)
        before = raw[max(start, m.start - 60):m.start]
        actionable = vocab.in_branch(m.concept, "intervention") or vocab.in_branch(m.concept, "assessment")
        assessed = vocab.in_branch(m.concept, "assessment") and bool(
            _ASSESSED_BEFORE.search(before) or _ASSESSED_AFTER.match(raw[m.end:end]))
        if actionable and (_CAUSES_AFTER.match(raw[m.end:end]) or any(s <= m.start < e for s, e in reasons)):
            continue  # a cause of harm or a reason: the subject of a belief, not what is directed
        if actionable and _PROPERTY_AFTER.match(raw[m.end:end]):
            roles[m.start] = "outcome"  # "the painkiller effect of these inhibitors": a property of another action
            continue
        if actionable and _NOT_REQUIRED.search(before) and any(
                x.start < m.start and vocab.in_branch(x.concept, "intervention") for x in named[:-1]):
            # an action another makes unnecessary: "Thermal ablation … does not require surgery or re-radiation"
            roles[m.start] = "outcome"
            continue
        if actionable and _OPENING_COMPARISON.search(raw[start:m.start]):
            roles[m.start] = "comparator"
            continue
        role = None
        if _TEAM.search(raw[max(start, m.start - 200):m.start]) and actionable:
            role = "teamMember"
        elif any(s <= m.start < e for s, e in purposes) or _relieved(raw, start, m, vocab):
            role = "adverseEvent" if vocab.in_branch(m.concept, "adverse event") else "outcome"
        elif (m.concept in vocab.categorical or m.concept in vocab.numeric) and not assessed:
            role = "population"
        else:
            rule = next(((name,) for name, pattern in _ROLE_BEFORE if pattern.search(before)), None)
            if rule == (None,):
                continue
            role = rule[0] if rule else None
        if role is None:
            if vocab.in_branch(m.concept, "adverse event"):
                role = "adverseEvent"
            elif vocab.in_branch(m.concept, "outcome"):
                role = "outcome"
            elif vocab.in_branch(m.concept, "scope") or vocab.in_branch(m.concept, "situation") \
                    or not actionable:
                role = "population"
            elif directs:
                role = "recommendedAction"
        if role is not None:
            if not actionable and role in ("comparator", "priorTreatment", "teamMember"):
                role = "population"
            roles[m.start] = role
    return roles


def _relieved(raw: str, start: int, mention, vocab: Vocabulary) -> bool:
    """Tell whether a mention is a symptom that something is for ("brachytherapy for dysphagia"): its relief."""
    before = raw[max(start, mention.start - 30):mention.start]
    return vocab.in_branch(mention.concept, "symptom") and bool(_FOR_SYMPTOM.search(before))


def _in_brackets_after(raw: str, named_end: int, start: int) -> bool:
    """Tell whether ``start`` is inside a bracket that opens right after words ending at ``named_end``."""
    between = raw[named_end:start]
    inside = between.lstrip()
    return inside.startswith("(") and ")" not in between and not re.match(r"\((with|plus|and|or)\b", inside, _I)


def has_strength_words(text: str) -> bool:
    """Tell whether a statement's own words give a strength (a verbless item such as "For premenopausal patients:
    tamoxifen combined with ovarian suppression" has none: its sibling or lead-in gives it)."""
    return any(pattern.search(text) for name, pattern in _STRENGTH_RULES if name) or modality(text) != "inform"


# what a description of practice says is done ("X are used for treating Y", "X may be used to treat Y"): the
# action is an option (allow), not advice to do it; a negated one ("is not used") says nothing of the kind
_DESCRIBED_USE = re.compile(r"\b(?:can|may|could|might)\s+(?:also\s+|sometimes\s+)?be\s+used\b"
                            r"|\b(?:is|are|['’]s|['’]re)\s+(?:\w+ly\s+|also\s+|sometimes\s+|often\s+|still\s+)?used"
                            r"\s+(?:to|for|as|with|along|when|in|if)\b"
                            # options set out: "there are two options: X and Y", "options include X", "X is a standard
                            # treatment option"
                            r"|\bthere\s+(?:are|is)\s+(?:\w+\s+)?(?:treatment\s+)?options?\b|\boptions?\s+include\b"
                            r"|\b(?:is|are)\s+(?:an?\s+|the\s+)?(?:\w+\s+)?(?:treatment\s+)?options?\b"
                            # addressed to the patient: "Your doctor may offer you X", "You may also have X", "Some
                            # people may have X", "X can help"
                            r"|\b(?:may|might|can|could|will)\s+(?:also\s+)?(?:offer|give|suggest|recommend)\s+you\b"
                            r"|\byou\s+(?:may|might|can|could|will)\s+(?:also\s+)?(?:have|be\s+offered|be\s+given|get|need)\b"
                            r"|\b(?:some\s+|many\s+)?people\s+(?:may|might|can|could)\s+(?:also\s+)?(?:have|be\s+offered|"
                            r"be\s+given|need)\b|\b(?:can|may|could)\s+(?:also\s+)?help\b", _I)
_NEGATED = re.compile(r"\bnot\b|n['’]t\b|\bnever\b", _I)


_OF_CHOICE = re.compile(r"\b(?:the\s+)?treatment of choice\b|\bpreferable\b", _I)


def described_strength(text: str) -> str | None:
    """Return the strength of a statement without modality words that describes an action as done ("Osteoclast
    inhibitors are used for treating …", "… may be used to treat …", "Your doctor may offer you …"): allow; as the
    treatment of choice: prefer; else None."""
    if _OF_CHOICE.search(text):
        return "prefer"
    m = _DESCRIBED_USE.search(text)
    if m is None:
        return None
    # the negation of that description ("is not used for", "can't be used"), not of another clause
    clause_start = max(text.rfind(c, 0, m.start()) for c in (".", ";", ":", ","))
    return None if _NEGATED.search(text, clause_start + 1, m.end()) else "allow"


def clause_strength(text: str, default: str | None) -> str | None:
    """Return the strength a clause's words give, else ``default`` (the statement's)."""
    for name, pattern in _STRENGTH_RULES:
        if pattern.search(text):
            return name
    own = modality(text)
    return default if own == "inform" else own


def _clause_default(raw: str, clause_start: int, statement_start: int, statement_end: int,
                    strength: str | None) -> str | None:
    """Return the strength a clause without strength words takes: the statement's words' (its modality when
    they say nothing more), unless a dash or a semicolon sets the clause off."""
    lead = raw[statement_start:clause_start].rstrip()
    if lead.endswith(("-", "–", "—", ";")):
        return None
    return clause_strength(raw[statement_start:statement_end], strength)


def split_clauses(raw: str, start: int, end: int, breaks: re.Pattern = _CLAUSE_BREAK) -> list[tuple[int, int]]:
    """Split ``raw[start:end]`` at the matches of ``breaks`` (dashes, semicolons, colons…) into (start, end) clauses."""
    out, at = [], start
    for m in breaks.finditer(raw, start, end):
        if m.start() > at:
            out.append((at, m.start()))
        at = m.end()
    if at < end:
        out.append((at, end))
    return out


_TRAILING_MARKERS = re.compile(r"(\s+\d+(\s*[,–-]\s*\d+)*)+\s*$")


def _part(raw: str, start: int, end: int, mentions, skip=()) -> Part:
    # the citation markers that end a statement ("… of the jaw risk 1") are not part of the words
    text = _TRAILING_MARKERS.sub("", raw[start:end]).rstrip()
    end = start + len(text)
    concept = next((m.concept for m in mentions if start <= m.start < end and m.start not in skip), None)
    return Part(start, end, text, concept)


def _whole_words(text: str, start: int, end: int) -> int:
    """Return ``end``, carried to the end of its word when a bounded match stops inside one ("… in patients with
    stable dise" ends after "disease")."""
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return end


def symptom_purpose(raw: str, start: int, mentions, roles: dict[int, str]) -> Part | None:
    """Return the symptom an action is given for ("for dysphagia", "to treat painful bone metastases"), as a purpose."""
    symptom = next((x for x in mentions if roles.get(x.start) == "outcome" and _FOR_SYMPTOM.search(
        raw[max(start, x.start - 30):x.start])), None)
    if symptom is None:
        return None
    return Part(symptom.start, symptom.end, raw[symptom.start:symptom.end], symptom.concept)


def directives(raw: str, i: int, start: int, end: int, mentions, roles: dict[int, str],
               statement_strength: str | None) -> list[Directive]:
    """Return the directives of statement ``i`` (``raw[start:end]``): one per mention that is a recommended action."""
    text = raw[start:end]
    actions = [m for m in mentions if roles.get(m.start) == "recommendedAction"]
    if not actions or statement_strength is None:
        return []
    population = None
    m = _POPULATION.search(text)
    if m:
        g = 1 if m.group(1) else 2
        population = _part(raw, start + m.start(g), start + m.end(g), mentions)
    purpose = None
    m = _PURPOSE.search(text) or _PURPOSE_NOUN.search(text)
    if m:
        purpose = _part(raw, start + m.start(1), start + m.end(1), mentions)
    else:
        # the relief of a symptom: "Use brachytherapy or stenting for dysphagia"
        purpose = symptom_purpose(raw, start, mentions, roles)
    preferred = None
    m = _PREFERRED.search(text)
    if m:
        g = 1 if m.group(1) else 2
        preferred = _part(raw, start + m.start(g), start + m.end(g), mentions)
    timings = [_part(raw, start + t.start(), start + _whole_words(text, t.start(), t.end()), mentions)
               for t in _TIMING.finditer(text)]
    clauses = split_clauses(raw, start, end)
    out = []
    for a in actions:
        cs, ce = next(((s, e) for s, e in clauses if s <= a.start < e), (start, end))
        strength = clause_strength(raw[cs:ce], _clause_default(raw, cs, start, end, statement_strength))
        if strength is None:
            continue
        out.append(Directive(i, a.concept, a.start, a.end, strength, population=population,
                             purpose=purpose,
                             timing=[t for t in timings if not (t.start <= a.start < t.end)],
                             preferred_over=preferred if preferred and not preferred.start <= a.start < preferred.end
                             else None))
    return out
