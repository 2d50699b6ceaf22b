"""SPARQL over a store: what a query may do, decided from its parse tree, and the bounded child process
that runs it; the saved queries of queries/."""
from guidegraph.query.saved import SavedQuery, load_queries
from guidegraph.query.sparql import Admission, QueryOutcome, parse_query, run_query

__all__ = ["Admission", "QueryOutcome", "SavedQuery", "load_queries", "parse_query", "run_query"]
