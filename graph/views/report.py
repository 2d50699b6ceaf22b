"""The checks report as authors read it: findings grouped by kind and document, and as CSV rows.

``guidegraph check --format csv`` and the web report's CSV download write the same rows
(``csv_rows``); ``group_findings`` gathers near-identical findings (one kind of check, in one
document) so that twenty dangling markers read as one group of twenty.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

CSV_HEADER = ["severity", "check", "type", "finding", "message", "within_document", "involves", "kind",
              "source_file", "start", "end", "quote"]


def csv_rows(found: Iterable, header: bool = True) -> Iterator[list]:
    """Yield the report's CSV rows: one per finding and node it involves (a finding without nodes, one row)."""
    if header:
        yield CSV_HEADER
    for f in found:
        for i in f.involves or [None]:
            yield [f.severity, f.check, f.type, f.iri, f.message, f.within_document] + (
                [i.iri, i.kind, i.source_file, i.start, i.end, i.quote] if i else [""] * 6)


def group_findings(items: list[dict]) -> list[dict]:
    """Gather findings (as ``Finding.as_dict`` gives them) by severity, check and first document, in their order.

    Each group has ``severity``, ``check``, ``type``, ``sourceFile`` (None for a finding that
    involves no document) and ``findings``; groups keep the order of their first finding.
    """
    groups: dict[tuple, dict] = {}
    for item in items:
        files = [i["source_file"] for i in item["involves"] if i.get("source_file")]
        key = (item["severity"], item["check"], files[0] if files else None)
        group = groups.setdefault(key, {"severity": item["severity"], "check": item["check"], "type": item["type"],
                                        "sourceFile": key[2], "findings": []})
        group["findings"].append(item)
    return list(groups.values())
