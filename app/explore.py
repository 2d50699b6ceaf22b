"""The graph explorer: a pyvis network of a node's neighbourhood, expanded by click from a JSON endpoint."""
from __future__ import annotations

import urllib.parse

from flask import Blueprint, abort, current_app, jsonify, render_template, request

from guidegraph.namespaces import local_name
from guidegraph.views.explore import GRAPH_GROUPS, KINDS, default_start, describe, neighbours, start_node
from guidegraph.views.pages import select

from .context import store, urls, wants_json

bp = Blueprint("explore", __name__)

COLOURS = {"document": "#1f5f8b", "section": "#6c8ead", "statement": "#e3a33b", "concept": "#4f9a6a",
           "reference": "#8a6bb8", "marker": "#b8a1d9", "finding": "#c0392b", "pathway": "#2c7a7b",
           "step": "#57a6a7", "dose": "#c77d4a", "criterion": "#9aa84b", "mention": "#9fc7a9", "node": "#9aa3ad"}
MAX_WORDS = 200  # characters of the words the explorer can start from
INFERRED = "#7a3e9d"  # the colour of an inferred edge


def _options():
    graphs = tuple(g for g in request.args.getlist("graph") if g)
    unknown = [g for g in graphs if g not in GRAPH_GROUPS]
    if unknown:
        abort(400, f"graph={unknown[0][:100]!r} is not a graph the explorer shows: choose {', '.join(GRAPH_GROUPS)}")
    kinds = {k for k in request.args.getlist("kind") if k}
    unknown = sorted(kinds - set(KINDS.values()))
    if unknown:
        abort(400, f"kind={unknown[0][:100]!r} is not a node type: choose {', '.join(sorted(set(KINDS.values())))}")
    return graphs or ("asserted",), kinds or None, request.args.get("document") or None


def _is_iri(text: str) -> bool:
    """Tell an http(s) IRI (to be checked as one) from words to search for."""
    try:
        return urllib.parse.urlsplit(text).scheme in ("http", "https")
    except ValueError:
        return True


def _edge_style(edge: dict) -> dict:
    """Draw what the reasoner concluded dashed and coloured, what the findings say in red, the rest plain."""
    if edge.get("graph") == "inferred":
        return {"dashes": True, "color": INFERRED}
    if edge.get("graph") == "findings":
        return {"color": COLOURS["finding"]}
    return {}


def network(center: str, graphs, kinds, document=None) -> dict:
    """Build the starting network with pyvis: the node, its neighbours, the edges between them."""
    from pyvis.network import Network

    cap = current_app.config["LINK_CAP"]
    hood = neighbours(store(), center, graphs, kinds, link_cap=cap, document=document)
    start = describe(store(), [center])[center]
    # directed: an undirected pyvis network silently drops a second edge between two nodes
    net = Network(directed=True)
    for n in [start, *hood.nodes]:
        net.add_node(n["id"], label=n["label"], title=n["title"], kind=n["kind"], color=COLOURS.get(n["kind"]),
                     shape="box" if n["kind"] == "statement" else "dot", path=urls().node(n["id"]) or "")
    for e in hood.edges:
        net.add_edge(e["from"], e["to"], title=e["title"], label=e["label"], arrows="to", graph=e["graph"],
                     **_edge_style(e))
    return {"center": center, "nodes": net.nodes, "edges": net.edges, "truncated": hood.truncated,
            "neighbours": hood.total, "linkCap": cap, "nodeCap": current_app.config["MAX_NODES"],
            "graphs": list(graphs), "kinds": sorted(kinds) if kinds else [], "document": document}


@bp.route("/explore")
@bp.route("/explore.json", endpoint="page_json")
def page():
    """Show the explorer around a node (default: the first document by title)."""
    center = request.args.get("node", "").strip() or default_start(store())
    if center is None:
        abort(404, "the store holds no document to start exploring from: give node=<IRI> or words")
    if not _is_iri(center):
        # words, not an IRI: start from the concept or statement they name
        if len(center) > MAX_WORDS:
            abort(400, f"words to start from are limited to {MAX_WORDS} characters")
        found = start_node(store(), center)
        if found is None:
            abort(404, f"no concept or statement matches {center!r}")
        center = found
    graphs, kinds, document = _options()
    data = network(center, graphs, kinds, document)
    # a node the store says nothing of: no class, no label, no link
    if len(data["nodes"]) == 1 and data["nodes"][0]["kind"] == "node" and not data["edges"]:
        abort(404, f"nothing in the store is linked to <{center}>")
    if wants_json():
        return jsonify(data)
    slugs = [local_name(r["d"]) for r in select(store(), "SELECT ?d WHERE { ?d a gg:GuidelineDocument } ORDER BY ?d")]
    return render_template("explore/page.html", data=data, colours=COLOURS, all_kinds=sorted(set(KINDS.values())),
                           all_graphs=list(GRAPH_GROUPS), documents=slugs)


@bp.route("/explore/expand.json")
def expand():
    """Return the neighbours of one node, within the per-node and total caps."""
    node = request.args.get("node")
    if not node:
        abort(400, "expand needs node=<IRI>")
    counts = {}
    for name, what in (("have", "the number of nodes already shown"), ("offset", "the neighbours already shown")):
        text = request.args.get(name, "0")
        if not text.isascii() or not text.isdigit() or len(text) > 9:
            abort(400, f"{name} ({what}) must be a whole number, 0 or more")
        counts[name] = int(text)
    have, offset = counts["have"], counts["offset"]
    graphs, kinds, document = _options()
    room = current_app.config["MAX_NODES"] - have
    if room <= 0:
        return jsonify({"nodes": [], "edges": [], "truncated": True,
                        "message": f"the explorer shows at most {current_app.config['MAX_NODES']} nodes: "
                                   "start again from another node"})
    cap = min(current_app.config["LINK_CAP"], room)
    hood = neighbours(store(), node, graphs, kinds, link_cap=cap, document=document, offset=offset)
    for n in hood.nodes:
        n.update(color=COLOURS.get(n["kind"]), shape="box" if n["kind"] == "statement" else "dot",
                 path=urls().node(n["id"]))
    message = None
    if hood.truncated:
        message = f"showing {offset + len(hood.nodes)} of {hood.total} neighbours" + (
            f" (at most {current_app.config['LINK_CAP']} per node)" if cap == current_app.config["LINK_CAP"]
            else f" (the explorer's limit of {current_app.config['MAX_NODES']} nodes)")
    return jsonify({"nodes": hood.nodes, "edges": [e | {"arrows": "to"} | _edge_style(e) for e in hood.edges],
                    "truncated": hood.truncated, "total": hood.total, "message": message,
                    "next": offset + len(hood.nodes) if hood.truncated else None})
