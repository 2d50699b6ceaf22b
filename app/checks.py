"""The checks report: the build's findings, filterable, each linked to its statements; the SHACL report."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, jsonify, render_template, request
from rdflib import URIRef

from guidegraph.checks.reviews import status, stored_reviews
from guidegraph.checks.sparql import SEVERITIES, checked, findings, load_checks
from guidegraph.namespaces import ID
from guidegraph.views.pages import NotFound, parse_iri, select
from guidegraph.views.report import csv_rows, group_findings

from .context import store, urls, wants_json
from .labels import kind_label

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


def _chosen(found, statuses):
    """Return the findings the request's filters choose (check, severity at least, document, dismissed ones)."""
    show_dismissed = request.args.get("dismissed") in ("1", "true", "yes")
    checks = sorted({f.check for f in found})
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
    filters = {"check": sorted(wanted_checks), "severity": severity, "document": document, "dismissed": show_dismissed}
    return shown, filters


def _titles() -> dict[str, str]:
    """Return each check's title (the header of its saved query), by check name."""
    return {c.name: c.title for c in load_checks()}


@bp.route("/checks")
@bp.route("/checks.json", endpoint="report_json")
def report():
    """Show the findings, filtered by check, severity and document; dismissed ones on request."""
    found, statuses = _findings()
    shown, filters = _chosen(found, statuses)
    dismissed = sum(1 for s in statuses.values() if s.silenced)
    items = []
    for f in shown:
        item = f.as_dict() | {"review": statuses[f.iri].as_dict(), "path": urls().node(f.iri)}
        urls().link(item["involves"], "iri")
        items.append(item)
    counts = {s: sum(1 for f in shown if f.severity == s) for s in SEVERITIES}
    data = {"counts": counts, "dismissed": dismissed, "filters": filters,
            "findings": items, "shacl": select(store(), SHACL_QUERY), "checked": checked(store())}
    if wants_json():
        return jsonify(data)
    link_filters = {k: v for k, v in filters.items() if v}
    return render_template("checks/report.html", **data, groups=group_findings(items), titles=_titles(),
                           checks=sorted({f.check for f in found}),
                           files=sorted({i.source_file for f in found for i in f.involves if i.source_file}),
                           severities=SEVERITIES, csv_path=urls().checks_csv(**link_filters))


@bp.route("/checks.csv")
def report_csv():
    """Return the filtered findings as CSV, one row per finding and node it involves (as `guidegraph check`)."""
    found, statuses = _findings()
    shown, _ = _chosen(found, statuses)
    text = io.StringIO()
    csv.writer(text).writerows(csv_rows(shown))
    return Response(text.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="guidegraph-findings.csv"'})


ABOUT_QUERY = """
SELECT ?concept ?label WHERE {
  GRAPH <https://w3id.org/guidegraph/id/graph/findings> { ?finding gg:aboutConcept ?concept }
  OPTIONAL { ?concept skos:prefLabel ?label }
} ORDER BY ?label"""
RAW_QUERY = "SELECT ?raw WHERE { ?document gg:rawText ?raw }"
STATEMENT_PARTS_QUERY = """
SELECT ?what ?words WHERE {
  { ?node gg:population/gg:asWritten ?words BIND("population" AS ?what) }
  UNION { ?node gg:directive ?d . ?d gg:strength ?s ; gg:action/skos:prefLabel ?action .
          BIND(CONCAT(REPLACE(STRAFTER(STR(?s), "#strength"), "([a-z])([A-Z])", "$1 $2"), ": ", ?action) AS ?words)
          BIND("directive" AS ?what) }
} ORDER BY ?what ?words"""
CONTEXT = 160  # characters shown either side of a quote


@bp.route("/finding/<check>/<key>")
@bp.route("/finding/<check>/<key>.json", endpoint="finding_json")
def finding(check: str, key: str):
    """Show one finding: what it says, the check that made it, every node it involves in context, its review."""
    iri = str(parse_iri(f"{ID}finding/{check}/{key}", "the finding"))
    found, statuses = _findings()
    chosen = next((f for f in found if f.iri == iri), None)
    if chosen is None:
        raise NotFound(f"no finding <{iri}> in the store: the checks report lists every finding")
    about = select(store(), ABOUT_QUERY, finding=URIRef(iri))
    urls().link(about, "concept")
    raws: dict[str, str | None] = {}
    involves = []
    for i in chosen.involves:
        item = vars(i) | {"path": urls().node(i.iri), "label": kind_label(i.kind)}
        if i.document and i.start is not None:
            if i.document not in raws:
                rows = select(store(), RAW_QUERY, document=URIRef(i.document))
                raws[i.document] = rows[0]["raw"] if rows else None
            raw = raws[i.document]
            if raw is not None:
                item |= {"before": raw[max(0, i.start - CONTEXT):i.start], "after": raw[i.end:i.end + CONTEXT]}
            slug = i.document.rsplit("/", 1)[-1]
            # where the node is read in its document: a statement at its anchor, a marker or reference at its own
            item["inDocument"] = (urls().document(slug, anchor=f"statement-{i.start}") if i.kind == "Statement"
                                  else item["path"] if item["path"] and "#" in item["path"] else None)
        if i.kind == "Statement":
            parts = select(store(), STATEMENT_PARTS_QUERY, node=URIRef(i.iri))
            item["populations"] = [p["words"] for p in parts if p["what"] == "population"]
            item["directives"] = [p["words"] for p in parts if p["what"] == "directive"]
        involves.append(item)
    check_query = next((c for c in load_checks() if c.name == chosen.check), None)
    data = chosen.as_dict() | {
        "path": urls().node(iri), "involves": involves, "about": about,
        "checkTitle": check_query.title if check_query else chosen.check,
        "checkDescription": check_query.description if check_query else None,
        "review": statuses[iri].as_dict(),
        "reviewCommands": {"dismiss": f'guidegraph review {iri} --dismiss "REASON"',
                           "accept": f"guidegraph review {iri} --accept"},
        "report": urls().checks(check=chosen.check)}
    if wants_json():
        return jsonify(data)
    return render_template("checks/finding.html", **data)
