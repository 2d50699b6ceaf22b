"""Pathways: the ordered steps the documents recommend for a patient situation, drawn with networkx and pyvis."""
from __future__ import annotations

import math

from flask import Blueprint, abort, jsonify, render_template, request

from guidegraph.views.pathways import (
    concept_choices,
    concept_path,
    condition_choices,
    numeric_criteria,
    pathway_graph,
    situation_report,
    status_choices,
)

from .context import store, urls, wants_json

bp = Blueprint("pathways", __name__)
COLOURS = {"situation": "#2c7a7b", "step": "#e3a33b", "intervention": "#4f9a6a", "excluded": "#d5d9de"}


def _situation(numeric: dict[str, dict]) -> dict:
    """Read the patient situation from the request: a condition, statuses, and a number per numeric criterion."""
    # an empty choice ("any") says nothing: it is not a status
    situation: dict = {"condition": request.args.get("condition") or None,
                       "status": [s for s in request.args.getlist("status") if s]}
    for name, criterion in numeric.items():
        value = request.args.get(name)
        if value not in (None, ""):
            situation[name] = _number(criterion, value)
    return situation


def _number(criterion: dict, value: str) -> float:
    """Read one numeric criterion of the situation, refusing what its scale (from the vocabulary) cannot hold."""
    low, high = criterion["min"], criterion["max"]
    if low is not None and high is not None:
        scale = f" from {low:g} to {high:g}"
    elif low is not None:
        scale = f" of {low:g} or more"
    elif high is not None:
        scale = f" of {high:g} or less"
    else:
        scale = ""
    if criterion["unit"]:
        scale += f" ({criterion['unit']})"
    message = f"{criterion['label']} must be a number{scale}, not {value[:100]!r}"
    try:
        number = float(value)
    except ValueError:
        abort(400, message)
    if not math.isfinite(number) or (low is not None and number < low) or (high is not None and number > high):
        abort(400, message)
    return number


ROW, BESIDE, STACK = 90, 380, 44  # pixels: between steps, from a step to what it gives, between those


def _drawing(graph) -> dict:
    """Turn a networkx pathway into vis-network data with pyvis, placed on the server.

    The steps stand in one column, top to bottom; what each step gives stands in a column to its
    right, stacked around the step's row, so no edge passes through another node and the
    interventions of one step never read as a sequence.
    """
    from pyvis.network import Network

    by_level: dict[int, list] = {}
    for node, attrs in graph.nodes(data=True):
        by_level.setdefault(attrs["level"], []).append((node, attrs))
    positions, y = {}, 0
    for level in sorted(by_level):
        column = [n for n, a in by_level[level] if a["kind"] not in ("intervention",)]
        beside = [n for n, a in by_level[level] if a["kind"] == "intervention"]
        for node in column:
            positions[node] = (0, y)
        for k, node in enumerate(beside):
            positions[node] = (BESIDE, y + (k - (len(beside) - 1) / 2) * STACK)
        y += max(ROW, len(beside) * STACK + 40)
    net = Network(directed=True)
    for node, attrs in graph.nodes(data=True):
        x, y = positions[node]
        net.add_node(node, label=attrs["label"], title=attrs["label"], color=COLOURS[attrs["kind"]],
                     shape="box", x=x, y=y, path=urls().node(node) or "")
    for a, b, attrs in graph.edges(data=True):
        # what a step gives hangs beside it, dashed and unlabelled, so it does not read as the next step
        gives = attrs.get("label") == "gives"
        net.add_edge(a, b, label="" if gives else attrs.get("label", ""), arrows="to", dashes=gives,
                     title=attrs.get("label", ""),
                     smooth={"type": "cubicBezier", "forceDirection": "horizontal"} if gives else False)
    return {"nodes": net.nodes, "edges": net.edges, "height": y}


@bp.route("/pathways")
@bp.route("/pathways.json", endpoint="page_json")
def page():
    """Show the pathways that fit the chosen patient situation."""
    numeric = numeric_criteria(store())
    situation = _situation(numeric)
    report = situation_report(store(), situation)
    for p in report["pathways"] + report["unsaid"]:
        urls().link(p["steps"], "statement")
        for step in p["steps"]:
            urls().link(step["safety"], "statement")
    for p in report["pathways"]:
        p["drawing"] = _drawing(pathway_graph(store(), p))
    urls().link(report["statements"], "statement")
    urls().link(report["safety"], "statement")
    if wants_json():
        return jsonify({"situation": situation, **report})
    return render_template("pathways/page.html", situation=situation, numeric=numeric, **report,
                           conditions=condition_choices(store()), status_groups=status_choices(store()))


@bp.route("/pathways/path")
@bp.route("/pathways/path.json", endpoint="path_json")
def path():
    """Show how two concepts connect through the statements that mention them."""
    start, goal = request.args.get("from") or None, request.args.get("to") or None
    chain = concept_path(store(), start, goal)
    urls().link(chain, "node")
    if wants_json():
        return jsonify({"from": start, "to": goal, "path": chain})
    return render_template("pathways/path.html", start=start, goal=goal, chain=chain, concepts=concept_choices(store()))
