"""Pathways: the ordered steps the documents recommend for a patient situation, drawn with networkx and pyvis."""
from __future__ import annotations

import math

from flask import Blueprint, abort, jsonify, render_template, request

from guidegraph.views.pathways import (NUMERIC, RANGES, cancer_choices, concept_choices, concept_path, pathway_graph,
                            pathways_for, status_choices)

from . import store, wants_json

bp = Blueprint("pathways", __name__)
COLOURS = {"situation": "#2c7a7b", "step": "#e3a33b", "intervention": "#4f9a6a"}


def _situation() -> dict:
    situation: dict = {"cancer": request.args.get("cancer") or None, "status": request.args.getlist("status")}
    for name in NUMERIC:
        value = request.args.get(name)
        if value not in (None, ""):
            situation[name] = _number(name, value)
    return situation


def _number(name: str, value: str) -> float:
    """Read one numeric criterion of the situation, refusing what its scale cannot hold."""
    low, high = RANGES[name]
    scale = f"from {low} to {high}" if high is not None else f"{low} or more"
    try:
        number = float(value)
    except ValueError:
        abort(400, f"{NUMERIC[name]} must be a number {scale}, not {value[:100]!r}")
    if not math.isfinite(number) or number < low or (high is not None and number > high):
        abort(400, f"{NUMERIC[name]} must be a number {scale}, not {value[:100]!r}")
    return number


def _drawing(graph) -> dict:
    """Turn a networkx pathway into vis-network data with pyvis (directed, top to bottom)."""
    from pyvis.network import Network

    net = Network(directed=True)
    for node, attrs in graph.nodes(data=True):
        net.add_node(node, label=attrs["label"][:90], title=attrs["label"], color=COLOURS[attrs["kind"]],
                     # an intervention sits on its step's row, so the pathway reads top to bottom
                     shape="box", level=attrs["level"],
                     path=attrs.get("path") or "")
    for a, b, attrs in graph.edges(data=True):
        net.add_edge(a, b, label=attrs.get("label", ""), arrows="to")
    return {"nodes": net.nodes, "edges": net.edges}


@bp.route("/pathways")
@bp.route("/pathways.json")
def page():
    """Show the pathways that fit the chosen patient situation."""
    situation = _situation()
    found = pathways_for(store(), situation)
    for p in found:
        p["drawing"] = _drawing(pathway_graph(store(), p))
    if wants_json():
        return jsonify({"situation": situation, "pathways": found})
    return render_template("pathways/page.html", situation=situation, pathways=found, numeric=NUMERIC,
                           cancers=cancer_choices(store()), statuses=status_choices(store()))


@bp.route("/pathways/path")
@bp.route("/pathways/path.json")
def path():
    """Show how two concepts connect through the statements that mention them."""
    start, goal = request.args.get("from", "SpinalInstability"), request.args.get("to", "Surgery")
    chain = concept_path(store(), start, goal)
    if wants_json():
        return jsonify({"from": start, "to": goal, "path": chain})
    return render_template("pathways/path.html", start=start, goal=goal, chain=chain, concepts=concept_choices(store()))
