"""Every namespace guidegraph speaks, in one place, and the IRIs of its data and graphs."""
from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

GG = Namespace("https://w3id.org/guidegraph/ontology#")
ID = Namespace("https://w3id.org/guidegraph/id/")
GGV = Namespace("https://w3id.org/guidegraph/vocabulary#")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")
CITO = Namespace("http://purl.org/spar/cito/")
C4O = Namespace("http://purl.org/spar/c4o/")
BIRO = Namespace("http://purl.org/spar/biro/")
SH = Namespace("http://www.w3.org/ns/shacl#")

PREFIXES: dict[str, str] = {
    "gg": str(GG), "ggv": str(GGV), "ggid": str(ID), "prov": str(PROV), "oa": str(OA), "dcterms": str(DCTERMS),
    "skos": str(SKOS), "schema": str(SCHEMA), "cito": str(CITO), "c4o": str(C4O),
    "biro": str(BIRO), "owl": str(OWL), "rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD),
    "sh": str(SH),
}

GRAPH_ONTOLOGY = ID["graph/ontology"]
GRAPH_VOCABULARY = ID["graph/vocabulary"]
GRAPH_INFERRED = ID["graph/inferred"]
GRAPH_FINDINGS = ID["graph/findings"]
GRAPH_PROVENANCE = ID["graph/provenance"]
GRAPH_VALIDATION = ID["graph/validation"]
GRAPH_REVIEWS = ID["graph/reviews"]


def document_iri(slug: str):
    """Return the IRI of a document."""
    return ID[f"document/{slug}"]


def statement_iri(doc, statement):
    """Return the IRI of a statement: its document's slug and its start offset."""
    return ID[f"document/{doc.slug}/statement/{statement.start}"]


def document_graph_iri(slug: str):
    """Return the IRI of the named graph holding what one document asserts."""
    return ID[f"graph/document/{slug}"]


def sparql_prologue() -> str:
    """Return PREFIX lines for every namespace above, to put before a query."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def curie(iri: str) -> str:
    """Return an IRI in its shortest prefixed form ("gg:Recommendation"), or as ``<iri>`` when no prefix fits."""
    iri = str(iri)
    for prefix, namespace in _LONGEST_FIRST:
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return f"<{iri}>"


def local_name(iri: str) -> str:
    """Return the last part of an IRI, after its ``#`` or last ``/`` ("ggv:ZoledronicAcid" → "ZoledronicAcid")."""
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


# a namespace that is the start of another (ggid: and its document IRIs) must lose to the longer one
_LONGEST_FIRST = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))
