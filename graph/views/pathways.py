"""Treatment pathways for a patient situation, and paths between two concepts, with networkx.

``pathways_for`` reads every ``gg:Pathway`` with its conditions and steps from the store and
keeps those whose conditions the situation meets (a condition the situation says nothing
about is shown as unknown, not failed). Which criteria are numbers, and on what scale, is read
from the vocabulary (``gg:criterionKind gg:NumericCriterion``, ``gg:scaleMin``, ``gg:scaleMax``,
``gg:scaleUnit``). ``pathway_graph`` lays a pathway out as a networkx DiGraph: the situation,
the ordered steps, and the interventions each step names.
``concept_path`` finds how two concepts connect through the statements that mention them
(and the list items that introduce them).
"""
from __future__ import annotations

import networkx as nx

from guidegraph.namespaces import GGV, local_name
from guidegraph.views.pages import select

PATHWAYS_QUERY = """
SELECT ?pathway ?label ?doc ?file ?kind ?step ?n ?st ?text ?modality WHERE {
  ?pathway a gg:Pathway ; rdfs:label ?label ; dcterms:isPartOf ?doc ; gg:pathwayKind ?kind .
  ?doc gg:sourceFile ?file .
  ?step gg:inPathway ?pathway ; gg:stepNumber ?n ; gg:statement ?st .
  ?st gg:text ?text ; gg:modality ?modality .
} ORDER BY ?file ?label ?n"""
CONDITIONS_QUERY = """
SELECT ?pathway ?criterion ?comparator ?min ?max ?asWritten WHERE {
  ?pathway a gg:Pathway ; gg:condition ?c .
  ?c gg:criterion ?criterion ; gg:comparator ?comparator ; gg:asWritten ?asWritten .
  OPTIONAL { ?c gg:minValue ?min } OPTIONAL { ?c gg:maxValue ?max }
}"""
TOPICS_QUERY = "SELECT ?doc ?topic WHERE { ?doc gg:topic ?topic }"
STEP_INTERVENTIONS_QUERY = """
SELECT ?st ?i ?label WHERE {
  ?step a gg:PathwayStep ; gg:statement ?st . ?st gg:aboutIntervention ?i . ?i skos:prefLabel ?label
}"""
ANCESTORS_QUERY = "SELECT ?c ?a WHERE { ?c skos:broader+ ?a }"
NUMERIC_CRITERIA_QUERY = """
SELECT ?criterion ?label ?min ?max ?unit WHERE {
  ?criterion gg:criterionKind gg:NumericCriterion ; skos:prefLabel ?label .
  OPTIONAL { ?criterion gg:scaleMin ?min } OPTIONAL { ?criterion gg:scaleMax ?max }
  OPTIONAL { ?criterion gg:scaleUnit ?unit }
} ORDER BY LCASE(STR(?label)) ?criterion"""


_ROWS: dict[tuple, list[dict]] = {}


def _rows(store, query: str) -> list[dict]:
    """Return the rows of a query without parameters, read once per generation of the store (a build makes a new one).

    The rows are shared between requests: callers build their own data from them, never change them.
    """
    # opened first, so a store that cannot be read is a StoreError here, not a generation named None
    store.oxigraph()
    key = (str(store.path), str(store.current), query)
    if key not in _ROWS:
        if len(_ROWS) > 256:
            _ROWS.clear()
        _ROWS[key] = select(store, query)
    return _ROWS[key]


def numeric_criteria(store) -> dict[str, dict]:
    """Return the criteria a situation gives as numbers, by name: each with its IRI, label, scale bounds and unit.

    The name is the concept's local name (``PerformanceStatus``); a bound or unit the vocabulary
    does not give is None.
    """
    out: dict[str, dict] = {}
    for r in _rows(store, NUMERIC_CRITERIA_QUERY):
        out.setdefault(local_name(r["criterion"]), {
            "criterion": r["criterion"], "label": r["label"], "unit": r.get("unit"),
            "min": None if r.get("min") is None else float(r["min"]),
            "max": None if r.get("max") is None else float(r["max"])})
    return out


def _ancestors(store) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for r in _rows(store, ANCESTORS_QUERY):
        out.setdefault(r["c"], set()).add(r["a"])
    return out


def pathways(store) -> list[dict]:
    """Return every pathway with its document, steps and conditions."""
    found: dict[str, dict] = {}
    for r in _rows(store, PATHWAYS_QUERY):
        p = found.setdefault(r["pathway"], {"pathway": r["pathway"], "label": r["label"], "document": r["doc"],
                                            "sourceFile": r["file"], "kind": r["kind"], "steps": [], "conditions": []})
        p["steps"].append({"number": int(r["n"]), "statement": r["st"], "text": r["text"],
                           "modality": local_name(r["modality"])})
    for r in _rows(store, CONDITIONS_QUERY):
        if r["pathway"] in found:
            found[r["pathway"]]["conditions"].append(
                {k: r.get(k) for k in ("criterion", "comparator", "min", "max", "asWritten")})
    topics: dict[str, list[str]] = {}
    for r in _rows(store, TOPICS_QUERY):
        topics.setdefault(r["doc"], []).append(r["topic"])
    for p in found.values():
        p["topics"] = topics.get(p["document"], [])
    return list(found.values())


def _related(a: str, b: str, ancestors: dict[str, set[str]]) -> bool:
    """Tell whether two concepts are the same, or one is narrower than the other."""
    return a == b or b in ancestors.get(a, ()) or a in ancestors.get(b, ())


BANDS_QUERY = """
SELECT ?band ?score ?min ?max WHERE {
  ?band gg:bandOf ?score . OPTIONAL { ?band gg:scaleMin ?min } OPTIONAL { ?band gg:scaleMax ?max }
}"""
DISJOINT_QUERY = "SELECT ?a ?b WHERE { ?a owl:disjointWith ?b . ?a a skos:Concept . ?b a skos:Concept }"
LABELS_QUERY = "SELECT ?c ?label WHERE { ?c a skos:Concept ; skos:prefLabel ?label }"
STATEMENT_CRITERIA_QUERY = """
SELECT ?st ?criterion ?comparator ?min ?max ?asWritten ?text ?file ?start WHERE {
  ?st gg:population ?c ; gg:text ?text ; gg:start ?start ; dcterms:isPartOf ?doc .
  ?doc gg:sourceFile ?file .
  ?c gg:criterion ?criterion ; gg:comparator ?comparator ; gg:asWritten ?asWritten .
  OPTIONAL { ?c gg:minValue ?min } OPTIONAL { ?c gg:maxValue ?max }
} ORDER BY ?file ?start"""
SAFETY_QUERY = """
SELECT ?st ?text ?file ?action ?part ?condition ?words WHERE {
  ?st gg:belief ?belief ; gg:text ?text ; dcterms:isPartOf/gg:sourceFile ?file .
  ?belief gg:action ?action .
  VALUES ?part { gg:cannotBeGivenIn gg:givenOnlyIn gg:cautionIn gg:doseAdjustedIn }
  ?belief ?part ?node . ?node gg:partConcept ?condition ; gg:asWritten ?words .
}"""
SCOPE_ROOT_QUERY = "SELECT ?root WHERE { ?scheme gg:scopeRoot ?root }"
# what a safety belief means for a patient in its condition: the word shown, and whether it withholds the action
SAFETY_PARTS = {"cannotBeGivenIn": ("cannot be given", True), "givenOnlyIn": ("only given", True),
                "cautionIn": ("needs caution", False), "doseAdjustedIn": ("needs a dose adjustment", False)}


class Situation:
    """A patient situation read against the vocabulary: what holds, what cannot, and each number given.

    What holds is the chosen condition and statuses with every broader concept, and each band of a
    score (``gg:bandOf``) whose range holds a number given (creatinine clearance 25 mL/min is renal
    impairment). What cannot hold is what the vocabulary declares disjoint from something that
    holds (``owl:disjointWith``, with every narrower concept), and the other bands of a score given.
    """

    def __init__(self, store, situation: dict):
        self.situation = situation
        self.ancestors = _ancestors(store)
        self.numeric = numeric_criteria(store)
        self.labels = {r["c"]: r["label"] for r in _rows(store, LABELS_QUERY)}
        self.bands: dict[str, dict] = {}
        for r in _rows(store, BANDS_QUERY):
            self.bands[r["band"]] = {"score": r["score"], "min": _float(r.get("min")), "max": _float(r.get("max"))}
        disjoint: dict[str, set[str]] = {}
        for r in _rows(store, DISJOINT_QUERY):
            disjoint.setdefault(r["a"], set()).add(r["b"])
            disjoint.setdefault(r["b"], set()).add(r["a"])
        chosen = [c for c in [situation.get("condition"), *(situation.get("status") or [])] if c]
        self.given = {c: self.labels.get(c, local_name(c)) for c in chosen}
        self.because: dict[str, str] = {c: f"the situation is {label}" for c, label in self.given.items()}
        self.excluded: dict[str, str] = {}
        for band, b in self.bands.items():
            value = self.value(b["score"])
            if value is None:
                continue
            said = f"{self._score_label(b['score'])} {value:g}{self._unit(b['score'])}"
            if _within(value, b["min"], b["max"]):
                self.because[band] = f"{said} is {self.labels.get(band, local_name(band))}"
            else:
                self.excluded[band] = f"{said} is not {self.labels.get(band, local_name(band))}"
        self.holds: dict[str, str] = {}
        for concept, why in self.because.items():
            for c in (concept, *self.ancestors.get(concept, ())):
                self.holds.setdefault(c, why)
        for concept, why in self.holds.items():
            for other in disjoint.get(concept, ()):
                self.excluded.setdefault(other, why)

    def value(self, score: str) -> float | None:
        """Return the number the situation gives for a numeric criterion (by IRI), or None."""
        name = next((n for n, c in self.numeric.items() if c["criterion"] == score), None)
        return self.situation.get(name) if name else None

    def _score_label(self, score: str) -> str:
        return self.labels.get(score, local_name(score))

    def _unit(self, score: str) -> str:
        name = next((n for n, c in self.numeric.items() if c["criterion"] == score), None)
        unit = self.numeric[name]["unit"] if name else None
        return f" {unit}" if unit else ""

    def is_empty(self) -> bool:
        """Tell whether the situation says nothing: no condition, status or number."""
        return not self.given and not any(self.situation.get(n) is not None for n in self.numeric)

    def gives_criteria(self) -> bool:
        """Tell whether the situation gives a status or a number (not only a condition)."""
        return bool(self.situation.get("status")) or any(self.situation.get(n) is not None for n in self.numeric)

    def _excluded(self, concept: str) -> str | None:
        """Return why a concept cannot hold (it, or a broader concept, is excluded), or None."""
        for c in (concept, *self.ancestors.get(concept, ())):
            if c in self.excluded:
                return self.excluded[c]
        return None

    def family(self, criterion: str) -> str:
        """Return what a criterion measures: its numeric score (for a score or a band of one), else itself."""
        if criterion in self.bands:
            return self.bands[criterion]["score"]
        owner = self._numeric_owner(criterion)
        return owner["criterion"] if owner else criterion

    def _numeric_owner(self, criterion: str) -> dict | None:
        return next((c for c in self.numeric.values()
                     if criterion == c["criterion"] or c["criterion"] in self.ancestors.get(criterion, ())), None)

    def judge(self, condition: dict) -> tuple[bool | None, str]:
        """Return whether the situation meets a criterion (True, False, or None when it does not say) and why."""
        criterion, comparator = condition["criterion"], condition["comparator"]
        label = self.labels.get(criterion, local_name(criterion))
        written = condition.get("asWritten") or label
        owner = self._numeric_owner(criterion)
        band = self.bands.get(criterion)
        if owner is None and band is not None and self.value(band["score"]) is not None:
            owner = next(c for c in self.numeric.values() if c["criterion"] == band["score"])
            low, high = _float(condition.get("min")), _float(condition.get("max"))
            if low is None and high is None:
                low, high = band["min"], band["max"]
            condition = dict(condition, min=low, max=high)
        if owner is not None:
            value = self.value(owner["criterion"])
            unit = f" {owner['unit']}" if owner["unit"] else ""
            if value is None:
                return None, f"not given: enter the {owner['label']} to check \u201c{written}\u201d"
            said = f"{owner['label']} {value:g}{unit}"
            exclusive = comparator in ("<", ">")
            if _within(value, _float(condition.get("min")), _float(condition.get("max")), exclusive):
                return True, f"{said} is {written}"
            return False, f"{said} is not {written}"
        negated = comparator in ("is not", "not")
        # what holds includes every broader concept of what was chosen, so a criterion broader than it is met
        if criterion in self.holds:
            met, why = True, self.holds[criterion]
        else:
            excluded = self._excluded(criterion)
            if excluded is None:
                if negated:
                    return None, f"not given: this is for patients without \u201c{label}\u201d; choose it if it holds"
                return None, f"not given: choose \u201c{label}\u201d if it holds"
            met, why = False, excluded
        if negated:
            return (not met), (f"{why}, and this is for patients without {label}" if met else why)
        return met, why


def _float(value) -> float | None:
    return None if value is None else float(value)


def _within(value: float, low: float | None, high: float | None, exclusive: bool = False) -> bool:
    if low is not None and (value < low or (exclusive and value == low)):
        return False
    return not (high is not None and (value > high or (exclusive and value == high)))


def judge_all(situation: Situation, conditions: list[dict]) -> tuple[bool | None, list[dict]]:
    """Judge a conjunction of criteria: those on one score or concept are alternatives, the rest must all hold.

    Returns the verdict (False when some group fails, True when every group the situation speaks
    of holds and one does, None when it says nothing) and each condition with ``met`` and ``reason``.
    """
    judged = []
    groups: dict[str, list[bool | None]] = {}
    for c in conditions:
        met, reason = situation.judge(c)
        judged.append(dict(c, met=met, reason=reason))
        groups.setdefault(situation.family(c["criterion"]), []).append(met)
    verdicts = [True if True in states else (False if all(s is False for s in states) else None)
                for states in groups.values()]
    if False in verdicts:
        return False, judged
    return (True if True in verdicts else None), judged


def _step_safety(store, situation: Situation) -> dict[str, list[dict]]:
    """Return, by action concept, what the statements' safety beliefs say of it in this situation."""
    out: dict[str, list[dict]] = {}
    for r in _rows(store, SAFETY_QUERY):
        part = local_name(r["part"])
        words, withholds = SAFETY_PARTS[part]
        condition = r["condition"]
        label = situation.labels.get(condition, local_name(condition))
        if part == "givenOnlyIn":
            why = situation._excluded(condition)
        else:
            why = situation.holds.get(condition)
        if why is None:
            continue
        out.setdefault(r["action"], []).append({
            "statement": r["st"], "text": r["text"], "sourceFile": r["file"], "withholds": withholds,
            "reason": f"{situation.labels.get(r['action'], local_name(r['action']))} {words} "
                      f"{'in' if part != 'givenOnlyIn' else 'with'} {label} (\u201c{r['words']}\u201d): {why}"})
    return out


def pathways_for(store, situation: dict) -> list[dict]:
    """Return the pathways that fit a situation, each condition marked met, unmet or unknown, with its reason.

    ``situation`` holds ``condition`` (a concept IRI: a pathway is left out when its document is
    about other conditions only), ``status`` (categorical criteria, IRIs) and numbers by the
    names of ``numeric_criteria``. A pathway fits when none of its conditions fails and the
    situation says something for it: one of its conditions holds, or the condition chosen is
    what its document is about; a situation that says nothing shows every pathway. Each step is
    judged by its statement's population, and each intervention of a step by the safety beliefs
    about it or a broader action (``safety``: withheld, or a caution, with the reason).
    """
    return situation_report(store, situation)["pathways"]


def situation_report(store, situation: dict, statement_limit: int = 40) -> dict:
    """Return what the documents say for a situation: the pathways that fit, the others, the statements that apply.

    ``pathways`` as ``pathways_for`` describes; ``unsaid``: pathways none of whose conditions the
    situation speaks of (shown apart, with what to give); ``statements``: statements whose
    population the situation meets (none failing, one holding), at most ``statement_limit``;
    ``safety``: what safety beliefs say of actions in this situation.
    """
    judged = Situation(store, situation)
    ancestors = judged.ancestors
    condition = situation.get("condition")
    criteria: dict[str, list[dict]] = {}
    texts: dict[str, dict] = {}
    for r in _rows(store, STATEMENT_CRITERIA_QUERY):
        criteria.setdefault(r["st"], []).append({k: r.get(k) for k in ("criterion", "comparator", "min", "max",
                                                                       "asWritten")})
        texts[r["st"]] = {"statement": r["st"], "text": r["text"], "sourceFile": r["file"]}
    safety = _step_safety(store, judged)
    interventions: dict[str, list[str]] = {}
    for r in _rows(store, STEP_INTERVENTIONS_QUERY):
        interventions.setdefault(r["st"], []).append(r["i"])
    fitting, unsaid = [], []
    for p in pathways(store):
        if condition and p["topics"] and not any(_related(t, condition, ancestors) for t in p["topics"]):
            continue
        verdict, conditions = judge_all(judged, p["conditions"])
        if verdict is False:
            continue
        p = dict(p, conditions=conditions)
        for step in p["steps"]:
            applies, step_conditions = judge_all(judged, criteria.get(step["statement"], []))
            step["applies"], step["conditions"] = applies, step_conditions
            step["safety"] = [dict(note, action=action) for action in interventions.get(step["statement"], [])
                              for a in (action, *sorted(ancestors.get(action, ()))) for note in safety.get(a, ())]
            step["withheld"] = sorted({n["action"] for n in step["safety"] if n["withholds"]})
        said = verdict is True or (condition and p["topics"]) or judged.is_empty()
        (fitting if said else unsaid).append(p)
    # pathways whose conditions the situation meets come before those it says nothing about
    fitting.sort(key=lambda p: -sum(1 for c in p["conditions"] if c["met"] is True))
    statements = []
    used = {c["criterion"] for cs in criteria.values() for c in cs}
    # statements are listed when the situation gives criteria, or a condition that some population names
    if judged.gives_criteria() or condition in used:
        for st, conditions in criteria.items():
            verdict, marked = judge_all(judged, conditions)
            if verdict is True:
                statements.append(dict(texts[st], conditions=[c for c in marked if c["met"] is not None]))
    topics = _topics_by_file(store)

    def about_condition(item: dict) -> bool:
        # a document about other diseases only says nothing for this patient
        found = topics.get(item["sourceFile"])
        return not condition or not found or any(_related(t, condition, ancestors) for t in found)

    statements = [s for s in statements if about_condition(s)]
    notes = [dict(n, action=a) for a, items in safety.items() for n in items if about_condition(n)]
    return {"pathways": fitting, "unsaid": unsaid, "statements": statements[:statement_limit],
            "statementsTotal": len(statements), "safety": notes}


DOCUMENT_TOPICS_QUERY = "SELECT ?file ?topic WHERE { ?doc gg:sourceFile ?file ; gg:topic ?topic }"


def _topics_by_file(store) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in _rows(store, DOCUMENT_TOPICS_QUERY):
        out.setdefault(r["file"], []).append(r["topic"])
    return out


def pathway_graph(store, pathway: dict) -> nx.DiGraph:
    """Lay a pathway out as a graph: situation → step 1 → step 2 …, each step → its interventions."""
    interventions: dict[str, list[tuple[str, str]]] = {}
    for r in _rows(store, STEP_INTERVENTIONS_QUERY):
        interventions.setdefault(r["st"], []).append((r["i"], r["label"]))
    g = nx.DiGraph()
    situation = pathway["pathway"] + "#situation"
    g.add_node(situation, label=pathway["label"], kind="situation", level=0)
    previous = situation
    for step in sorted(pathway["steps"], key=lambda s: s["number"]):
        node = step["statement"]
        # a step the situation rules out stays in the sequence, greyed; an action withheld is not drawn
        excluded = step.get("applies") is False
        g.add_node(node, label=f"{step['number']}. {step['text']}", kind="excluded" if excluded else "step",
                   level=step["number"])
        g.add_edge(previous, node, label="then" if previous != situation else "start")
        for iri, label in interventions.get(node, []):
            if excluded or iri in step.get("withheld", ()):
                continue
            g.add_node(iri, label=label, kind="intervention", level=step["number"])
            g.add_edge(node, iri, label="gives")
        previous = node
    return g


CONCEPT_LINKS_QUERY = """
SELECT ?st ?c ?parent WHERE {
  ?m a gg:Mention ; gg:inStatement ?st ; gg:concept ?c .
  OPTIONAL { ?st gg:parentItem|gg:leadIn ?parent }
}"""


STATEMENT_TEXTS_QUERY = "SELECT ?st ?text WHERE { ?st a gg:Statement ; gg:text ?text }"
CONCEPT_LABELS_QUERY = "SELECT ?c ?label WHERE { ?c a skos:Concept ; skos:prefLabel ?label }"
MENTIONED_CONCEPTS_QUERY = """
SELECT DISTINCT ?c ?label WHERE { ?m a gg:Mention ; gg:concept ?c . ?c skos:prefLabel ?label } ORDER BY ?label"""


def concept_path(store, start: str | None, goal: str | None) -> list[dict]:
    """Return the shortest chain concept – statement(s) – concept linking two concepts (by name), or []."""
    if not start or not goal:
        return []
    g = nx.Graph()
    for r in _rows(store, CONCEPT_LINKS_QUERY):
        g.add_edge(r["c"], r["st"], statement=r["st"])
        if r.get("parent"):
            g.add_edge(r["st"], r["parent"], child=r["st"])
    a, b = str(GGV) + start, str(GGV) + goal
    if a not in g or b not in g:
        return []
    try:
        chain = nx.shortest_path(g, a, b)
    except nx.NetworkXNoPath:
        return []
    texts = {r["st"]: r["text"] for r in _rows(store, STATEMENT_TEXTS_QUERY)}
    labels = {r["c"]: r["label"] for r in _rows(store, CONCEPT_LABELS_QUERY)}
    out = [{"node": n, "kind": "statement" if n in texts else "concept",
            "label": texts.get(n) or labels.get(n) or local_name(n), "relation": None} for n in chain]
    # each step names how it leads to the next: the relation read from the node before to the node after
    for here, there in zip(out, out[1:], strict=False):
        edge = g.edges[here["node"], there["node"]]
        if "child" in edge:
            here["relation"] = "is an item under" if edge["child"] == here["node"] else "introduces the item"
        else:
            here["relation"] = "mentions" if edge["statement"] == here["node"] else "is mentioned in"
    return out


def concept_choices(store) -> list[tuple[str, str]]:
    """Return (name, label) of every concept some statement mentions, for the path form."""
    rows = _rows(store, MENTIONED_CONCEPTS_QUERY)
    return [(local_name(r["c"]), r["label"]) for r in rows]


CONDITION_CHOICES_QUERY = """
SELECT DISTINCT ?c WHERE {
  { ?doc a gg:GuidelineDocument ; gg:topic ?c }
  UNION { ?c gg:criterionKind gg:CategoricalCriterion .
          { ?x gg:population/gg:criterion ?c } UNION { ?p gg:condition/gg:criterion ?c } }
}"""
CATEGORICAL_USED_QUERY = """
SELECT DISTINCT ?c ?label ?group ?groupLabel WHERE {
  ?c gg:criterionKind gg:CategoricalCriterion ; skos:prefLabel ?label .
  { ?x gg:population/gg:criterion ?c } UNION { ?p gg:condition/gg:criterion ?c }
  OPTIONAL { ?c skos:broader ?group . ?group skos:prefLabel ?groupLabel }
} ORDER BY LCASE(STR(?groupLabel)) LCASE(STR(?label))"""
TOP_CONCEPTS_QUERY = "SELECT ?c WHERE { ?c skos:topConceptOf ?scheme }"


def _scope_root(store) -> str | None:
    rows = _rows(store, SCOPE_ROOT_QUERY)
    return rows[0]["root"] if rows else None


def condition_choices(store) -> list[tuple[str, str]]:
    """Return the diseases a situation can name, as a tree: what documents are about, with subtypes and broader ones.

    Each is (IRI, label indented by its depth). With a ``gg:scopeRoot`` in the vocabulary, only
    diseases under it are offered (receptor or menopausal status are statuses, not diseases).
    """
    ancestors = _ancestors(store)
    labels = {r["c"]: r["label"] for r in _rows(store, LABELS_QUERY)}
    tops = {r["c"] for r in _rows(store, TOP_CONCEPTS_QUERY)}
    root = _scope_root(store)
    chosen: set[str] = set()
    for r in _rows(store, CONDITION_CHOICES_QUERY):
        for c in (r["c"], *ancestors.get(r["c"], ())):
            if c not in tops and c in labels and (root is None or c == root or root in ancestors.get(c, ())):
                chosen.add(c)
    children: dict[str | None, list[str]] = {}
    for c in chosen:
        parents = [a for a in ancestors.get(c, ()) if a in chosen]
        # the nearest chosen ancestor is the one with the most ancestors of its own
        parent = max(parents, key=lambda a: len(ancestors.get(a, ())), default=None)
        children.setdefault(parent, []).append(c)
    out: list[tuple[str, str]] = []

    def walk(parent: str | None, depth: int) -> None:
        for c in sorted(children.get(parent, []), key=lambda c: labels[c].lower()):
            out.append((c, "\u2003" * depth + labels[c]))
            walk(c, depth + 1)

    walk(None, 0)
    return out


def status_choices(store) -> list[dict]:
    """Return the statuses a situation can tick, one list per kind (the broader concept): each {label, choices}.

    A status is a categorical criterion that some population or pathway names and that is not a
    disease offered by ``condition_choices`` (receptor and menopausal status, renal impairment …).
    """
    diseases = {c for c, _ in condition_choices(store)}
    groups: dict[str, dict] = {}
    for r in _rows(store, CATEGORICAL_USED_QUERY):
        if r["c"] in diseases:
            continue
        key = r.get("group") or ""
        group = groups.setdefault(key, {"concept": r.get("group"), "label": r.get("groupLabel") or "other",
                                        "choices": []})
        if all(c != r["c"] for c, _ in group["choices"]):
            group["choices"].append((r["c"], r["label"]))
    return list(groups.values())
