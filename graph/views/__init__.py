"""What the pages show, as data read from a store: documents, statements, concepts, comparisons, the
explorer's neighbourhoods and the pathways. Views return IRIs, never URLs."""
from guidegraph.views.pages import BadInput, NotFound, select

__all__ = ["BadInput", "NotFound", "select"]
