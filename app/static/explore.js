// The graph explorer: draws the network of #network-data and expands nodes from the URL in #network's data-expand.
(function () {
  const data = JSON.parse(document.getElementById("network-data").textContent);
  const nodes = new vis.DataSet(data.nodes);
  const edges = new vis.DataSet(data.edges.map((e, i) => Object.assign({id: "e" + i}, e)));
  const canvas = document.getElementById("network");
  const network = new vis.Network(canvas, {nodes, edges}, {
    physics: {stabilization: {iterations: 200}, barnesHut: {springLength: 220, gravitationalConstant: -6000}},
    edges: {font: {size: 9, color: "#5b6675"}, smooth: false},
    nodes: {font: {size: 11, color: "#1d2430"}, widthConstraint: {maximum: 200}},
    interaction: {hover: true},
  });
  const params = new URLSearchParams(window.location.search);
  const filters = ["graph", "kind", "document"].flatMap(k => params.getAll(k).map(v => k + "=" + encodeURIComponent(v))).join("&");
  const message = document.getElementById("message");
  const selected = document.getElementById("selected");
  network.on("click", (ev) => {
    if (!ev.nodes.length) return;
    const n = nodes.get(ev.nodes[0]);
    selected.textContent = "";
    const a = document.createElement(n.path ? "a" : "span");
    if (n.path) a.href = n.path;
    a.textContent = n.title + (n.path ? " — open its page" : "");
    selected.appendChild(a);
  });
  async function expand(id) {
    const url = canvas.dataset.expand + "?node=" + encodeURIComponent(id) + "&have=" + nodes.length + (filters ? "&" + filters : "");
    const reply = await (await fetch(url)).json();
    if (!reply.nodes) { message.textContent = reply.message || "this node cannot be expanded"; return; }
    reply.nodes.forEach(n => { if (!nodes.get(n.id)) nodes.add(n); });
    reply.edges.forEach(e => {
      const id = e.from + " " + e.label + " " + e.to;
      if (!edges.get(id)) edges.add(Object.assign({id}, e));
    });
    message.textContent = reply.message || "";
    document.body.dataset.expanded = String(nodes.length);
  }
  network.on("doubleClick", (ev) => { if (ev.nodes.length) expand(ev.nodes[0]); });
  // for keyboard users and tests: expand a node by its IRI
  window.ggExpand = expand;
  document.body.dataset.ready = "1";
})();
