"""What a store holds: per-document and total counts, and the size of each named graph."""
from __future__ import annotations

from guidegraph.store.embedded import Store

# per document: how many of each kind of thing it holds (markers reach it through their statement)
COUNT_QUERIES = {
    "sections": "SELECT ?doc (COUNT(?x) AS ?n) WHERE { ?x a gg:Section ; dcterms:isPartOf ?doc } GROUP BY ?doc",
    "statements": "SELECT ?doc (COUNT(?x) AS ?n) WHERE { ?x a gg:Statement ; dcterms:isPartOf ?doc } GROUP BY ?doc",
    "markers": "SELECT ?doc (COUNT(?x) AS ?n) WHERE { ?x a c4o:InTextReferencePointer ; gg:citedBy ?st . "
               "?st dcterms:isPartOf ?doc } GROUP BY ?doc",
    "dangling": "SELECT ?doc (COUNT(?x) AS ?n) WHERE { ?x a c4o:InTextReferencePointer ; gg:citedBy ?st . "
                "?st dcterms:isPartOf ?doc MINUS { ?x c4o:denotes ?r } } GROUP BY ?doc",
    "references": "SELECT ?doc (COUNT(?x) AS ?n) WHERE { ?x a biro:BibliographicReference ; dcterms:isPartOf ?doc } "
                  "GROUP BY ?doc",
}
DOCUMENTS_QUERY = ("SELECT ?doc ?title WHERE { ?doc a gg:GuidelineDocument OPTIONAL { ?doc dcterms:title ?title } } "
                   "ORDER BY ?doc")
GRAPHS_QUERY = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


def store_stats(store: Store) -> dict:
    """Return per-document and total counts of what the store holds."""
    ds = store.dataset()
    counts = {kind: {str(r.doc): int(r.n) for r in ds.query(q)} for kind, q in COUNT_QUERIES.items()}
    docs = []
    for r in ds.query(DOCUMENTS_QUERY):
        doc = {"document": str(r.doc), "title": str(r.title) if r.title else None}
        doc.update({kind: counts[kind].get(str(r.doc), 0) for kind in COUNT_QUERIES})
        docs.append(doc)
    graphs = {str(r.g): int(r.n) for r in ds.query(GRAPHS_QUERY)}
    totals = {k: sum(d[k] for d in docs) for k in ("sections", "statements", "markers", "dangling", "references")}
    totals["documents"] = len(docs)
    totals["triples"] = sum(graphs.values())
    return {"store": str(store.path), "generation": store.current.name, "totals": totals, "documents": docs,
            "graphs": graphs}
