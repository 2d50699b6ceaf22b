"""The neighbourhood of a node, for the graph explorer: capped, filtered, labelled.

``neighbours`` returns the nodes linked to one node (in either direction) through IRIs, in the
chosen named graphs (asserted document graphs and the vocabulary, the inferred graph, the
findings graph), at most ``link_cap`` of them, saying when it had to leave some out.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef

from guidegraph.namespaces import local_name
from guidegraph.views.pages import parse_iri, select

GRAPH_GROUPS = {
    "asserted": ("https://w3id.org/guidegraph/id/graph/document/", "https://w3id.org/guidegraph/id/graph/vocabulary"),
    "inferred": ("https://w3id.org/guidegraph/id/graph/inferred",),
    "findings": ("https://w3id.org/guidegraph/id/graph/findings",),
}
KINDS = {
    "https://w3id.org/guidegraph/ontology#GuidelineDocument": "document",
    "https://w3id.org/guidegraph/ontology#Section": "section",
    "https://w3id.org/guidegraph/ontology#Statement": "statement",
    "https://w3id.org/guidegraph/ontology#Recommendation": "statement",
    "https://w3id.org/guidegraph/ontology#Claim": "statement",
    "http://purl.org/spar/c4o/InTextReferencePointer": "marker",
    "http://purl.org/spar/biro/BibliographicReference": "reference",
    "http://www.w3.org/2004/02/skos/core#Concept": "concept",
    "https://w3id.org/guidegraph/ontology#Finding": "finding",
    "https://w3id.org/guidegraph/ontology#Mention": "mention",
    "https://w3id.org/guidegraph/ontology#PathwayStep": "step",
    "https://w3id.org/guidegraph/ontology#Pathway": "pathway",
    "http://schema.org/DoseSchedule": "dose",
    "https://schema.org/DoseSchedule": "dose",
    "https://w3id.org/guidegraph/ontology#PopulationCriterion": "criterion",
    "http://www.w3.org/ns/oa#Annotation": "anchor",
}
# shown first when a node has more neighbours than the cap
_PRIORITY = ["document", "section", "statement", "concept", "reference", "finding", "pathway", "step", "marker",
             "dose", "criterion", "mention", "anchor", "node"]

# a class a node has is an edge only where the reasoner concluded it (the inferred graph): there it is the news
NEIGHBOURS_QUERY = """
SELECT ?other ?p ?direction ?g WHERE {
  { GRAPH ?g { ?node ?p ?other } BIND("out" AS ?direction) }
  UNION { GRAPH ?g { ?other ?p ?node } BIND("in" AS ?direction) }
  FILTER(isIRI(?other) && ?p != oa:hasSource && ?other != ?node)
  FILTER(?p != rdf:type || ?g = <https://w3id.org/guidegraph/id/graph/inferred>)
}"""
LABELS_QUERY = """
SELECT ?n (SAMPLE(?t) AS ?type) (SAMPLE(?l) AS ?label) (SAMPLE(?c) AS ?content) (SAMPLE(?s) AS ?strength)
       (SAMPLE(?a) AS ?action) WHERE {
  VALUES ?n { %s }
  OPTIONAL { ?n a ?t }
  OPTIONAL { { ?n gg:text ?l } UNION { ?n dcterms:title ?l } UNION { ?n skos:prefLabel ?l } UNION { ?n gg:heading ?l }
             UNION { ?n rdfs:label ?l } UNION { ?n gg:asWritten ?l } UNION { ?n rdfs:comment ?l } }
  OPTIONAL { ?n c4o:hasContent ?c }
  OPTIONAL { ?n gg:strength/skos:prefLabel ?s }
  OPTIONAL { ?n gg:action/skos:prefLabel ?a }
} GROUP BY ?n"""
# the kinds of node that stand between two others (a mention between a statement and its concept, an anchor
# between a statement and its text): left out unless asked for, since the direct edge says the same
INTERMEDIATE = {"mention", "anchor"}


@dataclass
class Neighbourhood:
    """Nodes and edges around one node, and whether some were left out."""

    nodes: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)
    truncated: bool = False
    total: int = 0


SEARCH_START_QUERY = """
SELECT ?n WHERE {
  { ?n skos:prefLabel ?l FILTER(LCASE(STR(?l)) = LCASE(?words)) BIND(0 AS ?rank) }
  UNION { ?n skos:altLabel ?l FILTER(LCASE(STR(?l)) = LCASE(?words)) BIND(1 AS ?rank) }
  UNION { ?n gg:text ?l FILTER(CONTAINS(LCASE(?l), LCASE(?words))) BIND(2 AS ?rank) }
} ORDER BY ?rank ?n LIMIT 1"""


# the first document by title (by file name when it has none): where the explorer starts by default
DEFAULT_START_QUERY = """
SELECT ?doc WHERE {
  ?doc a gg:GuidelineDocument ; gg:sourceFile ?file . OPTIONAL { ?doc dcterms:title ?title }
} ORDER BY LCASE(STR(COALESCE(?title, ?file))) ?doc LIMIT 1"""


def default_start(store) -> str | None:
    """Return the node the explorer starts from when asked for none: the store's first document by title."""
    found = select(store, DEFAULT_START_QUERY)
    return found[0]["doc"] if found else None


def start_node(store, words: str) -> str | None:
    """Find where to start exploring from some words: a concept by its label, else a statement that says them."""
    from rdflib import Literal

    found = select(store, SEARCH_START_QUERY, words=Literal(words.strip()))
    return found[0]["n"] if found else None


def describe(store, iris: list[str]) -> dict[str, dict]:
    """Return the kind and label of each node."""
    out: dict[str, dict] = {}
    for chunk in range(0, len(iris), 200):
        part = iris[chunk:chunk + 200]
        # the IRIs go in as <…> terms of a VALUES block; they come from the store, not from a user
        values = " ".join(URIRef(i).n3() for i in part)
        for r in select(store, LABELS_QUERY % values):
            kinds = [KINDS.get(str(r.get("type")))]
            kind = next((k for k in kinds if k), "node")
            label = str(r.get("label") or _label_without_text(kind, r))
            out[r["n"]] = {"id": r["n"], "kind": kind, "label": label if len(label) <= 60 else label[:57] + "…",
                           "title": label}
    for i in iris:
        out.setdefault(i, {"id": i, "kind": "node", "label": local_name(i), "title": i})
    return out


def _label_without_text(kind: str, row: dict) -> str:
    """Name a node that has no text of its own by what it is: a marker by its number, a directive by its action."""
    local = local_name(row["n"])
    if row.get("content") and kind == "marker":
        return f"marker [{row['content']}]"
    if row.get("action"):
        return f"{row.get('strength') or 'directive'}: {row['action']}"
    if "/" in row["n"]:
        # the part of a data IRI that names what it is ("…/dose/1801" → "dose at 1801")
        parent = row["n"].rstrip("/").split("/")[-2]
        if local.isdigit():
            return f"{kind if kind != 'node' else parent} at {local}"
        return f"{kind if kind != 'node' else parent} {local[:8]}"
    return local


def neighbours(store, iri: str, graphs: tuple[str, ...] = ("asserted",), kinds: set[str] | None = None,
               link_cap: int = 25, document: str | None = None, offset: int = 0) -> Neighbourhood:
    """Return up to ``link_cap`` neighbours of a node in the chosen graph groups, of the chosen kinds.

    With ``document`` (a slug), nodes of other documents are left out (concepts and other
    shared nodes stay). ``offset`` skips that many neighbours in their order (the next page).
    Mentions and anchors are left out unless ``kinds`` asks for them.
    """
    prefixes = tuple(p for g in graphs for p in GRAPH_GROUPS.get(g, ()))
    rows = [r for r in select(store, NEIGHBOURS_QUERY, node=parse_iri(iri)) if str(r["g"]).startswith(prefixes)]
    info = describe(store, sorted({r["other"] for r in rows}))
    if kinds:
        rows = [r for r in rows if info[r["other"]]["kind"] in kinds]
    else:
        rows = [r for r in rows if info[r["other"]]["kind"] not in INTERMEDIATE]
    if document:
        docs = "https://w3id.org/guidegraph/id/document/"
        rows = [r for r in rows if not r["other"].startswith(docs)
                or r["other"][len(docs):].split("/")[0] == document]
    order = {k: i for i, k in enumerate(_PRIORITY)}
    others = sorted({r["other"] for r in rows}, key=lambda o: (order.get(info[o]["kind"], 99), info[o]["label"]))
    page = others[offset:offset + link_cap]
    kept = set(page)
    result = Neighbourhood(truncated=len(others) > offset + link_cap, total=len(others))
    result.nodes = [info[o] for o in page]
    seen = set()
    for r in rows:
        if r["other"] not in kept:
            continue
        src, dst = (iri, r["other"]) if r["direction"] == "out" else (r["other"], iri)
        key = (src, dst, r["p"])
        if key not in seen:
            seen.add(key)
            result.edges.append({"from": src, "to": dst, "label": local_name(r["p"]), "title": r["p"],
                                 "graph": local_name(r["g"])})
    return result
