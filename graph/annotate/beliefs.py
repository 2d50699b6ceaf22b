"""Read what a statement claims: its beliefs (an action's effect on an outcome, with the figures stated), its
safety statements (an action in a condition), and the hedges that soften what it says.

A belief is TMR's causation belief: the action type's effect (a concept of ``EFFECTS``) on a situation.
The action of a claim is the intervention the clause is about; when the clause names none, an anaphor
("this approach", "these agents") or an elliptical list item ("Fewer complications" under "It
provides:") takes it from the context: the lead-in, else the statements before (``context_action``).
The rules are English grammar; docs/annotation.md describes them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import URIRef

from guidegraph.annotate.directives import AIM, NOT_DIRECTED, Directive, Part, clause_strength, split_clauses
from guidegraph.annotate.modality import IMPERATIVE

EFFECTS = ("prevents", "delays", "reduces", "relieves", "improves", "causes", "works-poorly", "no-effect")
SAFETY = ("safe", "caution", "dose-adjust", "cannot-be-given")

_I = re.IGNORECASE


@dataclass
class Belief:
    """What a statement claims an action does to an outcome, with the figures it states."""

    statement: int
    action: URIRef | None
    action_start: int  # the words naming the action (or the anaphor, or the antecedent's words elsewhere)
    action_end: int
    effect: str
    effect_start: int
    effect_end: int
    outcome: Part | None = None
    figures: list[Figure] = field(default_factory=list)
    antecedent: Part | None = None  # the words of another statement the action was resolved to
    comparison: str | None = None  # "superior", "inferior" or "equivalent" to the comparator, for this outcome
    comparator: Part | None = None  # the words naming what the action is compared with


@dataclass
class Safety:
    """An action's safety in a patient condition: safe, with caution, with an adjusted dose, or not at all."""

    statement: int
    action: URIRef | None
    action_start: int
    action_end: int
    strength: str
    condition: Part
    antecedent: Part | None = None


@dataclass(frozen=True)
class Figure:
    """A number a claim states, as written, with its offsets and (when simple) its value and kind."""

    start: int
    end: int
    text: str
    kind: str  # "percentage", "hazard ratio", "duration", "number"
    value: float | None = None
    low: float | None = None  # a range ("50 to 80 percent"): its low end; ``value`` is the high one


# the effect a clause's words assert, tried in order (the first whose words are found wins)
_EFFECT_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("no-effect", re.compile(r"\b(as effective as|equally effective|equivalent|similar (efficacy|effect\w*)"
                             r"|unproven|no (proven )?(impact|effect|benefit|difference)|not proven"
                             r"|does not (currently )?(change|improve|affect|alter))\b", _I)),
    ("works-poorly", re.compile(r"\b(less proven|less effective|(benefit|effect|efficacy) is (limited|modest|small)"
                                r"|limited (benefit|effect|efficacy)|poor(ly)? (response|respond\w*|effective)"
                                r"|works? poorly)\b", _I)),
    ("delays", re.compile(r"\bdelay(s|ing|ed)?\b", _I)),
    ("prevents", re.compile(r"\bprevent(s|ed|ing|able|ion)?\b", _I)),
    ("reduces", re.compile(r"\b(reduc(e|es|ed|ing|tion)|decreas(e|es|ed|ing)|lower(s|ed|ing)?|fewer)\b", _I)),
    ("relieves", re.compile(r"\b(reliev(e|es|ed|ing)|relief|palliat(e|es|ed|ing|ion))\b", _I)),
    ("causes", re.compile(r"\b(caus(e|es|ed|ing)|induc(e|es|ed|ing)|leads? to|risk of|side effects?|toxicit(y|ies)"
                          r"|complications? of)\b", _I)),
    ("improves", re.compile(r"\b(improv(e|es|ed|ing|ement)|better|superior|benefit|achiev(e|es|ed|ing)"
                            r"|prolong(s|ed|ing)?"
                            r"|median (overall )?survival|help(s)? (determine|assess|predict|identify))\b", _I)),
]
# an effect that keeps the action from some patients is a harm, not a benefit: "X can lower calcium levels, so it
# can't be given to someone whose calcium is already low"
_HARM_CONSEQUENCE = re.compile(r"^[^.;]*?,\s*so\s+[^.;]*?\b(?:can['’]?t|cannot|can not|should not|shouldn['’]t"
                               r"|must not|may not)\s+be\s+(?:given|used|taken)\b", _I)
_BENEFITS = ("prevents", "delays", "reduces", "relieves", "improves")
# a clause whose effect word reads as the purpose of a directive ("to prevent …") claims nothing
_PURPOSE_BEFORE = re.compile(r"\b(to|for|in order to|essential for|aims? to|aimed at|intended to)\s+$"
                             r"|\bfor\s+([\w-]+\s+){1,3}$"
                             # a goal named is no claim that it is reached: "The primary goal is palliation"
                             r"|\b(goal|aim|intent|objective|purpose)s?\s+(?:of\s+(?:[\w-]+\s+){1,4})?(?:is|are|was|were)"
                             r"\s+(?:to\s+)?$", _I)
# a verb of a participle that describes the patients ("patients achieving remission") is no claim
_DESCRIBES_PATIENTS = re.compile(r"\b(patients|those|people|who|whose)\s+$", _I)
# a claim the statement tells the reader not to make ("Do not assume X is superior")
_DENIED = re.compile(r"^\s*(do not|don['’]t|never)\s+(assume|believe|think|expect)\b", _I)
# an effect worded against the comparator's ("superior to X in delaying …"): the effect is the gerund's
_GERUND_EFFECT = re.compile(r"\bin (delaying|preventing|reducing|relieving|improving)\b", _I)
# what is affected: the words right after the effect word, up to a preposition, a number or a clause break
_OUTCOME_AFTER = re.compile(r"^\s*(?:(?:the|a|an|its|their|of|in|on|to|from)\s+)?((?:(?:of (?:the )?(?=[a-z]))?"
                            r"(?!(?:in|of|for|to|than|with"
                            r"|compared|from|by|and|or|but|which|that|as|at|when|if|is|are|was|were|remains?"
                            r"|among|versus|vs)\b)[\w'’/-]+\s*){1,5})", _I)
# a noun before the effect word names the outcome ("survival benefit", "symptom control")
_OUTCOME_BEFORE = re.compile(r"((?:[\w'’/-]+\s+){1,3})$", _I)
_NOUN_EFFECT = re.compile(r"^(benefit|relief|palliation|control|improvement|reduction|prevention)\b", _I)
_STOP_OUTCOME = re.compile(r"^(is|are|be|been|the|a|an|this|that|these|those|it|they|with|proven|and|or|of|in|for"
                           r"|can|may|provides?|offers?|gives?|achieves?|effective|good|significant|significantly"
                           r"|useful|rapid|quick|durable|sustained|meaningful|substantial|adequate|excellent"
                           r"|well-established|\d+)$", _I)
_MARKERS = re.compile(r"(\s+\d+(\s*[,–-]\s*\d+)*)+\s*$")

_FIGURES = re.compile(r"(?P<pct>(?:(?P<lo>\d+(?:\.\d+)?)\s?%?\s?(?:to|[-–])\s?)?(?P<v>\d+(?:\.\d+)?)\s?(?:%|percent\b))"
                      r"|(?P<hr>\b(?:HR|hazard ratio|RR|OR|relative risk|odds ratio)\s*(?:of|=|:)?\s*(?P<hrv>\d+\.\d+))"
                      r"|(?P<dur>\b(?:within\s+)?\d+(?:\.\d+)?(?:\s?[-–]\s?\d+(?:\.\d+)?)?\s+(?:hours?|days?|weeks?"
                      r"|months?|years?)\b)", _I)
# numbers that belong to a dose or a schedule, not to a result
_DOSE_BEFORE = re.compile(r"\b(every|each|after|for|over|q)\s*$|\d\s*$", _I)

_SAFETY_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("dose-adjust", re.compile(r"\bdose (?:adjustment|reduction|modification)s?\b[^.;]*?\b(?:if|in|for|when|with)\s+"
                               r"(?P<c>[^.;]+)", _I)),
    ("cannot-be-given", re.compile(r"\b(?:contraindicated|(?:cannot|can['’]t|can not) be (?:given|used)"
                                   r"|must not be (?:given|used)"
                                   r"|should not be (?:given|used))\s+(?:in|to|for|with|during)\s+(?P<c>[^.;]+)", _I)),
    ("caution", re.compile(r"\b(?:with caution|cautiously|caution)\s+(?:in|for|with)\s+(?P<c>[^.;]+)", _I)),
    ("safe", re.compile(r"\b(?:is|are|remains?) safe\s+(?:in|for|with|during)\s+(?P<c>[^.;]+)"
                        r"|\bsafely (?:used|given) (?:in|for|with|during)\s+(?P<c2>[^.;]+)", _I)),
]

HEDGES = re.compile(r"\b(may|might|could|can be considered|can|possibly|probably|likely|usually|often|generally"
                    r"|typically|in some cases|some (?:studies|patients|evidence)|most (?:\w+ )?patients|many patients"
                    r"|appears? to|seems? to|suggests?|not (?:yet |definitively )?established|remains? unproven"
                    r"|limited evidence|less proven|not (?:well )?proven|no proven|currently|reasonable to|as needed"
                    r"|selected|particularly useful|(?:is|are) limited)\b", _I)

# anaphors that stand for an action named before ("this approach", "these agents", "both of these types")
ANAPHOR = re.compile(r"\b(this (?:approach|drug|agent|treatment|therapy|procedure|medication|method|regimen|option)"
                     r"|these (?:drugs|agents|inhibitors|treatments|therapies|medications|options|procedures)"
                     r"|both of these(?: \w+)?|such (?:drugs|agents|treatments|therapies)"
                     # "Both schedules give the same pain relief": the options the sentence before sets out
                     r"|both (?:schedules|regimens|approaches|options|methods|techniques|treatments|therapies"
                     r"|procedures)"
                     r"|(?:it|they|this)(?=\s+(?:is|are|can|may|has|have|provides?|improves?|reduces?|relieves?|prevents?|causes?|achieves?|works?|does"
                     r"|do|should|must|helps?)\b))", _I)

_CLAUSE = re.compile(r"\s[-–—]\s|—|;|:\s|,\s+(?=(?:which|while|whereas|though|although|but|and)\b)"
                     # a reason is a clause of its own: "X should be monitored as Y is excreted …", "because …"
                     r"|,?\s+(?=(?:because|since)\s)|(?:,|(?<=ed))\s+(?=as\s+(?:the\s+|this\s+|these\s+)?"
                     r"(?:[\w-]+\s+){1,3}(?:is|are|can|may|has|have|was|were)\b)"
                     r"|,?\s+(?=with\s+(?:better|superior|fewer|less|lower|higher|improved)\b)", _I)


# an adverse effect named as such: "X is a rare complication of Y", "A serious side effect of Y is X"
_ADVERSE_OF = re.compile(r"\b(side effects?|complications?|toxicit(?:y|ies)|adverse (?:effects?|events?|reactions?))"
                         r"\s+of\s+", _I)
_ADVERSE_SUBJECT = re.compile(r"^\s*(.+?)\s+(?:is|are|remains?)\s+(?:(?:a|an|the|one)\b[^,;]*)?$", _I)
_ADVERSE_COMPLEMENT = re.compile(r"^(?:\s+(?:therapy|treatment|use|drugs?|agents?))?\s+(?:is|are|include|includes"
                                 r"|can be|may be)\s+(.+?)\.?$", _I | re.S)


# harms listed without their cause, which the context gives: "Common side effects include X, Y and Z"
LISTED_HARMS = re.compile(r"^\s*(?:(?:the\s+)?(?:most\s+)?(?:common|frequent|serious|rare|main|possible|other)\s+)*"
                           r"(?:side effects?|adverse (?:effects?|events?|reactions?)|complications?|toxicit(?:y|ies))"
                           r"\s+(?:include|includes|are|may include|can include)\s+", _I)


def _listed_harms(raw: str, i: int, cs: int, ce: int, mentions, actionable, context) -> Belief | None:
    """Return the belief of a clause that lists harms and names no cause ("Common side effects include acute phase
    reactions …, hypocalcemia …"): the context's action causes the first harm named, the antecedent kept."""
    m = LISTED_HARMS.match(raw[cs:ce])
    if m is None or context is None or any(actionable(x.concept) and cs <= x.start < ce for x in mentions):
        return None
    harm = next((x for x in mentions if cs + m.end() <= x.start < ce), None)
    if harm is None:
        return None
    concept, words = context
    outcome = Part(harm.start, harm.end, raw[harm.start:harm.end], harm.concept)
    return Belief(i, concept, words.start, words.end, "causes", cs + m.start(), cs + m.end(), outcome,
                  figures(raw, cs, ce), words)


def _adverse_effect(raw: str, i: int, cs: int, ce: int, mentions, actionable) -> Belief | None:
    """Return the belief of a clause that names an adverse effect of an action: the action causes the effect,
    whether the effect is the subject ("X is a … complication of Y") or the complement ("a … side effect of Y
    is X")."""
    clause = raw[cs:ce]
    m = _ADVERSE_OF.search(clause)
    if m is None:
        return None
    after = cs + m.end()
    cause = next((x for x in mentions if actionable(x.concept) and after <= x.start < ce
                  and re.fullmatch(r"(?:the\s+|these\s+|this\s+)?", raw[after:x.start], _I)), None)
    if cause is None:
        return None
    subject = _ADVERSE_SUBJECT.match(raw[cs:cs + m.start()])
    if subject:
        s, e = cs + subject.start(1), cs + subject.end(1)
    else:
        complement = _ADVERSE_COMPLEMENT.match(raw[cause.end:ce])
        if complement is None:
            return None
        s, e = cause.end + complement.start(1), cause.end + complement.end(1)
    text = _MARKERS.sub("", raw[s:e]).rstrip(" .")
    if not text:
        return None
    outcome = _mention_part(raw, s, s + len(text), mentions)
    return Belief(i, cause.concept, cause.start, cause.end, "causes", cs + m.start(), cs + m.end(1), outcome,
                  figures(raw, cs, ce))


def hedges(raw: str, start: int, end: int) -> list[Part]:
    """Return the words of ``raw[start:end]`` that soften what it says, with their offsets."""
    return [Part(start + m.start(), start + m.end(), m.group(0)) for m in HEDGES.finditer(raw[start:end])]


def _outcome(raw: str, cs: int, ce: int, es: int, ee: int, mentions) -> Part | None:
    """Return the words a clause gives as what an effect word at ``es:ee`` affects."""
    word = raw[es:ee]
    before = _OUTCOME_BEFORE.search(raw[cs:es])
    if _NOUN_EFFECT.match(word) and before:
        words = before.group(1).split()
        keep = []
        for w in reversed(words):
            if _STOP_OUTCOME.match(w):
                break
            keep.insert(0, w)
        if keep:
            s = raw.rfind(keep[0], cs, es)
            e = s + len(" ".join(keep))
            if raw[s:e] == " ".join(keep):
                return _mention_part(raw, s, e, mentions)
    if word.lower().endswith("able"):
        # "osteonecrosis of the jaw is preventable": the subject is what is affected
        subject = re.match(r"\s*(.+?)\s+(?:is|are)\s+$", raw[cs:es])
        if subject:
            return _mention_part(raw, cs + subject.start(1), cs + subject.end(1), mentions)
    if word.lower().startswith("median "):
        return _mention_part(raw, es + len("median "), ee, mentions)
    m = _OUTCOME_AFTER.match(raw[ee:ce])
    text = _MARKERS.sub("", m.group(1)).rstrip() if m else ""
    if text and not text.isdigit():
        s = ee + m.start(1)
        return _mention_part(raw, s, s + len(text), mentions)
    # an effect the clause states of a benefit ("survival benefit from X remains unproven")
    noun = re.search(r"\b(benefit|relief|control|improvement|reduction)\b", raw[cs:ce], _I)
    if noun and cs + noun.start() != es:
        return _outcome(raw, cs, ce, cs + noun.start(), cs + noun.end(), mentions)
    return None


def _mention_part(raw: str, s: int, e: int, mentions) -> Part:
    concept = next((m.concept for m in mentions if s <= m.start < e), None)
    return Part(s, e, raw[s:e], concept)


def figures(raw: str, start: int, end: int) -> list[Figure]:
    """Return the result figures of ``raw[start:end]``: percentages, hazard ratios and durations (not doses)."""
    out = []
    for m in _FIGURES.finditer(raw, start, end):
        if m.group("pct"):
            # "72%", "20 percent"; a range ("50 to 80 percent", "50-80%") keeps both ends
            low = float(m.group("lo")) / 100 if m.group("lo") else None
            out.append(Figure(m.start(), m.end(), m.group("pct"), "percentage", float(m.group("v")) / 100, low))
        elif m.group("hr"):
            out.append(Figure(m.start(), m.end(), m.group(0), "hazard ratio", float(m.group("hrv"))))
        else:
            if _DOSE_BEFORE.search(raw[max(start, m.start() - 8):m.start()]):
                continue
            text = m.group(0)
            single = re.fullmatch(r"(?:within\s+)?(\d+(?:\.\d+)?)\s+\w+", text, _I)
            out.append(Figure(m.start(), m.end(), text, "duration", float(single.group(1)) if single else None))
    return out


def beliefs(raw: str, i: int, start: int, end: int, mentions, roles: dict[int, str], actionable,
            context: tuple[URIRef, Part] | None = None, elliptical: bool = False,
            harm_context: tuple[URIRef, Part] | None = None) -> list[Belief]:
    """Return the beliefs of statement ``i`` (``raw[start:end]``), one per clause that asserts an effect.

    ``actionable(concept)`` tells whether a concept is an action (an intervention or assessment);
    ``context`` is the action (and its words) that a clause naming none takes, from the lead-in or before;
    ``elliptical`` tells that the statement is a list item under a lead-in, which may leave its action out;
    ``harm_context`` is the treatment whose harms a list of harms naming no cause is about.
    """
    purposes = []
    out: list[Belief] = []
    if AIM.match(raw[start:end]):
        return out  # the document's own aim ("To update the recommendations on the role of …") claims nothing
    level = _no_ranking(raw, i, start, end, mentions, actionable)
    if level is not None:
        return [level]
    alike = _equivalence_list(raw, i, start, end, mentions, actionable)
    if alike:
        return alike
    for cs, ce in split_clauses(raw, start, end, _CLAUSE):
        clause = raw[cs:ce]
        found = None
        gerund = _GERUND_EFFECT.search(clause)
        if _DENIED.match(clause):
            continue
        adverse = _adverse_effect(raw, i, cs, ce, mentions, actionable) or _listed_harms(raw, i, cs, ce, mentions,
                                                                                       actionable, harm_context)
        if adverse is not None:
            out.append(adverse)
            continue
        for effect, pattern in _EFFECT_RULES:
            for m in pattern.finditer(clause):
                if _PURPOSE_BEFORE.search(clause[:m.start()]) and effect not in ("no-effect", "works-poorly"):
                    purposes.append(m)
                    continue
                if _DESCRIBES_PATIENTS.search(clause[:m.start()]):
                    continue
                found = (effect, m)
                break
            if found:
                break
        # a clause that gives a purpose ("… is essential to prevent X") claims nothing of its own
        if not found or (purposes and purposes[-1].start() < found[1].start() + 1 and cs <= cs + purposes[-1].start()):
            purposes.clear()
            continue
        effect, m = found
        es, ee = cs + m.start(), cs + m.end()
        if gerund and effect == "improves" and m.group(0).lower() == "superior":
            # "superior to X in delaying Y": the effect and its outcome are the gerund's
            effect = {"delaying": "delays", "preventing": "prevents", "reducing": "reduces",
                      "relieving": "relieves", "improving": "improves"}[gerund.group(1).lower()]
            es, ee = cs + gerund.start(1), cs + gerund.end(1)
        action = _action(raw, cs, ce, start, es, mentions, roles, actionable)
        antecedent = None
        if action is None:
            action, antecedent = _resolve(raw, clause, cs, start, end, mentions, roles, actionable, context, elliptical)
            if action is None:
                continue
        outcome = _outcome(raw, cs, ce, es, ee, mentions)
        if effect in _BENEFITS and _HARM_CONSEQUENCE.match(raw[ee:end]):
            # the harm is the change itself: "lower calcium levels"
            effect = "causes"
            if outcome is not None and outcome.start > es:
                outcome = Part(es, outcome.end, raw[es:outcome.end], outcome.concept)
        comparison, comparator = _comparison(raw, cs, ce, mentions, roles)
        out.append(Belief(i, action[0], action[1], action[2], effect, es, ee, outcome,
                          figures(raw, cs, ce), antecedent, comparison, comparator))
        # a subject of joined actions: "kyphoplasty or vertebroplasty can provide …" claims it of each
        for other in joined_actions(raw, action[0], action[2], es, mentions, actionable):
            out.append(Belief(i, other.concept, other.start, other.end, effect, es, ee, outcome,
                              figures(raw, cs, ce), None, comparison, comparator))
        out.extend(_coordinated(raw, i, ee, ce, mentions, action, antecedent))
    return out


# what joins two actions: ", ", "/", "or", "and"; with ``called``, also "(a) drug called": "bisphosphonates or a drug
# called denosumab"
_JOIN = re.compile(r"\s*(?:,\s*|/\s*|(?:,\s*)?(?:or|and)\s+)", _I)
_JOIN_CALLED = re.compile(r"\s*(?:,\s*|/\s*|(?:,\s*)?(?:or|and)\s+)(?:(?:a|an|the)\s+)?(?:(?:drug|medicine|agent)s?"
                          r"\s+(?:called|named)\s+)?", _I)


def joined_actions(raw: str, concept: URIRef, end: int, limit: int, mentions, actionable, called: bool = False) -> list:
    """Return the actions joined to the words of ``concept`` that end at ``end`` ("X or Y", "X and Y", "X/Y"), among
    ``mentions`` before ``limit``."""
    join = _JOIN_CALLED if called else _JOIN
    out = []
    for m in sorted((m for m in mentions if end <= m.start < limit), key=lambda m: m.start):
        if not join.fullmatch(raw[end:m.start]):
            break
        if actionable(m.concept) and m.concept != concept:
            out.append(m)
        end = m.end
    return out


# a further predicate of the same subject: "X may lead to tumor control, provide pain relief, and could prolong
# survival"
_NEXT_PREDICATE = re.compile(r",\s+(?:and\s+|or\s+)?|\s+and\s+", _I)
_PREDICATE_START = re.compile(r"(?:(?:may|can|could|might|also|will|often|further|thereby)\s+)*", _I)


def _coordinated(raw: str, i: int, ee: int, ce: int, mentions, action, antecedent) -> list[Belief]:
    """Return the beliefs of the predicates coordinated after a clause's first effect, each with the clause's
    action: a predicate counts when its first word (after a modal) is an effect word of a benefit."""
    out = []
    cuts = list(_NEXT_PREDICATE.finditer(raw, ee, ce))
    for k, cut in enumerate(cuts):
        ss = cut.end()
        se = cuts[k + 1].start() if k + 1 < len(cuts) else ce
        lead = _PREDICATE_START.match(raw, ss, se)
        word = re.match(r"\w+", raw[lead.end():se])
        if word is None:
            continue
        ws, we = lead.end(), lead.end() + word.end()
        effect = next((name for name, pattern in _EFFECT_RULES if name in _BENEFITS
                       and pattern.fullmatch(raw[ws:we])), None)
        if effect is None:
            continue
        named = next((m for m in mentions if we <= m.start < se), None)
        if named is None:
            continue
        outcome = Part(named.start, named.end, raw[named.start:named.end], named.concept)
        out.append(Belief(i, action[0], action[1], action[2], effect, ws, we, outcome, [], antecedent))
    return out


# a comparison of effects: "X is superior to Y in delaying …", "as effective as Y", "equally effective"
_COMPARISON = [
    ("superior", re.compile(r"\b(?:superior to|more effective than|better than|outperform(?:s|ed)?)\s+", _I)),
    ("inferior", re.compile(r"\b(?:inferior to|less effective than|worse than)\s+", _I)),
    ("equivalent", re.compile(r"\b(?:equivalent to|(?:as|equally) effective as|non-?inferior to|similar to"
                              r"|as good as)\s+", _I)),
]


def _comparison(raw: str, cs: int, ce: int, mentions, roles: dict[int, str]) -> tuple[str | None, Part | None]:
    """Return how a clause compares its action with another (superior, inferior, equivalent) and the other's words:
    the first action named after the comparison's words."""
    clause = raw[cs:ce]
    for kind, pattern in _COMPARISON:
        m = pattern.search(clause)
        if m is None:
            continue
        other = next((x for x in mentions if cs + m.end() <= x.start < min(ce, cs + m.end() + 40)
                      and roles.get(x.start) == "comparator"), None)
        if other is not None:
            return kind, Part(other.start, other.end, raw[other.start:other.end], other.concept)
    return None, None


def _resolve(raw, clause, cs, start, end, mentions, roles, actionable, context, elliptical):
    """Return the action of a clause that names none, and the antecedent's words when it comes from elsewhere:
    an anaphor's or an elliptical item's from the context, else one the statement names in another clause."""
    a = ANAPHOR.search(clause)
    if a is not None:
        # an antecedent in an earlier clause of the statement ("FDG-PET can …, though this does not …")
        earlier = _action(raw, start, cs, start, cs, mentions, roles, actionable)
        if earlier is not None:
            concept, s, e = earlier
            return (concept, cs + a.start(), cs + a.end()), Part(s, e, raw[s:e], concept)
    if context is not None and (a is not None or elliptical):
        concept, words = context
        if a is not None:
            return (concept, cs + a.start(), cs + a.end()), words
        return (concept, words.start, words.end), words
    other = _action(raw, start, end, start, end, mentions, roles, actionable)
    if other is not None:
        return other, None
    return None, None


# the evidence ranks no member of a class above another: "There is insufficient evidence to demonstrate greater
# efficacy of one bone-modifying agent over another", "no bisphosphonate is superior to another"
_NO_RANKING = re.compile(r"\b(?:insufficient|no|not enough|limited|little)\s+(?:evidence|data)\b[^.;]*?"
                         r"\b(?:greater|superior|better|more)\s+(?:efficacy|effectiveness|benefit)?\s*(?:of|for)\s+one"
                         r"\s+(?P<c>[^.;]+?)\s+over\s+another\b"
                         r"|\bno\s+(?P<c2>[^.;]+?)\s+(?:is|has been shown to be)\s+(?:superior|better)\s+(?:to|than)"
                         r"\s+(?:another|any other|the others)\b", _I)


def _no_ranking(raw: str, i: int, start: int, end: int, mentions, actionable) -> Belief | None:
    """Return the belief that no member of a class does better than another: an equivalence of the class with itself
    (no effect, compared with the class), its words those naming the class."""
    m = _NO_RANKING.search(raw, start, end)
    if m is None:
        return None
    g = "c" if m.group("c") else "c2"
    named = next((x for x in mentions if m.start(g) <= x.start < m.end(g) and actionable(x.concept)), None)
    if named is None:
        return None
    words = Part(named.start, named.end, raw[named.start:named.end], named.concept)
    return Belief(i, named.concept, named.start, named.end, "no-effect", m.start(), m.end(), None, [], None,
                  "equivalent", words)


# an outcome the evidence finds alike after each of several actions: "data continue to show pain relief equivalency
# following a single 8 Gy fraction, 20 Gy in 5 fractions …", "survival equivalence between A and B"
_EQUIVALENCE_LIST = re.compile(r"\b(?P<o>[\w-]+(?:\s+[\w-]+)?)\s+(?:equivalency|equivalence|parity)\s+"
                               r"(?:following|after|with|between|among|across|of)\s+(?P<list>[^.;]+)", _I)


def _equivalence_list(raw: str, i: int, start: int, end: int, mentions, actionable) -> list[Belief]:
    """Return, for each action an equivalence names after its outcome, the belief that it has that effect alike to
    the others: each action compared (equivalent) with the next one named (the last with the first). The effect is
    the one the outcome's words name ("pain relief": relieves); an outcome that names none ("survival equivalence")
    claims no benefit of either, only that neither does better."""
    m = _EQUIVALENCE_LIST.search(raw, start, end)
    if m is None:
        return []
    named: list = []
    for x in mentions:
        if m.start("list") <= x.start < m.end("list") and actionable(x.concept) \
                and all(x.concept != y.concept for y in named):
            named.append(x)
    if len(named) < 2:
        return []
    words = raw[m.start("o"):m.end("o")]
    effect = next((kind for kind, pattern in _EFFECT_RULES if kind in _BENEFITS and pattern.search(words)), "no-effect")
    outcome = _mention_part(raw, m.start("o"), m.end("o"), mentions)
    out = []
    for k, x in enumerate(named):
        other = named[(k + 1) % len(named)]
        out.append(Belief(i, x.concept, x.start, x.end, effect, m.start("o"), m.end("o"), outcome, [], None,
                          "equivalent", Part(other.start, other.end, raw[other.start:other.end], other.concept)))
    return out


_PROGRESS = re.compile(r"\b(?:advances?|advancements?|developments?|progress|innovations?)\s+(?:in|of)\b[^.;]*$", _I)


def _action(raw, cs, ce, start, es, mentions, roles, actionable):
    """Return the action (concept, start, end) a clause's claim is about: its subject, else one named just before
    a relative clause ("add X to …, which improves survival"), never a comparator, outcome or precondition."""
    candidates = [m for m in mentions if actionable(m.concept) and roles.get(m.start) not in NOT_DIRECTED]
    # progress in a field is the subject, not the actions it names: "Advances in cancer treatments, like targeted
    # therapies and immunotherapies, have improved the outlook …"
    inside = [m for m in candidates if cs <= m.start < ce and not _PROGRESS.search(raw[cs:m.start])]
    if inside:
        before = [m for m in inside if m.start < es]
        m = before[0] if before else inside[0]
        return m.concept, m.start, m.end
    if re.match(r"\s*which\b", raw[cs:ce], _I):
        before = [m for m in candidates if start <= m.start < cs]
        if before:
            m = before[-1]
            return m.concept, m.start, m.end
    return None


def safety(raw: str, i: int, start: int, end: int, mentions, roles: dict[int, str], actionable,
           context: tuple[URIRef, Part] | None = None) -> list[Safety]:
    """Return what statement ``i`` says of an action's safety in a patient condition."""
    text = raw[start:end]
    for strength, pattern in _SAFETY_RULES:
        m = pattern.search(text)
        if not m:
            continue
        g = "c" if m.group("c") else "c2"
        cs, ce = start + m.start(g), start + m.end(g)
        cond_text = re.sub(r"(\s+\d+(\s*[,–-]\s*\d+)*)+\s*$", "", raw[cs:ce]).rstrip()
        condition = _mention_part(raw, cs, cs + len(cond_text), mentions)
        action = _action(raw, start, start + m.start(), start, start + m.start(), mentions, roles, actionable)
        antecedent = None
        if action is None:
            if context is None:
                return []
            concept, words = context
            a = ANAPHOR.search(text)
            action = (concept, start + a.start(), start + a.end()) if a else (concept, words.start, words.end)
            antecedent = words
        return [Safety(i, action[0], action[1], action[2], strength, condition, antecedent)]
    return []


_SUBJECT_ANAPHOR = re.compile(r"^\s*(this|these|it|they)\b(?!\s+(?:is|are)\s+(?:not\s+)?(?:a|an|the)?\s*"
                              r"(?:time|case|reason|setting|situation|stage)\b)", _I)


def anaphoric_directive(raw: str, i: int, start: int, end: int, strength: str | None,
                        context: tuple[URIRef, Part] | None) -> Directive | None:
    """Return the directive of a statement whose action only an anaphor names ("Avoid this approach in …", "This
    represents a critical opportunity that should never be missed"): the antecedent's action, the anaphor's words,
    the strength of the statement's words."""
    if context is None:
        return None
    text = raw[start:end]
    a = ANAPHOR.search(text) or _SUBJECT_ANAPHOR.match(text)
    if a is None:
        return None
    g = 1 if a.re is _SUBJECT_ANAPHOR else 0
    strength = clause_strength(text, strength)
    if strength is None:
        return None
    concept, words = context
    return Directive(i, concept, start + a.start(g), start + a.end(g), strength, antecedent=words)


# an imperative whose object is left out: the verb goes straight on to how, when or how long ("Infuse over no less
# than 15 minutes", "Administer every 4 weeks", "Continue for 2 years")
_BARE_OBJECT = re.compile(r"^\s*(?:over|at|every|each|within|for|until|during|after|before|slowly|once|twice|daily"
                          r"|weekly|monthly|immediately|promptly|\d)\b|^\s*[.,;:]?\s*$", _I)


def elliptical_directive(raw: str, i: int, start: int, end: int, strength: str | None,
                         context: tuple[URIRef, Part] | None) -> Directive | None:
    """Return the directive of a list item that is an imperative without an object ("Infuse over no less than 15
    minutes" under a lead-in about a drug): the lead-in's action, the verb's words, the item's strength."""
    if context is None or strength is None:
        return None
    concept, words = context
    v = IMPERATIVE.match(raw[start:end])
    if v is None:
        return indication_item(raw, i, start, end, strength, context)
    if not _BARE_OBJECT.match(raw[start + v.end():end]):
        return None
    return Directive(i, concept, start + v.start(), start + v.end(), strength, antecedent=words)


# a lead-in whose items complete it with whom or what its action is for: "Surgical intervention is indicated for:",
# "Radiotherapy is recommended in:"
_FOR_LEAD_IN = re.compile(r"^[^\n]*?\b(?:indicated|recommended|used|reserved|considered|appropriate|preferred"
                          r"|required|needed|suitable)\s+(?:for|in)\s*:\s*$", _I)
# an item that is a clause of its own, not the noun phrase that completes the lead-in
_ITEM_CLAUSE = re.compile(r"\b(?:is|are|was|were|be|been|can|could|may|might|should|must|will|would|do|does|not"
                          r"|avoid|consider|use|give|start|stop)\b", _I)


def indication_item(raw: str, i: int, start: int, end: int, strength: str | None,
                    context: tuple[URIRef, Part] | None) -> Directive | None:
    """Return the directive of a list item that only names whom or what the lead-in's action is for ("Spinal cord
    compression with neurological deficits" under "Surgical intervention is indicated for:"): the lead-in's action
    at the item's strength, for the situation the item names; the item's words (less its markers) are the
    directive's, the lead-in's words its antecedent."""
    if context is None or strength is None:
        return None
    concept, words = context
    line_end = raw.find("\n", words.end)
    lead = raw[words.end:line_end if line_end >= 0 else len(raw)]
    if words.end > start or not _FOR_LEAD_IN.match(lead):
        return None
    text = _MARKERS.sub("", raw[start:end]).rstrip(" .;")
    if not text or _ITEM_CLAUSE.search(text):
        return None
    item = Part(start, start + len(text), text)
    return Directive(i, concept, start, start + len(text), strength, population=item, antecedent=words)


def context_action(doc, i: int, by_statement: dict, roles: dict[int, str], found: dict, actionable,
                   depth: int = 0) -> tuple[URIRef, Part] | None:
    """Return the action a statement that names none takes, with the antecedent's words: the lead-in's (or the
    enclosing item's), else, for a lead-in that names none either ("This approach:"), the statement before it;
    else the statement before (an anaphor's antecedent: "… this approach …")."""
    if depth > 3 or i <= 0:
        return None
    st = doc.statements[i]
    source = st.lead_in if st.lead_in is not None else st.parent if st.parent is not None else i - 1
    if source is None or source < 0 or source >= i:
        return None
    own = _named_action(doc, source, by_statement, roles, found, actionable, lead=source == st.lead_in)
    if own is not None:
        return own
    if st.lead_in is not None or doc.statements[source].section == st.section:
        return context_action(doc, source, by_statement, roles, found, actionable, depth + 1)
    return None


def _named_action(doc, k: int, by_statement: dict, roles: dict[int, str], found: dict, actionable, lead=False):
    directed = found.get(k, [])
    raw = doc.raw
    if directed:
        d = directed[0]
        if d.antecedent is not None:  # an anaphor's directive: what it stands for
            return d.action, d.antecedent
        return d.action, Part(d.action_start, d.action_end, raw[d.action_start:d.action_end], d.action)
    excluded = NOT_DIRECTED
    if lead:
        # a lead-in's topic is what its items are about, even as "the value of X"
        excluded = NOT_DIRECTED - {"outcome"}
    for m in by_statement.get(k, []):
        if actionable(m.concept) and roles.get(m.start) not in excluded:
            return m.concept, Part(m.start, m.end, raw[m.start:m.end], m.concept)
    return None
