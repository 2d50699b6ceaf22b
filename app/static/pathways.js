// The pathways page: draws each pathway of its #data-N block top to bottom; double-click opens a step.
document.querySelectorAll(".pathway-graph").forEach((el) => {
  const data = JSON.parse(document.getElementById(el.id.replace("graph", "data")).textContent);
  const nodes = new vis.DataSet(data.nodes);
  // tall enough for the pathway at its own size, within reason (set from script: the CSP forbids style attributes)
  if (data.height) el.style.height = Math.max(220, Math.min(720, data.height + 60)) + "px";
  const network = new vis.Network(el, {nodes, edges: new vis.DataSet(data.edges)}, {
    // the server places every node (steps in a column, what they give beside them): nothing moves
    physics: false, edges: {font: {size: 10, align: "horizontal", background: "#ffffff"}},
    nodes: {font: {size: 13}, widthConstraint: {maximum: 260}},
    // the mouse wheel scrolls the page; the picture zooms with the buttons below it
    interaction: {zoomView: false},
  });
  const bar = document.createElement("div");
  bar.className = "graph-buttons";
  [["+", 1.25], ["−", 0.8], ["Fit", 0]].forEach(([text, factor]) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = text;
    button.addEventListener("click", () => {
      if (!factor) network.fit();
      else network.moveTo({scale: network.getScale() * factor});
    });
    bar.appendChild(button);
  });
  el.after(bar);
  network.once("afterDrawing", () => network.fit());
  network.on("doubleClick", (ev) => { const n = ev.nodes.length && nodes.get(ev.nodes[0]); if (n && n.path) window.location = n.path; });
});
document.body.dataset.ready = "1";
