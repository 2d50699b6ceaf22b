"""Annotate a document's statements: concept mentions, modality, dose schedules, population
criteria and treatment pathways. Every annotation keeps the offsets of the words it was read
from. The rules are described in docs/annotation.md.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field, replace

from rdflib import URIRef

from guidegraph.annotate.beliefs import (
    LISTED_HARMS,
    Belief,
    Safety,
    anaphoric_directive,
    beliefs,
    context_action,
    elliptical_directive,
    hedges,
    joined_actions,
    safety,
)
from guidegraph.annotate.citations import Citations, citations
from guidegraph.annotate.directives import (
    NOT_DIRECTED,
    Directive,
    Part,
    clause_strength,
    described_strength,
    directives,
    has_strength_words,
    mention_roles,
    symptom_purpose,
)
from guidegraph.annotate.doses import DoseSchedule, dose_schedules
from guidegraph.annotate.mentions import Mention, defined_abbreviations, find_mentions
from guidegraph.annotate.modality import INHERITED, POOR_EFFECT, modality
from guidegraph.annotate.pathways import Pathway, pathways
from guidegraph.annotate.population import Criterion, criteria
from guidegraph.annotate.vocabulary import Vocabulary
from guidegraph.model import Document

_PRONOUN_START = re.compile(r"^(they|these|this|it|such|both)\b", re.I)
_COMBINATION = re.compile(r"\b(combined with|in combination with|along with|together with|concurrent(ly)?"
                          r"|at the same time|plus|with all)\b", re.I)
_TIMING = re.compile(r"\bno ((?:[\w-]+)(?: or [\w-]+)*) (\d+|one|two|three|four|five|six|eight|twelve) "
                     r"(days?|weeks?|months?) before\b", re.I)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "eight": 8, "twelve": 12}
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30}


@dataclass
class TimingConstraint:
    """"no chemotherapy or bisphosphonate six weeks before treatment": keep ``earlier`` that long before ``later``."""

    start: int
    end: int
    statement: int
    earlier: list[URIRef]
    later: list[URIRef]
    days: int


@dataclass
class Annotation:
    """Everything annotation read from one document, by statement index."""

    mentions: list[Mention] = field(default_factory=list)
    modality: dict[int, str] = field(default_factory=dict)
    interventions: dict[int, list[URIRef]] = field(default_factory=dict)
    schedules: dict[int, list[DoseSchedule]] = field(default_factory=dict)
    population: dict[int, list[Criterion]] = field(default_factory=dict)
    section_criteria: dict[int, list[Criterion]] = field(default_factory=dict)
    pathways: list[Pathway] = field(default_factory=list)
    abbreviations: dict[str, URIRef] = field(default_factory=dict)
    topics: list[URIRef] = field(default_factory=list)
    scope: dict[int, list[URIRef]] = field(default_factory=dict)
    scope_within: dict[int, list[URIRef]] = field(default_factory=dict)
    combinations: set[int] = field(default_factory=set)
    timing: list[TimingConstraint] = field(default_factory=list)
    reference_concepts: dict[int, list[URIRef]] = field(default_factory=dict)
    # (interventions, situations)
    poor_effect: dict[int, tuple[list[URIRef], list[URIRef]]] = field(default_factory=dict)
    primary: dict[int, URIRef] = field(default_factory=dict)
    citations: Citations = field(default_factory=Citations)
    directives: dict[int, list[Directive]] = field(default_factory=dict)
    roles: dict[int, str] = field(default_factory=dict)  # by the mention's start
    beliefs: dict[int, list[Belief]] = field(default_factory=dict)
    safety: dict[int, list[Safety]] = field(default_factory=dict)
    hedges: dict[int, list] = field(default_factory=dict)  # the softening words (directives.Part) of a statement
    # the action a list item's lead-in (or enclosing item) is about, carried to the item
    context_actions: dict[int, URIRef] = field(default_factory=dict)


def annotate(doc: Document, vocab: Vocabulary) -> Annotation:
    """Return the annotations of every statement of the document."""
    ann = Annotation()
    ann.abbreviations = defined_abbreviations(doc, vocab)
    for i, st in enumerate(doc.statements):
        ann.mentions.extend(find_mentions(doc.raw, st.start, st.end, i, vocab, ann.abbreviations))
    by_statement: dict[int, list[Mention]] = {}
    for m in ann.mentions:
        by_statement.setdefault(m.statement, []).append(m)
    for i, st in enumerate(doc.statements):
        concepts = [m.concept for m in by_statement.get(i, [])]
        ann.modality[i] = _statement_modality(doc, i, ann.modality,
                                              any(vocab.in_branch(c, "intervention") for c in concepts))
        if ann.modality[i] != "inform":
            # the intervention a recommendation is mainly about: one named at its start ("Bisphosphonates … are
            # essential"), not one in passing ("… for patients receiving bisphosphonates")
            head = _head_end(doc.raw, st.start, st.end)
            opening = [m for m in by_statement.get(i, []) if vocab.in_branch(m.concept, "intervention")
                       and m.start < head and not _excluded(doc.raw, m.start, st.start)]
            if opening:
                ann.primary[i] = opening[0].concept
            ann.interventions[i] = _unique([m.concept for m in by_statement.get(i, [])
                                            if vocab.in_branch(m.concept, "intervention")
                                            and not _excluded(doc.raw, m.start, st.start)])
        schedules = dose_schedules(doc.raw, st.start, st.end, by_statement.get(i, []), vocab,
                                   context=_context_drugs(doc, i, by_statement, vocab))
        if schedules:
            ann.schedules[i] = schedules
        found = criteria(doc.raw, st.start, st.end, by_statement.get(i, []), vocab)
        if found:
            ann.population[i] = found
    for i, st in enumerate(doc.statements):
        # a statement without modality words may still describe an action as an option ("X are used to treat Y")
        strength = described_strength(st.text) if ann.modality[i] == "inform" else ann.modality[i]
        roles = mention_roles(doc.raw, st.start, st.end, by_statement.get(i, []), vocab, strength is not None)
        found = directives(doc.raw, i, st.start, st.end, by_statement.get(i, []), roles, strength)
        directed = {d.action_start for d in found}
        # a recommended action is what a directive directs: one that no clause directs has no role
        ann.roles.update({k: r for k, r in roles.items() if r != "recommendedAction" or k in directed})
        if found:
            ann.directives[i] = found
    _claims(doc, ann, by_statement, vocab)
    _gates(doc, ann, vocab)
    for i, found in ann.directives.items():
        # two actions a statement directs "at the same time" (also through a plural anaphor) are given together
        if i not in ann.combinations and _COMBINATION.search(doc.statements[i].text) \
                and len({d.action for d in found if d.strength not in ("avoid", "contraindicated")}) >= 2:
            ann.combinations.add(i)
    for k, sec in enumerate(doc.sections):
        heading_mentions = [Mention(m.start, m.end, m.concept, -1)
                            for m in find_mentions(doc.raw, sec.start, sec.end, -1, vocab, ann.abbreviations)]
        found = criteria(doc.raw, sec.start, sec.end, heading_mentions, vocab)
        if found:
            ann.section_criteria[k] = found
    ann.pathways = pathways(doc, ann.modality, ann.section_criteria)
    ann.topics = document_topics(doc, vocab, ann.abbreviations)
    topic_cancers = [c for c in ann.topics if vocab.in_branch(c, "scope")] or [vocab.root("scope")]
    for i, st in enumerate(doc.statements):
        own = _unique([m.concept for m in by_statement.get(i, []) if vocab.in_branch(m.concept, "scope")])
        ann.scope[i] = own or topic_cancers
        # the scope concepts and everything above them, so that checks can compare scopes without paths
        ann.scope_within[i] = _unique([a for c in ann.scope[i] for a in [c, *vocab.ancestors(c)]])
        if ann.modality[i] != "inform" and _COMBINATION.search(st.text) and len(ann.interventions.get(i, [])) >= 2:
            ann.combinations.add(i)
        ann.timing.extend(_timing(doc, i, by_statement.get(i, []), vocab))
        if POOR_EFFECT.search(st.text):
            found = _poor_effect(doc, i, by_statement, vocab)
            if found:
                ann.poor_effect[i] = found
    for k, ref in enumerate(doc.references):
        if ref.title:
            at = doc.raw.find(ref.title, ref.start, ref.end)
            if at >= 0:
                found = find_mentions(doc.raw, at, at + len(ref.title), -1, vocab, ann.abbreviations)
                if found:
                    ann.reference_concepts[k] = _unique([m.concept for m in found])
    ann.citations = citations(doc, vocab, ann.mentions, ann.topics, ann.abbreviations)
    return ann


_OPENING_CLAUSE = re.compile(r"^(for|if|in|when|before|after|during)\b[^,:]{0,80}[,:]\s*", re.I)


def _claims(doc: Document, ann: Annotation, by_statement: dict, vocab: Vocabulary) -> None:
    """Read every statement's beliefs, safety statements and hedges (annotate/beliefs.py), an action left out
    or named by an anaphor taken from the lead-in or the statements before."""
    def actionable(c):
        return vocab.in_branch(c, "intervention") or vocab.in_branch(c, "assessment")

    for i, st in enumerate(doc.statements):
        # a verbless item takes the strength of the item before it, a sibling that has one ("… are preferred")
        before = doc.statements[i - 1] if i else None
        if i in ann.directives and before is not None and i - 1 in ann.directives and st.block == before.block \
                == "bullet" and st.depth == before.depth and st.section == before.section \
                and not has_strength_words(st.text):
            for d in ann.directives[i]:
                d.strength = ann.directives[i - 1][0].strength
    # the actions joined, in the document, to the words an anaphor resolved to ("bisphosphonates or a drug called
    # denosumab"): read once per antecedent, from the mentions that follow its words
    starts = [m.start for m in ann.mentions]
    joined: dict[tuple[int, int], list[Mention]] = {}

    def joined_to(context) -> list[Mention]:
        words = context[1]
        if (words.start, words.end) not in joined:
            window = ann.mentions[bisect_left(starts, words.end):bisect_left(starts, words.end + 80)]
            joined[words.start, words.end] = joined_actions(doc.raw, words.concept, words.end, words.end + 80, window,
                                                            actionable, called=True)
        return joined[words.start, words.end]

    for i, st in enumerate(doc.statements):
        here = by_statement.get(i, [])
        context = context_action(doc, i, by_statement, ann.roles, ann.directives, actionable)
        elliptical = st.lead_in is not None or st.parent is not None
        if context is not None and elliptical:
            ann.context_actions[i] = context[0]
        names_own = any(actionable(m.concept) and ann.roles.get(m.start) in (None, "recommendedAction") for m in here)
        if i not in ann.directives and not names_own and _BOTH.search(st.text):
            # "both of these types of treatment": every action the statement before lists, each a directive
            found_both = _both_directives(doc, i, by_statement, ann, vocab, actionable)
            if found_both:
                ann.directives[i] = found_both
        if i not in ann.directives:
            # an action only an anaphor names: "Avoid this approach in …"
            strength = None if ann.modality[i] == "inform" else ann.modality[i]
            if not names_own:
                found_directive = anaphoric_directive(doc.raw, i, st.start, st.end, strength, context)
                if found_directive is None and elliptical:
                    # an item that leaves the object of its verb to the lead-in: "Infuse over 15 minutes"
                    found_directive = elliptical_directive(doc.raw, i, st.start, st.end, strength, context)
                if found_directive is not None:
                    # what it is given for: "… not recommended as first-line therapy to treat painful bone metastases"
                    found_directive.purpose = symptom_purpose(doc.raw, st.start, here, ann.roles)
                    ann.directives[i] = [found_directive]
                    if context is not None and found_directive.antecedent == context[1]:
                        # an anaphor for joined actions directs each ("X or a drug called Y. They are used to …")
                        ann.directives[i] += [
                            replace(found_directive, action=m.concept,
                                    antecedent=Part(m.start, m.end, doc.raw[m.start:m.end], m.concept))
                            for m in joined_to(context)]
        harm_context = _treatment_before(doc, i, by_statement, ann, vocab) if LISTED_HARMS.match(st.text) else None
        found = beliefs(doc.raw, i, st.start, st.end, here, ann.roles, actionable, context, elliptical, harm_context)
        if found and context is not None:
            # an anaphor for joined actions ("bisphosphonates or a drug called denosumab … They are used to …")
            # claims it of each
            found += [replace(b, action=m.concept, antecedent=Part(m.start, m.end, doc.raw[m.start:m.end], m.concept))
                      for b in found if b.antecedent == context[1] and b.action == context[0]
                      for m in joined_to(context)]
        if found:
            ann.beliefs[i] = found
        gated = safety(doc.raw, i, st.start, st.end, here, ann.roles, actionable, context)
        for x in gated:
            # a measured condition is the state its value falls in: "creatinine clearance <60 mL/min" is renal
            # impairment when the vocabulary bands the measure so
            cond = x.condition
            read = next((c for c in ann.population.get(i, []) if c.start < cond.end and cond.start < c.end
                         and (c.min_value is not None or c.max_value is not None)), None)
            if read is not None and read.concept != cond.concept:
                x.condition = replace(cond, concept=read.concept)
        if gated:
            ann.safety[i] = gated
        soft = hedges(doc.raw, st.start, st.end)
        if soft:
            ann.hedges[i] = soft


def _treatment_before(doc: Document, i: int, by_statement: dict, ann: Annotation, vocab: Vocabulary):
    """Return the treatment (a drug or radiation) whose harms a list naming no cause is about: the action of the
    nearest statement before it, in its section, that directs or names one, with its words."""
    def treatment(c):
        return vocab.in_branch(c, "drug") or vocab.in_branch(c, "radiation")

    section = doc.statements[i].section
    for k in range(i - 1, max(-1, i - 8), -1):
        if doc.statements[k].section != section:
            break
        for d in ann.directives.get(k, []):
            if treatment(d.action):
                words = d.antecedent or Part(d.action_start, d.action_end, doc.raw[d.action_start:d.action_end],
                                             d.action)
                return d.action, words
        for m in by_statement.get(k, []):
            if treatment(m.concept) and ann.roles.get(m.start) not in NOT_DIRECTED:
                return m.concept, Part(m.start, m.end, doc.raw[m.start:m.end], m.concept)
    return None


# a condition a recommendation waits on: "X for bone pain if adequate renal function", "only in …", "provided …"
_GATE = re.compile(r"\b(?:only\s+(?:if|when|in|for|with)|if|provided(?:\s+that)?|as\s+long\s+as|unless)"
                   r"\s+(?:(?:the|there\s+is|patients?\s+(?:have|has|with))\s+)?$", re.I)
_RECOMMENDING = ("allow", "consider", "prefer", "recommend", "require")


def _gates(doc: Document, ann: Annotation, vocab: Vocabulary) -> None:
    """Read the conditions a recommendation waits on as safety beliefs (``only-if``): the criterion written right after
    "if / only if / provided / as long as", when the vocabulary declares some condition disjoint from it (so that
    waiting on it withholds the action somewhere: adequate renal function, not renal impairment)."""
    for i, found in ann.directives.items():
        st = doc.statements[i]
        for c in ann.population.get(i, []):
            if c.comparator != "is" or c.concept not in vocab.disjoint \
                    or not _GATE.search(doc.raw[max(st.start, c.start - 40):c.start]):
                continue
            for d in found:
                if d.strength in _RECOMMENDING and d.action_end <= c.start:
                    ann.safety.setdefault(i, []).append(
                        Safety(i, d.action, d.action_start, d.action_end, "only-if",
                               Part(c.start, c.end, doc.raw[c.start:c.end], c.concept), d.antecedent))


# a plural anaphor for two or more actions named before: "both of these types of treatment", "these two drugs"
_BOTH = re.compile(r"\b(both of (?:these|them|those)(?:\s+(?:types?|kinds?|classes|groups)\s+of)?(?:\s+(?:treatments?"
                   r"|therap(?:y|ies)|drugs?|medicines?|agents?|options?|approaches))?"
                   r"|(?:these|the) two (?:types? of )?(?:treatments?|therapies|drugs|medicines|agents|options"
                   r"|approaches))\b", re.I)


def _both_directives(doc: Document, i: int, by_statement: dict, ann: Annotation, vocab: Vocabulary,
                     actionable) -> list[Directive]:
    """Return one directive per action a plural anaphor ("both of these types") stands for: the actions the
    statement before it (in its section) names, the members rather than the class a list exemplifies
    ("systemic treatments, such as A and B" gives A and B). Each keeps the anaphor's words and its antecedent's."""
    st = doc.statements[i]
    if i == 0 or doc.statements[i - 1].section != st.section:
        return []
    before = doc.statements[i - 1]
    prev = [m for m in by_statement.get(i - 1, []) if actionable(m.concept)
            and ann.roles.get(m.start) not in NOT_DIRECTED and not _excluded(doc.raw, m.start, before.start)]
    concepts = _unique(m.concept for m in prev)
    # a class whose members are listed is the list's heading, not one of the actions
    members = [c for c in concepts if not any(o != c and c in vocab.ancestors(o) for o in concepts)]
    if len(members) < 2:
        return []
    text = st.text
    strength = clause_strength(text, None if ann.modality[i] == "inform" else ann.modality[i])
    if strength is None:
        return []
    a = _BOTH.search(text)
    out = []
    for c in members:
        m = next(m for m in prev if m.concept == c)
        out.append(Directive(i, c, st.start + a.start(), st.start + a.end(), strength,
                             antecedent=Part(m.start, m.end, doc.raw[m.start:m.end], c)))
    return out


def _head_end(raw: str, start: int, end: int) -> int:
    """Return where the head of a statement ends: its first three words, after an opening clause."""
    text = raw[start:end]
    m = _OPENING_CLAUSE.match(text)
    offset = m.end() if m else 0
    words = list(re.finditer(r"\S+", text[offset:]))
    return start + offset + (words[2].start() if len(words) > 2 else len(text) - offset)


def _poor_effect(doc: Document, i: int, by_statement, vocab: Vocabulary):
    """Read "They don't work as well for treating blastic metastases": what works poorly, and where.

    When the sentence names no intervention and opens with a pronoun ("They", "These drugs"),
    the interventions of the sentence before it, in the same section, are meant.
    """
    st = doc.statements[i]
    mentions = by_statement.get(i, [])
    interventions = _unique([m.concept for m in mentions if vocab.in_branch(m.concept, "intervention")])
    if not interventions and i > 0 and _PRONOUN_START.match(st.text) and doc.statements[i - 1].section == st.section:
        interventions = _unique([m.concept for m in by_statement.get(i - 1, [])
                                 if vocab.in_branch(m.concept, "intervention")
                                 and not _excluded(doc.raw, m.start, doc.statements[i - 1].start)])
    situations = _unique([m.concept for m in mentions if vocab.in_branch(m.concept, "situation")])
    return (interventions, situations) if interventions and situations else None


def document_topics(doc: Document, vocab: Vocabulary, abbreviations) -> list[URIRef]:
    """Return the concepts a document is about: those its title and first heading name."""
    for span in ([doc.title_span] if doc.title_span else []) + doc.sections[:1]:
        found = _unique(m.concept for m in find_mentions(doc.raw, span.start, span.end, -1, vocab, abbreviations))
        if found:
            return found
    return []


def _timing(doc: Document, i: int, mentions, vocab: Vocabulary) -> list[TimingConstraint]:
    st = doc.statements[i]
    text = doc.raw[st.start:st.end]
    out = []
    for m in _TIMING.finditer(text):
        s, e = st.start + m.start(1), st.start + m.end(1)
        earlier = _unique([x.concept for x in mentions
                           if s <= x.start and x.end <= e and vocab.in_branch(x.concept, "intervention")])
        # what has to wait is what the statement is about: its first intervention outside the list
        later = [x.concept for x in mentions if not (s <= x.start and x.end <= e)
                 and vocab.in_branch(x.concept, "intervention")][:1]
        if earlier and later:
            n = _NUMBERS.get(m.group(2).lower()) or int(m.group(2))
            days = n * _UNIT_DAYS[m.group(3).lower().rstrip("s")]
            out.append(TimingConstraint(st.start + m.start(), st.start + m.end(), i, earlier, later, days))
    return out


_NOT_THE_SUBJECT = re.compile(
    r"(\bno\s+(\w+\s+or\s+)?"  # ruled out: "no chemotherapy or bisphosphonate"
    r"|\b(not require|need for|risk of|without|effectiveness of|side effects of|value of|potential for)"
    r"\s+([\w-]+\s+){0,2}"  # "does not require surgery", "need for … surgery", "the effectiveness of chemotherapy"
    r"|\b(than|over|as effective as|compared (with|to)|versus|vs\.?|instead of|rather than|superior to|inferior to)"
    r"\s+([\w-]+\s+){0,2})$", re.I)  # a comparator: "superior to zoledronate", "favored over multiple fractions"


_TEAM = re.compile(r"\bteams?\s+(of|including)\b[^.;]*$", re.I)


def _excluded(raw: str, start: int, statement_start: int) -> bool:
    """Tell whether a named intervention is not what the statement recommends: ruled out, compared with,
    an outcome ("need for surgery"), or a specialty in a list of team members."""
    return bool(_NOT_THE_SUBJECT.search(raw[max(statement_start, start - 40):start])
                or _TEAM.search(raw[max(statement_start, start - 200):start]))


def _unique(items):
    seen = []
    for x in items:
        if x not in seen:
            seen.append(x)
    return seen


def _statement_modality(doc: Document, i: int, known: dict[int, str], names_intervention: bool) -> str:
    st = doc.statements[i]
    own = modality(st.text)
    if own != "inform":
        return own
    # "For premenopausal patients: tamoxifen combined with …": a population, then what to give
    if names_intervention and re.match(r"^For [^:]{3,80}:\s*\S", st.text):
        return "recommend"
    # an item without modality words takes its lead-in's or parent's ("Monitor … through:")
    for j in (st.parent, st.lead_in):
        if j is not None and known.get(j) in INHERITED:
            return known[j]
    # a numbered step of a treatment algorithm is a recommendation unless it says otherwise
    if st.block == "step":
        return "recommend"
    return own


def _context_drugs(doc, i, by_statement, vocab) -> list[URIRef]:
    """Drugs named by the lead-in or parent of an item ("Zoledronic acid …: Infuse over 15 minutes")."""
    st = doc.statements[i]
    out = []
    for j in (st.parent, st.lead_in):
        if j is None:
            continue
        # a lead-in such as "Key considerations:" follows the sentence that names the drug
        for k in (j, j - 1):
            if k >= 0:
                out.extend(m.concept for m in by_statement.get(k, []))
    return out
