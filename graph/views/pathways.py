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


def numeric_criteria(store) -> dict[str, dict]:
    """Return the criteria a situation gives as numbers, by name: each with its IRI, label, scale bounds and unit.

    The name is the concept's local name (``PerformanceStatus``); a bound or unit the vocabulary
    does not give is None.
    """
    out: dict[str, dict] = {}
    for r in select(store, NUMERIC_CRITERIA_QUERY):
        out.setdefault(local_name(r["criterion"]), {
            "criterion": r["criterion"], "label": r["label"], "unit": r.get("unit"),
            "min": None if r.get("min") is None else float(r["min"]),
            "max": None if r.get("max") is None else float(r["max"])})
    return out


def _ancestors(store) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for r in select(store, ANCESTORS_QUERY):
        out.setdefault(r["c"], set()).add(r["a"])
    return out


def pathways(store) -> list[dict]:
    """Return every pathway with its document, steps and conditions."""
    found: dict[str, dict] = {}
    for r in select(store, PATHWAYS_QUERY):
        p = found.setdefault(r["pathway"], {"pathway": r["pathway"], "label": r["label"], "document": r["doc"],
                                            "sourceFile": r["file"], "kind": r["kind"], "steps": [], "conditions": []})
        p["steps"].append({"number": int(r["n"]), "statement": r["st"], "text": r["text"],
                           "modality": local_name(r["modality"])})
    for r in select(store, CONDITIONS_QUERY):
        if r["pathway"] in found:
            found[r["pathway"]]["conditions"].append(
                {k: r.get(k) for k in ("criterion", "comparator", "min", "max", "asWritten")})
    topics: dict[str, list[str]] = {}
    for r in select(store, TOPICS_QUERY):
        topics.setdefault(r["doc"], []).append(r["topic"])
    for p in found.values():
        p["topics"] = topics.get(p["document"], [])
    return list(found.values())


def _related(a: str, b: str, ancestors: dict[str, set[str]]) -> bool:
    """Tell whether two concepts are the same, or one is narrower than the other."""
    return a == b or b in ancestors.get(a, ()) or a in ancestors.get(b, ())


def _meets(condition: dict, situation: dict, ancestors: dict[str, set[str]], numeric: dict[str, dict]) -> bool | None:
    """True, False, or None when the situation says nothing about the condition."""
    criterion = condition["criterion"]
    owner = next((name for name, c in numeric.items()
                  if criterion == c["criterion"] or c["criterion"] in ancestors.get(criterion, ())), None)
    if owner is not None:
        value = situation.get(owner)
        if value is None:
            return None
        low, high = condition.get("min"), condition.get("max")
        exclusive = condition["comparator"] in ("<", ">")
        if low is not None and (value < low or (exclusive and value == low)):
            return False
        return not (high is not None and (value > high or (exclusive and value == high)))
    chosen = situation.get("status") or []
    if not chosen:
        return None
    hit = any(c == condition["criterion"] or condition["criterion"] in ancestors.get(c, ()) for c in chosen)
    return hit if condition["comparator"] == "is" else not hit


def pathways_for(store, situation: dict) -> list[dict]:
    """Return the pathways that fit a situation, each condition marked met, unmet or unknown.

    ``situation`` holds ``condition`` (a concept IRI: a pathway is left out when its document is
    about other conditions only), ``status`` (categorical criteria, IRIs) and numbers by the
    names of ``numeric_criteria``.
    """
    ancestors = _ancestors(store)
    numeric = numeric_criteria(store)
    condition = situation.get("condition")
    out = []
    for p in pathways(store):
        if condition and p["topics"] and not any(_related(t, condition, ancestors) for t in p["topics"]):
            continue
        states = [_meets(c, situation, ancestors, numeric) for c in p["conditions"]]
        if any(s is False for s in states):
            continue
        p = dict(p, conditions=[dict(c, met=s) for c, s in zip(p["conditions"], states, strict=True)])
        out.append(p)
    # pathways whose conditions the situation meets come before those it says nothing about
    out.sort(key=lambda p: -sum(1 for c in p["conditions"] if c["met"] is True))
    return out


def pathway_graph(store, pathway: dict) -> nx.DiGraph:
    """Lay a pathway out as a graph: situation → step 1 → step 2 …, each step → its interventions."""
    interventions: dict[str, list[tuple[str, str]]] = {}
    for r in select(store, STEP_INTERVENTIONS_QUERY):
        interventions.setdefault(r["st"], []).append((r["i"], r["label"]))
    g = nx.DiGraph()
    situation = pathway["pathway"] + "#situation"
    g.add_node(situation, label=pathway["label"], kind="situation", level=0)
    previous = situation
    for step in sorted(pathway["steps"], key=lambda s: s["number"]):
        node = step["statement"]
        g.add_node(node, label=f"{step['number']}. {step['text']}", kind="step", level=step["number"])
        g.add_edge(previous, node, label="then" if previous != situation else "start")
        for iri, label in interventions.get(node, []):
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
    for r in select(store, CONCEPT_LINKS_QUERY):
        g.add_edge(r["c"], r["st"])
        if r.get("parent"):
            g.add_edge(r["st"], r["parent"])
    a, b = str(GGV) + start, str(GGV) + goal
    if a not in g or b not in g:
        return []
    try:
        chain = nx.shortest_path(g, a, b)
    except nx.NetworkXNoPath:
        return []
    texts = {r["st"]: r["text"] for r in select(store, STATEMENT_TEXTS_QUERY)}
    labels = {r["c"]: r["label"] for r in select(store, CONCEPT_LABELS_QUERY)}
    return [{"node": n, "kind": "statement" if n in texts else "concept",
             "label": texts.get(n) or labels.get(n) or local_name(n)} for n in chain]


def concept_choices(store) -> list[tuple[str, str]]:
    """Return (name, label) of every concept some statement mentions, for the path form."""
    rows = select(store, MENTIONED_CONCEPTS_QUERY)
    return [(local_name(r["c"]), r["label"]) for r in rows]


CONDITION_CHOICES_QUERY = """
SELECT DISTINCT ?c ?label WHERE {
  ?p a gg:Pathway ; dcterms:isPartOf/gg:topic ?topic . ?topic skos:broader* ?c . ?c skos:prefLabel ?label .
  MINUS { ?c skos:topConceptOf ?scheme }
} ORDER BY LCASE(STR(?label)) ?c"""
STATUS_CHOICES_QUERY = """
SELECT DISTINCT ?c ?label WHERE {
  ?p a gg:Pathway ; gg:condition/gg:criterion ?c . ?c skos:prefLabel ?label .
  MINUS { ?c gg:criterionKind gg:NumericCriterion }
} ORDER BY LCASE(STR(?label)) ?c"""


def condition_choices(store) -> list[tuple[str, str]]:
    """Return the conditions that documents with pathways are about, and the broader ones, for the situation form."""
    return [(r["c"], r["label"]) for r in select(store, CONDITION_CHOICES_QUERY)]


def status_choices(store) -> list[tuple[str, str]]:
    """Return the criteria that pathways use and that are not numbers (subtypes, receptor and menopausal status)."""
    return [(r["c"], r["label"]) for r in select(store, STATUS_CHOICES_QUERY)]

