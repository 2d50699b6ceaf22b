"""The checks report: the build's findings, filterable, each linked to its statements; the SHACL report."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request

from guidegraph.checks.reviews import status, stored_reviews
from guidegraph.checks.sparql import SEVERITIES, checked, findings, load_checks
from guidegraph.views.pages import select

from .context import store, urls, wants_json

bp = Blueprint("checks", __name__)
# findings are written once per store generation and never change: read them once per generation
_findings_by_generation: dict = {}

SHACL_QUERY = """
SELECT ?graph ?conforms (COUNT(?result) AS ?results) WHERE {
  GRAPH <https://w3id.org/guidegraph/id/graph/validation> {
    ?report a sh:ValidationReport ; sh:conforms ?conforms . OPTIONAL { ?report gg:validatedGraph ?graph }
    OPTIONAL { ?report sh:result ?result }
  }
} GROUP BY ?graph ?conforms ORDER BY ?graph"""


def _findings():
    # opened first, so a store that cannot be read is a StoreError, not a generation named None
    store().oxigraph()
    generation = store().current
    if generation not in _findings_by_generation:
        _findings_by_generation.clear()
        found = findings(store())
        reviews = stored_reviews(store())
        _findings_by_generation[generation] = (found, {f.iri: status(f, reviews) for f in found})
    return _findings_by_generation[generation]


@bp.route("/checks")
@bp.route("/checks.json", endpoint="report_json")
def report():
    """Show the findings, filtered by check, severity and document; dismissed ones on request."""
    found, statuses = _findings()
    show_dismissed = request.args.get("dismissed") in ("1", "true", "yes")
    dismissed = sum(1 for s in statuses.values() if s.silenced)
    checks = sorted({f.check for f in found})
    files = sorted({i.source_file for f in found for i in f.involves if i.source_file})
    wanted_checks = set(request.args.getlist("check")) - {""}
    known = {c.name for c in load_checks()} | set(checks)
    if wanted_checks - known:
        unknown = sorted(wanted_checks - known)[0][:100]
        abort(400, f"check={unknown!r} is not a check: choose one of {', '.join(sorted(known))}")
    severity = request.args.get("severity") or None
    if severity is not None and severity not in SEVERITIES:
        abort(400, f"severity={severity[:100]!r} is not a severity: choose {', '.join(SEVERITIES)}")
    document = request.args.get("document") or None
    shown = [f for f in found
             if (not wanted_checks or f.check in wanted_checks)
             and (not severity or SEVERITIES.index(f.severity) <= SEVERITIES.index(severity))
             and (not document or any(i.source_file == document for i in f.involves))
             and (show_dismissed or not statuses[f.iri].silenced)]
    items = []
    for f in shown:
        item = f.as_dict() | {"review": statuses[f.iri].as_dict()}
        urls().link(item["involves"], "iri")
        items.append(item)
    counts = {s: sum(1 for f in shown if f.severity == s) for s in SEVERITIES}
    data = {"counts": counts, "dismissed": dismissed,
            "filters": {"check": sorted(wanted_checks), "severity": severity, "document": document,
                        "dismissed": show_dismissed},
            "findings": items, "shacl": select(store(), SHACL_QUERY), "checked": checked(store())}
    if wants_json():
        return jsonify(data)
    return render_template("checks/report.html", **data, checks=checks, files=files, severities=SEVERITIES)
