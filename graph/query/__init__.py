"""SPARQL over a store: what a query may do, decided from its parse tree, and the bounded processes
that run it (a pool of query workers, or a child for one query); the saved queries of queries/."""
from guidegraph.query.pool import WorkerPool
from guidegraph.query.run import Admission, run_query
from guidegraph.query.saved import SavedQuery, load_queries
from guidegraph.query.sparql import QueryOutcome, parse_query

__all__ = ["Admission", "QueryOutcome", "SavedQuery", "WorkerPool", "load_queries", "parse_query", "run_query"]
