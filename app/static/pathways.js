// The pathways page: draws each pathway of its #data-N block top to bottom; double-click opens a step.
document.querySelectorAll(".pathway-graph").forEach((el) => {
  const data = JSON.parse(document.getElementById(el.id.replace("graph", "data")).textContent);
  const nodes = new vis.DataSet(data.nodes);
  const network = new vis.Network(el, {nodes, edges: new vis.DataSet(data.edges)}, {
    layout: {hierarchical: {direction: "UD", sortMethod: "directed", levelSeparation: 75, nodeSpacing: 200}},
    physics: false, edges: {font: {size: 10}}, nodes: {font: {size: 13}, widthConstraint: {maximum: 260}},
  });
  network.on("doubleClick", (ev) => { const n = ev.nodes.length && nodes.get(ev.nodes[0]); if (n && n.path) window.location = n.path; });
});
document.body.dataset.ready = "1";
