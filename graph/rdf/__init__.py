"""Turn a document and its annotations into triples in the public vocabulary (ontology/README.md)."""
from guidegraph.rdf.triples import annotation_triples, document_graph, document_triples

__all__ = ["annotation_triples", "document_graph", "document_triples"]
