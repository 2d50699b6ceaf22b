"""Read what a document's statements say: concept mentions, modality, dose schedules, population criteria
and the ordered steps of a pathway."""
from guidegraph.annotate.statements import Annotation, annotate
from guidegraph.annotate.vocabulary import Vocabulary, load_vocabulary

__all__ = ["Annotation", "Vocabulary", "annotate", "load_vocabulary"]
