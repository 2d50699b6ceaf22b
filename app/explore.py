"""The graph explorer: a pyvis network of a node's neighbourhood, expanded by click from a JSON endpoint."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, request

from graph.explore import GRAPH_GROUPS, KINDS, describe, neighbours, start_node

from . import store, wants_json

bp = Blueprint("explore", __name__)

COLOURS = {"document": "#1f5f8b", "section": "#6c8ead", "statement": "#e3a33b", "concept": "#4f9a6a",
           "reference": "#8a6bb8", "marker": "#b8a1d9", "finding": "#c0392b", "pathway": "#2c7a7b",
           "step": "#57a6a7", "dose": "#c77d4a", "criterion": "#9aa84b", "mention": "#9fc7a9", "node": "#9aa3ad"}
DEFAULT_NODE = "https://w3id.org/guidegraph/id/document/oracle-esophageal-cancer-bone-metastases"


def _options():
    graphs = tuple(g for g in request.args.getlist("graph") if g in GRAPH_GROUPS) or ("asserted",)
    kinds = {k for k in request.args.getlist("kind") if k in set(KINDS.values())} or None
    return graphs, kinds, request.args.get("document") or None


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
                     shape="box" if n["kind"] == "statement" else "dot", path=n["path"] or "")
    for e in hood.edges:
        net.add_edge(e["from"], e["to"], title=e["title"], label=e["label"], arrows="to")
    return {"center": center, "nodes": net.nodes, "edges": net.edges, "truncated": hood.truncated,
            "neighbours": hood.total, "linkCap": cap, "nodeCap": current_app.config["MAX_NODES"],
            "graphs": list(graphs), "kinds": sorted(kinds) if kinds else [], "document": document}


@bp.route("/explore")
@bp.route("/explore.json")
def page():
    """Show the explorer around a node (default: a document)."""
    center = request.args.get("node", DEFAULT_NODE).strip()
    if center and not center.startswith(("http://", "https://")):
        # words, not an IRI: start from the concept or statement they name
        found = start_node(store(), center)
        if found is None:
            abort(404, f"no concept or statement matches {center!r}")
        center = found
    graphs, kinds, document = _options()
    data = network(center, graphs, kinds, document)
    if len(data["nodes"]) == 1 and data["nodes"][0]["label"] == center.rsplit("/", 1)[-1] and not data["edges"]:
        abort(404, f"nothing in the store is linked to <{center}>")
    if wants_json():
        return jsonify(data)
    slugs = [r[0].rsplit("/", 1)[-1] for r in store().dataset().query("SELECT ?d WHERE { ?d a gg:GuidelineDocument } ORDER BY ?d")]
    return render_template("explore/page.html", data=data, colours=COLOURS, all_kinds=sorted(set(KINDS.values())),
                           all_graphs=list(GRAPH_GROUPS), documents=slugs)


@bp.route("/explore/expand.json")
def expand():
    """Return the neighbours of one node, within the per-node and total caps."""
    node = request.args.get("node")
    if not node:
        abort(400, "expand needs node=<IRI>")
    try:
        have = int(request.args.get("have", "0"))
    except ValueError:
        abort(400, "have must be a whole number")
    graphs, kinds, document = _options()
    room = current_app.config["MAX_NODES"] - have
    if room <= 0:
        return jsonify({"nodes": [], "edges": [], "truncated": True,
                        "message": f"the explorer shows at most {current_app.config['MAX_NODES']} nodes: "
                                   "start again from another node"})
    cap = min(current_app.config["LINK_CAP"], room)
    hood = neighbours(store(), node, graphs, kinds, link_cap=cap, document=document)
    for n in hood.nodes:
        n.update(color=COLOURS.get(n["kind"]), shape="box" if n["kind"] == "statement" else "dot")
    message = None
    if hood.truncated:
        message = f"showing {len(hood.nodes)} of {hood.total} neighbours" + (
            f" (at most {current_app.config['LINK_CAP']} per node)" if cap == current_app.config["LINK_CAP"]
            else f" (the explorer's limit of {current_app.config['MAX_NODES']} nodes)")
    return jsonify({"nodes": hood.nodes, "edges": [e | {"arrows": "to"} for e in hood.edges],
                    "truncated": hood.truncated, "total": hood.total, "message": message})
