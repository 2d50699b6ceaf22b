"""What each page of the web UI shows, as plain data read from the store with SPARQL.

The web layer renders these dictionaries as HTML or returns them as the pages' JSON twins.
Each function also returns the SPARQL it ran, so the UI can show how a panel was made. Views
name nodes by their IRIs; which page shows a node is the web layer's business (its URL builder).
"""
from __future__ import annotations

import re
import urllib.parse

from rdflib import URIRef

from guidegraph.errors import GuidegraphError
from guidegraph.namespaces import GGV, document_iri, local_name
from guidegraph.query.sparql import bind


class NotFound(GuidegraphError):
    """No such document, statement or concept in the store."""

    http_status = 404


class BadInput(GuidegraphError):
    """A page was asked for with a value that cannot name anything: a malformed IRI, name or number."""

    http_status = 400


MAX_IRI_LENGTH = 2048


def _printable(text: str) -> str:
    """Write control characters as escapes, so a message shows them."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def parse_iri(text: str, what: str = "the node") -> URIRef:
    """Return ``text`` as an absolute IRI, or raise BadInput saying what is wrong with it."""
    from pyoxigraph import NamedNode

    shown = repr(text[:200]) + ("…" if len(text) > 200 else "")
    if len(text) > MAX_IRI_LENGTH:
        raise BadInput(f"{what} is {len(text)} characters long: IRIs are limited to {MAX_IRI_LENGTH}")
    try:
        parts = urllib.parse.urlsplit(text)
        parts.port  # noqa: B018 - reading it checks that the port is a number in range
    except ValueError as exc:
        raise BadInput(f"{what} {shown} is not a well-formed IRI ({exc})") from None
    if not parts.scheme:
        raise BadInput(f"{what} {shown} is a relative IRI: give an absolute one, such as "
                       "https://w3id.org/guidegraph/id/document/<slug>")
    try:
        # the store's own IRI parser (RFC 3987): what it refuses could never name a node
        NamedNode(text)
    except ValueError as exc:
        raise BadInput(f"{what} {shown} is not a well-formed IRI ({_printable(str(exc))}): "
                       "percent-encode spaces, quotes, angle brackets and control characters") from None
    if parts.scheme in ("http", "https") and not parts.hostname:
        raise BadInput(f"{what} {shown} has no host: write it as {parts.scheme}://host/path")
    return URIRef(text)


def select(store, query: str, **bindings) -> list[dict]:
    """Run a SELECT on the store's dataset and return rows of plain Python values."""
    text, init = bind(query, dict(bindings))
    out = []
    for row in store.dataset().query(text, initBindings=init):
        out.append({str(k): (None if v is None else (v.toPython() if hasattr(v, "toPython") else str(v)))
                    for k, v in row.asdict().items()})
    return out


OVERVIEW_DOCUMENTS_QUERY = """
SELECT ?document ?title ?publisher ?kind ?file (MAX(?date) AS ?latest) WHERE {
  ?document a gg:GuidelineDocument ; gg:sourceFile ?file .
  OPTIONAL { ?document dcterms:title ?title }
  OPTIONAL { ?document dcterms:publisher ?publisher }
  OPTIONAL { ?document gg:documentKind ?kind }
  OPTIONAL { ?document gg:statedDate/rdf:value ?date }
} GROUP BY ?document ?title ?publisher ?kind ?file ORDER BY DESC(?latest)"""
SEVERITY_QUERY = """
SELECT ?severity (COUNT(?f) AS ?n) WHERE {
  GRAPH <https://w3id.org/guidegraph/id/graph/findings> { ?f a gg:Finding ; gg:severity ?severity }
} GROUP BY ?severity"""
# what the corpus is about: the topic most of its documents share
TOPIC_QUERY = """
SELECT ?topic ?label (COUNT(DISTINCT ?doc) AS ?n) WHERE {
  ?doc a gg:GuidelineDocument ; gg:topic ?topic . ?topic skos:prefLabel ?label .
} GROUP BY ?topic ?label ORDER BY DESC(?n) LCASE(STR(?label)) LIMIT 1"""
# words worth searching for: the intervention that most statements are about
SEARCH_EXAMPLE_QUERY = """
SELECT ?label (COUNT(DISTINCT ?st) AS ?n) WHERE { ?st gg:aboutIntervention ?c . ?c skos:prefLabel ?label }
GROUP BY ?label ORDER BY DESC(?n) LCASE(STR(?label)) LIMIT 1"""


def overview_view(store) -> dict:
    """Return what the overview shows: documents, figures, findings by severity, and what the corpus is about."""
    from guidegraph.checks.sparql import SEVERITIES
    from guidegraph.store import store_stats

    stats = store_stats(store)
    by_doc = {d["document"]: d for d in stats["documents"]}
    ds = store.dataset()
    documents = []
    for r in ds.query(OVERVIEW_DOCUMENTS_QUERY):
        figures = by_doc.get(str(r.document), {})
        documents.append({"document": str(r.document), "title": str(r.title) if r.title else None,
                          "publisher": str(r.publisher) if r.publisher else None,
                          "kind": str(r.kind) if r.kind else None, "sourceFile": str(r.file),
                          "latestDate": str(r.latest) if r.latest else None,
                          **{k: figures.get(k, 0) for k in ("statements", "markers", "dangling", "references")}})
    counts = {str(r.severity): int(r.n) for r in ds.query(SEVERITY_QUERY)}
    # a topic names the corpus only when more than half of its documents are about it
    topic = [t for t in select(store, TOPIC_QUERY) if 2 * t["n"] > len(documents)]
    example = select(store, SEARCH_EXAMPLE_QUERY)
    return {"store": stats["store"], "generation": stats["generation"], "totals": stats["totals"],
            "documents": documents, "findings": {sev: counts.get(sev, 0) for sev in SEVERITIES},
            "topic": {"concept": topic[0]["topic"], "label": topic[0]["label"]} if topic else None,
            "searchExample": example[0]["label"] if example else None}


DOCUMENT_QUERY = """
SELECT ?title ?publisher ?kind ?file ?raw WHERE {
  ?doc a gg:GuidelineDocument ; gg:sourceFile ?file ; gg:rawText ?raw .
  OPTIONAL { ?doc dcterms:title ?title } OPTIONAL { ?doc dcterms:publisher ?publisher }
  OPTIONAL { ?doc gg:documentKind ?kind }
}"""
SPANS_QUERY = """
SELECT ?node ?kind ?start ?end ?modality ?number ?reference ?furniture WHERE {
  { ?node a gg:Statement ; dcterms:isPartOf ?doc ; gg:start ?start ; gg:end ?end ; gg:modality ?modality .
    BIND("statement" AS ?kind) }
  UNION { ?node a c4o:InTextReferencePointer ; gg:citedBy/dcterms:isPartOf ?doc ; gg:start ?start ; gg:end ?end ;
          gg:number ?number . OPTIONAL { ?node c4o:denotes ?reference } BIND("marker" AS ?kind) }
  UNION { ?node a biro:BibliographicReference ; dcterms:isPartOf ?doc ; gg:start ?start ; gg:end ?end ;
          gg:number ?number . BIND("reference" AS ?kind) }
  UNION { ?node a gg:PageFurniture ; dcterms:isPartOf ?doc ; gg:start ?start ; gg:end ?end ;
          gg:furnitureKind ?furniture . BIND("furniture" AS ?kind) }
  UNION { ?node a gg:Section ; dcterms:isPartOf ?doc ; gg:start ?start ; gg:end ?end . BIND("section" AS ?kind) }
}"""
FINDINGS_ABOUT_QUERY = """
SELECT ?node ?finding ?check ?severity ?message WHERE {
  GRAPH <https://w3id.org/guidegraph/id/graph/findings> {
    ?finding gg:involves ?node ; gg:checkName ?check ; gg:severity ?severity ; rdfs:comment ?message .
  }
  { ?node dcterms:isPartOf ?doc } UNION { ?node gg:citedBy/dcterms:isPartOf ?doc }
}"""


def document_view(store, slug: str) -> dict:
    """Return a document with every span of its raw text: statements, markers, references, furniture."""
    doc = parse_iri(str(document_iri(slug)), "the document name")
    found = select(store, DOCUMENT_QUERY, doc=doc)
    if not found:
        raise NotFound(f"no document '{slug}' in the store")
    info = found[0]
    spans = select(store, SPANS_QUERY, doc=doc)
    notes = {}
    for f in select(store, FINDINGS_ABOUT_QUERY, doc=doc):
        notes.setdefault(f["node"], []).append({k: f[k] for k in ("finding", "check", "severity", "message")})
    for s in spans:
        s["findings"] = notes.get(s["node"], [])
        s["modality"] = local_name(s["modality"]) if s.get("modality") else None
        s["dangling"] = s["kind"] == "marker" and not s.get("reference")
    spans.sort(key=lambda s: (s["start"], -s["end"]))
    return {"document": str(doc), "slug": slug, "title": info.get("title"), "publisher": info.get("publisher"),
            "kind": info.get("kind"), "sourceFile": info["file"], "raw": info["raw"], "spans": spans,
            "sparql": [DOCUMENT_QUERY.strip(), SPANS_QUERY.strip(), FINDINGS_ABOUT_QUERY.strip()]}


STATEMENT_QUERY = """
SELECT ?doc ?file ?title ?text ?start ?end ?modality ?type ?section ?heading ?raw WHERE {
  ?st a gg:Statement ; dcterms:isPartOf ?doc ; gg:text ?text ; gg:start ?start ; gg:end ?end ; gg:modality ?modality .
  ?doc gg:sourceFile ?file ; gg:rawText ?raw .
  OPTIONAL { ?doc dcterms:title ?title }
  OPTIONAL { ?st a ?type . FILTER(?type IN (gg:Recommendation, gg:Claim)) }
  OPTIONAL { ?st gg:inSection ?section . ?section gg:heading ?heading }
}"""
MARKERS_QUERY = """
SELECT ?marker ?number ?start ?end ?reference ?refTitle ?refContent WHERE {
  ?marker gg:citedBy ?st ; gg:number ?number ; gg:start ?start ; gg:end ?end .
  OPTIONAL { ?marker c4o:denotes ?reference . ?reference c4o:hasContent ?refContent .
             OPTIONAL { ?reference dcterms:title ?refTitle } }
} ORDER BY ?start"""
CONCEPTS_QUERY = """
SELECT ?concept ?label ?words ?start ?end ?about ?role WHERE {
  ?m a gg:Mention ; gg:inStatement ?st ; gg:concept ?concept ; gg:asWritten ?words ; gg:start ?start ; gg:end ?end .
  ?concept skos:prefLabel ?label .
  OPTIONAL { ?st gg:aboutIntervention ?concept BIND(true AS ?about) }
  OPTIONAL { ?m gg:role ?role }
} ORDER BY ?start"""
DIRECTIVES_QUERY = """
SELECT ?directive ?action ?actionLabel ?words ?start ?end ?strength ?rank WHERE {
  ?st gg:directive ?directive . ?directive gg:action ?action ; gg:strength ?strength ; gg:start ?start ; gg:end ?end .
  ?st dcterms:isPartOf/gg:rawText ?raw . BIND(SUBSTR(?raw, ?start + 1, ?end - ?start) AS ?words)
  OPTIONAL { ?action skos:prefLabel ?actionLabel }
  OPTIONAL { ?strength gg:rank ?rank }
} ORDER BY ?start"""
DIRECTIVE_PARTS_QUERY = """
SELECT ?directive ?part ?words ?start ?end ?concept ?conceptLabel WHERE {
  ?st gg:directive ?directive .
  VALUES ?part { gg:appliesTo gg:purpose gg:timing gg:preferredOver gg:antecedent }
  ?directive ?part ?node . ?node gg:asWritten ?words ; gg:start ?start ; gg:end ?end .
  OPTIONAL { ?node gg:partConcept ?concept . OPTIONAL { ?concept skos:prefLabel ?conceptLabel } }
} ORDER BY ?start"""
BELIEFS_QUERY = """
SELECT ?belief ?action ?actionLabel ?words ?start ?end ?effect ?comparison WHERE {
  ?st gg:belief ?belief ; dcterms:isPartOf/gg:rawText ?raw . ?belief gg:action ?action ; gg:start ?start ; gg:end ?end .
  BIND(SUBSTR(?raw, ?start + 1, ?end - ?start) AS ?words)
  OPTIONAL { ?action skos:prefLabel ?actionLabel }
  OPTIONAL { ?belief gg:effect/skos:notation ?effect }
  OPTIONAL { ?belief gg:comparison ?comparison }
} ORDER BY ?start"""
BELIEF_PARTS_QUERY = """
SELECT ?belief ?part ?words ?start ?end ?concept ?conceptLabel ?kind ?value WHERE {
  ?st gg:belief ?belief .
  VALUES ?part { gg:outcome gg:safetyIn gg:cautionIn gg:cannotBeGivenIn gg:doseAdjustedIn gg:givenOnlyIn
                 gg:comparedWith gg:antecedent gg:figure gg:hedge }
  ?belief ?part ?node . ?node gg:asWritten ?words ; gg:start ?start ; gg:end ?end .
  OPTIONAL { ?node gg:partConcept ?concept . OPTIONAL { ?concept skos:prefLabel ?conceptLabel } }
  OPTIONAL { ?node gg:figureKind ?kind } OPTIONAL { ?node gg:figureValue ?value }
} ORDER BY ?start"""
DOSES_QUERY = """
SELECT ?schedule ?drug ?drugLabel ?asWritten ?value ?unit ?route ?frequency ?daysMin ?daysMax ?infusion ?fractions
WHERE {
  ?st gg:doseSchedule ?schedule . ?schedule gg:drug ?drug ; gg:asWritten ?asWritten .
  OPTIONAL { ?drug skos:prefLabel ?drugLabel }
  OPTIONAL { ?schedule schema:doseValue ?value } OPTIONAL { ?schedule schema:doseUnit ?unit }
  OPTIONAL { ?schedule gg:route ?route } OPTIONAL { ?schedule schema:frequency ?frequency }
  OPTIONAL { ?schedule gg:intervalDaysMin ?daysMin ; gg:intervalDaysMax ?daysMax }
  OPTIONAL { ?schedule gg:infusionMinutes ?infusion } OPTIONAL { ?schedule gg:fractions ?fractions }
}"""
POPULATION_QUERY = """
SELECT DISTINCT ?criterion ?label ?comparator ?min ?max ?unit ?asWritten WHERE {
  ?st gg:population ?c . ?c gg:criterion ?criterion ; gg:comparator ?comparator ; gg:asWritten ?asWritten .
  ?criterion skos:prefLabel ?label .
  OPTIONAL { ?c gg:minValue ?min } OPTIONAL { ?c gg:maxValue ?max } OPTIONAL { ?c gg:unit ?unit }
}"""
RELATED_QUERY = """
SELECT ?finding ?check ?severity ?message ?other ?otherText ?otherFile WHERE {
  GRAPH <https://w3id.org/guidegraph/id/graph/findings> {
    ?finding gg:involves ?st ; gg:checkName ?check ; gg:severity ?severity ; rdfs:comment ?message .
    OPTIONAL { ?finding gg:involves ?other . FILTER(?other != ?st) }
  }
  OPTIONAL { ?other gg:text ?otherText ; dcterms:isPartOf/gg:sourceFile ?otherFile }
}"""


def statement_view(store, slug: str, start: int, context: int = 160) -> dict:
    """Return the provenance panel of a statement: where it is, what it cites, says and implies."""
    from guidegraph.reason import explanations

    st = parse_iri(f"{document_iri(slug)}/statement/{start}", "the document name")
    found = select(store, STATEMENT_QUERY, st=st)
    if not found:
        raise NotFound(f"no statement at offset {start} of '{slug}'")
    row = found[0]
    raw = row.pop("raw")
    s, e = row["start"], row["end"]
    related: dict[str, dict] = {}
    for r in select(store, RELATED_QUERY, st=st):
        item = related.setdefault(r["finding"], {k: r[k] for k in ("finding", "check", "severity", "message")})
        item.setdefault("others", [])
        if r.get("other") and r.get("otherText"):
            item["others"].append({"statement": r["other"], "text": r["otherText"], "sourceFile": r["otherFile"]})
    return {
        "statement": str(st), "slug": slug, "document": row["doc"], "sourceFile": row["file"],
        "title": row.get("title"),
        "text": row["text"], "start": s, "end": e, "quote": raw[s:e],
        "before": raw[max(0, s - context):s], "after": raw[e:e + context],
        "modality": local_name(row["modality"]), "type": local_name(row["type"]) if row.get("type") else None,
        "section": row.get("heading"),
        "markers": [m | {"dangling": m.get("reference") is None} for m in select(store, MARKERS_QUERY, st=st)],
        "concepts": [c | {"role": _words_of(local_name(c["role"]).removesuffix("Role")) if c.get("role") else None}
                     for c in select(store, CONCEPTS_QUERY, st=st)],
        "directives": _directives(store, st),
        "beliefs": _beliefs(store, st),
        "doses": select(store, DOSES_QUERY, st=st),
        "population": select(store, POPULATION_QUERY, st=st),
        "inferred": explanations(store, str(st)),
        "findings": list(related.values()),
        "sparql": [STATEMENT_QUERY.strip(), MARKERS_QUERY.strip(), CONCEPTS_QUERY.strip(), DIRECTIVES_QUERY.strip(),
                   DIRECTIVE_PARTS_QUERY.strip(), BELIEFS_QUERY.strip(), BELIEF_PARTS_QUERY.strip(),
                   DOSES_QUERY.strip(), POPULATION_QUERY.strip(), RELATED_QUERY.strip()],
    }


def _words_of(name: str, sep: str = " ") -> str:
    """Spell a concept's CamelCase name as words: "RecommendedAction" → "recommended action"."""
    return sep.join(w.lower() for w in re.findall(r"[A-Z][a-z]*", name))


_PART_KEYS = {"appliesTo": "appliesTo", "purpose": "purpose", "timing": "timing", "preferredOver": "preferredOver",
              "antecedent": "antecedent"}


def _directives(store, st: URIRef) -> list[dict]:
    """Return a statement's directives, each with its action, strength and parts (words, offsets, concept)."""
    out: dict[str, dict] = {}
    for r in select(store, DIRECTIVES_QUERY, st=st):
        out[r["directive"]] = {"directive": r["directive"], "action": r["action"], "actionLabel": r.get("actionLabel"),
                               "words": r["words"], "start": r["start"], "end": r["end"],
                               "strength": _words_of(local_name(r["strength"]).removeprefix("strength"), "-"),
                               "rank": r.get("rank"),
                               "appliesTo": None, "purpose": None, "preferredOver": None, "antecedent": None,
                               "timing": []}
    for r in select(store, DIRECTIVE_PARTS_QUERY, st=st):
        if r["directive"] not in out:
            continue
        part = {"words": r["words"], "start": r["start"], "end": r["end"], "concept": r.get("concept"),
                "conceptLabel": r.get("conceptLabel")}
        key = _PART_KEYS[local_name(r["part"])]
        if key == "timing":
            out[r["directive"]]["timing"].append(part)
        else:
            out[r["directive"]][key] = part
    return list(out.values())


CONCEPT_QUERY = """
SELECT ?label ?definition (GROUP_CONCAT(DISTINCT ?alt; separator="|") AS ?alts) WHERE {
  ?concept skos:prefLabel ?label . OPTIONAL { ?concept skos:definition ?definition }
  OPTIONAL { ?concept skos:altLabel ?alt }
} GROUP BY ?label ?definition"""
BROADER_QUERY = """
SELECT ?other ?label ?direction WHERE {
  { ?concept skos:broader ?other BIND("broader" AS ?direction) }
  UNION { ?other skos:broader ?concept BIND("narrower" AS ?direction) }
  ?other skos:prefLabel ?label
} ORDER BY ?direction ?label"""
ABOUT_QUERY = """
SELECT ?st ?text ?modality ?file ?words WHERE {
  ?mentioned rdfs:subClassOf* ?concept .
  ?m a gg:Mention ; gg:concept ?mentioned ; gg:inStatement ?st ; gg:asWritten ?words .
  ?st gg:text ?text ; gg:modality ?modality ; dcterms:isPartOf/gg:sourceFile ?file ; gg:start ?start .
} ORDER BY ?file ?start"""


def concept_view(store, name: str) -> dict:
    """Return a concept: labels, definition, broader and narrower concepts, statements about it by document."""
    concept = parse_iri(str(GGV) + name, "the concept name")
    found = select(store, CONCEPT_QUERY, concept=concept)
    if not found or found[0].get("label") is None:
        raise NotFound(f"no concept '{name}' in the vocabulary")
    info = found[0]
    by_doc: dict[str, dict] = {}
    for r in select(store, ABOUT_QUERY, concept=concept):
        entry = by_doc.setdefault(r["file"], {})
        item = entry.setdefault(r["st"], {"statement": r["st"], "text": r["text"],
                                          "modality": local_name(r["modality"]), "words": []})
        if r["words"] not in item["words"]:
            item["words"].append(r["words"])
    related = select(store, BROADER_QUERY, concept=concept)
    return {
        "concept": str(concept), "name": name, "label": info["label"], "definition": info.get("definition"),
        "altLabels": sorted(a for a in (info.get("alts") or "").split("|") if a),
        "broader": [r for r in related if r["direction"] == "broader"],
        "narrower": [r for r in related if r["direction"] == "narrower"],
        "statements": {file: list(items.values()) for file, items in sorted(by_doc.items())},
        "sparql": [CONCEPT_QUERY.strip(), BROADER_QUERY.strip(), ABOUT_QUERY.strip()],
    }


COMPARE_QUERY = """
SELECT ?i ?label ?parent ?parentLabel ?file ?st ?modality ?text WHERE {
  ?st gg:aboutIntervention ?i ; gg:modality ?modality ; gg:text ?text ; dcterms:isPartOf/gg:sourceFile ?file .
  ?i skos:prefLabel ?label ; skos:broader ?parent . ?parent skos:prefLabel ?parentLabel .
  MINUS { ?i skos:topConceptOf gg:vocabulary }
  MINUS { ?i skos:broader/skos:topConceptOf gg:vocabulary }
}"""
COMPARE_DETAILS_QUERY = """
SELECT DISTINCT ?st ?what ?value WHERE {
  { ?st gg:doseSchedule/gg:asWritten ?value BIND("dose" AS ?what) }
  UNION { ?st gg:population/gg:asWritten ?value BIND("population" AS ?what) }
  UNION { ?st gg:directive ?d . ?d gg:strength/skos:prefLabel ?strength ; gg:action/skos:prefLabel ?action .
          BIND(CONCAT(STR(?strength), " ", STR(?action)) AS ?value) BIND("directive" AS ?what) }
  UNION { ?st gg:belief ?b . ?b gg:action/skos:prefLabel ?action ; gg:effect/skos:prefLabel ?effect .
          OPTIONAL { ?b gg:outcome/gg:asWritten ?outcome }
          BIND(CONCAT(STR(?action), " ", STR(?effect), COALESCE(CONCAT(" ", ?outcome), "")) AS ?value)
          BIND("belief" AS ?what) }
}"""
# what a cell shows of each statement beside its words
COMPARE_DETAILS = ("dose", "population", "directive", "belief")
COMPARE_FINDINGS_QUERY = """
SELECT ?finding ?type ?message ?st ?about WHERE {
  GRAPH <https://w3id.org/guidegraph/id/graph/findings> { ?finding a ?type ; rdfs:comment ?message ; gg:involves ?st
    OPTIONAL { ?finding gg:aboutConcept ?about } }
  FILTER(?type IN (gg:ScheduleConflict, gg:Contradiction, gg:TimingConflict, gg:RepeatedRecommendation))
}"""


def compare_view(store) -> dict:
    """Return the intervention × document matrix: what each document says about each intervention."""
    details: dict[str, dict[str, set]] = {}
    for r in select(store, COMPARE_DETAILS_QUERY):
        details.setdefault(r["st"], {k: set() for k in COMPARE_DETAILS})[r["what"]].add(r["value"])
    involved: dict[str, list[dict]] = {}
    for r in select(store, COMPARE_FINDINGS_QUERY):
        involved.setdefault(r["st"], []).append({"finding": r["finding"], "type": local_name(r["type"]),
                                                 "message": r["message"], "about": r.get("about")})
    rows: dict[str, dict] = {}
    files: set[str] = set()
    for r in select(store, COMPARE_QUERY):
        files.add(r["file"])
        row = rows.setdefault(r["i"], {"intervention": r["i"], "label": r["label"], "group": r["parentLabel"],
                                       "cells": {}, "status": None, "notes": [], "findings": []})
        cell = row["cells"].setdefault(r["file"], [])
        if any(s["statement"] == r["st"] for s in cell):
            continue
        extra = details.get(r["st"], {k: set() for k in COMPARE_DETAILS})
        cell.append({"statement": r["st"], "text": r["text"], "modality": local_name(r["modality"]),
                     "doses": sorted(extra["dose"]), "population": sorted(extra["population"]),
                     "directives": sorted(extra["directive"]), "beliefs": sorted(extra["belief"])})
    for row in rows.values():
        statements = {s["statement"] for cell in row["cells"].values() for s in cell}
        findings = {}
        for st in statements:
            for f in involved.get(st, []):
                findings.setdefault(f["finding"], (f, set()))[1].add(st)
        conflicts = [f for f, sts in findings.values() if f["type"] != "RepeatedRecommendation" and len(sts) > 1]
        agreements = [f for f, sts in findings.values() if f["type"] == "RepeatedRecommendation"
                      and f["about"] == row["intervention"]]
        marks = conflicts or agreements
        if marks:
            row["status"] = "disagree" if conflicts else "agree"
            row["notes"] = [f["message"] for f in marks]
            row["findings"] = [{"finding": f["finding"], "type": f["type"], "message": f["message"]} for f in marks]
    ordered = sorted(rows.values(), key=lambda r: (r["group"], r["label"]))
    return {"documents": sorted(files), "rows": ordered,
            "sparql": [COMPARE_QUERY.strip(), COMPARE_DETAILS_QUERY.strip(), COMPARE_FINDINGS_QUERY.strip()]}


SEARCH_STATEMENTS_QUERY = """
SELECT ?st ?text ?file ?modality WHERE {
  ?st a gg:Statement ; gg:text ?text ; gg:modality ?modality ; dcterms:isPartOf/gg:sourceFile ?file ; gg:start ?start .
  FILTER(CONTAINS(LCASE(?text), LCASE(?words)))
} ORDER BY ?file ?start LIMIT 100"""
SEARCH_CONCEPTS_QUERY = """
SELECT DISTINCT ?c ?label WHERE {
  ?c a skos:Concept ; skos:prefLabel ?label .
  { ?c skos:prefLabel ?l } UNION { ?c skos:altLabel ?l }
  FILTER(CONTAINS(LCASE(STR(?l)), LCASE(?words)))
} ORDER BY ?label LIMIT 30"""


def search_view(store, words: str) -> dict:
    """Return the concepts and statements whose words contain the search words (case-insensitive)."""
    from rdflib import Literal

    words = words.strip()
    if not words:
        return {"words": "", "concepts": [], "statements": [], "truncated": False}
    term = Literal(words)
    statements = select(store, SEARCH_STATEMENTS_QUERY, words=term)
    concepts = select(store, SEARCH_CONCEPTS_QUERY, words=term)
    return {"words": words,
            "concepts": [{"concept": c["c"], "label": c["label"]} for c in concepts],
            "statements": [{"statement": s["st"], "text": s["text"], "sourceFile": s["file"],
                            "modality": local_name(s["modality"])} for s in statements],
            "truncated": len(statements) == 100}


_SAFETY_KEYS = {"safetyIn": "safe", "cautionIn": "caution", "cannotBeGivenIn": "cannot-be-given",
                "doseAdjustedIn": "dose-adjust", "givenOnlyIn": "only-if"}


def _beliefs(store, st: URIRef) -> list[dict]:
    """Return a statement's beliefs: the action (its words, or the anaphor's, or the antecedent's), the effect and
    outcome or the safety and condition, the figures, the antecedent and the hedges, each with offsets."""
    out: dict[str, dict] = {}
    for r in select(store, BELIEFS_QUERY, st=st):
        out[r["belief"]] = {"belief": r["belief"], "action": r["action"], "actionLabel": r.get("actionLabel"),
                            "words": r["words"], "start": r["start"], "end": r["end"], "effect": r.get("effect"),
                            "comparison": r.get("comparison"), "comparedWith": None, "outcome": None, "safety": None,
                            "condition": None, "antecedent": None, "figures": [], "hedges": []}
    for r in select(store, BELIEF_PARTS_QUERY, st=st):
        if r["belief"] not in out:
            continue
        b, name = out[r["belief"]], local_name(r["part"])
        part = {"words": r["words"], "start": r["start"], "end": r["end"], "concept": r.get("concept"),
                "conceptLabel": r.get("conceptLabel")}
        if name == "figure":
            b["figures"].append({"words": r["words"], "start": r["start"], "end": r["end"], "kind": r.get("kind"),
                                 "value": float(r["value"]) if r.get("value") is not None else None})
        elif name == "hedge":
            b["hedges"].append({"words": r["words"], "start": r["start"], "end": r["end"]})
        elif name in _SAFETY_KEYS:
            b["safety"], b["condition"] = _SAFETY_KEYS[name], part
        else:
            b[name] = part
    return list(out.values())
