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
    pathways_for,
    status_choices,
)

from .context import store, urls, wants_json

bp = Blueprint("pathways", __name__)
COLOURS = {"situation": "#2c7a7b", "step": "#e3a33b", "intervention": "#4f9a6a"}


def _situation(numeric: dict[str, dict]) -> dict:
    """Read the patient situation from the request: a condition, statuses, and a number per numeric criterion."""
    situation: dict = {"condition": request.args.get("condition") or None, "status": request.args.getlist("status")}
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


def _drawing(graph) -> dict:
    """Turn a networkx pathway into vis-network data with pyvis (directed, top to bottom)."""
    from pyvis.network import Network

    net = Network(directed=True)
    for node, attrs in graph.nodes(data=True):
        net.add_node(node, label=attrs["label"][:90], title=attrs["label"], color=COLOURS[attrs["kind"]],
                     # an intervention sits on its step's row, so the pathway reads top to bottom
                     shape="box", level=attrs["level"], path=urls().node(node) or "")
    for a, b, attrs in graph.edges(data=True):
        net.add_edge(a, b, label=attrs.get("label", ""), arrows="to")
    return {"nodes": net.nodes, "edges": net.edges}


@bp.route("/pathways")
@bp.route("/pathways.json", endpoint="page_json")
def page():
    """Show the pathways that fit the chosen patient situation."""
    numeric = numeric_criteria(store())
    situation = _situation(numeric)
    found = pathways_for(store(), situation)
    for p in found:
        urls().link(p["steps"], "statement")
        p["drawing"] = _drawing(pathway_graph(store(), p))
    if wants_json():
        return jsonify({"situation": situation, "pathways": found})
    return render_template("pathways/page.html", situation=situation, pathways=found, numeric=numeric,
                           conditions=condition_choices(store()), statuses=status_choices(store()))


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
