"""Closed-world checks of a built store: the SPARQL checks of queries/checks/ and the SHACL shapes."""
from guidegraph.checks.shapes import validate
from guidegraph.checks.sparql import SEVERITIES, Finding, checked, findings, load_checks, reaches

__all__ = ["SEVERITIES", "Finding", "checked", "findings", "load_checks", "reaches", "validate"]
