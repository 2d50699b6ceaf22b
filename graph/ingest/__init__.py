"""Read a guideline file into a ``Document``: sections, statements, citation markers and references, each
with its character offsets in the raw file."""
from guidegraph.ingest.document import ingest
from guidegraph.ingest.inputs import find_inputs

__all__ = ["find_inputs", "ingest"]
