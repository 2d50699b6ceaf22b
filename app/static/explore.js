// The graph explorer: draws the network of #network-data, expands nodes from the URL in #network's data-expand
// (double-click, or "Expand" on the selected node; "Show more" pages past the per-node cap), fits and zooms on
// buttons, hides and pins nodes, and shows the selected node beside the canvas with a link to its page.
(function () {
  const data = JSON.parse(document.getElementById("network-data").textContent);
  const nodes = new vis.DataSet(data.nodes);
  const edges = new vis.DataSet(data.edges.map((e, i) => Object.assign({id: "e" + i}, e)));
  const canvas = document.getElementById("network");
  const network = new vis.Network(canvas, {nodes, edges}, {
    // a short stabilisation, then physics off: the layout settles within a second and stays still
    physics: {stabilization: {iterations: 120, fit: true}, barnesHut: {springLength: 180, gravitationalConstant: -5000},
              minVelocity: 2},
    edges: {font: {size: 9, color: "#5b6675"}, smooth: false},
    nodes: {font: {size: 11, color: "#1d2430"}, widthConstraint: {maximum: 200}},
    interaction: {hover: true},
  });
  let settled = 0;
  const settle = () => {
    network.setOptions({physics: false});
    network.fit({animation: false});
    // how many times the layout has come to rest: 1 after the first drawing, one more after each expansion
    document.body.dataset.settled = String(++settled);
  };
  network.once("stabilizationIterationsDone", settle);
  const params = new URLSearchParams(window.location.search);
  const filters = ["graph", "kind", "document"].flatMap(k => params.getAll(k).map(v => k + "=" + encodeURIComponent(v))).join("&");
  const message = document.getElementById("message");
  const panel = document.getElementById("selected");
  const offsets = {};  // how many neighbours of a node are shown, for "Show more"
  offsets[data.center] = data.truncated ? data.nodes.length - 1 : null;
  let current = null;

  function show(id) {
    current = id ? nodes.get(id) : null;
    panel.textContent = "";
    document.querySelectorAll("#node-actions button").forEach((b) => { b.disabled = !current; });
    if (!current) { panel.textContent = "Select a node."; return; }
    const title = document.createElement("h2");
    title.textContent = current.title;
    const facts = document.createElement("dl");
    [["kind", current.kind], ["IRI", current.id],
     ["links shown", String(network.getConnectedEdges(current.id).length)]].forEach(([k, v]) => {
      const dt = document.createElement("dt"); dt.textContent = k;
      const dd = document.createElement("dd"); dd.textContent = v;
      facts.append(dt, dd);
    });
    panel.append(title, facts);
    if (current.path) {
      const a = document.createElement("a");
      a.href = current.path;
      a.className = "open";
      a.textContent = "Open its page";
      panel.appendChild(a);
    }
    // "Show more" pages on from a node whose neighbours were cut at the cap
    document.getElementById("more").disabled = !offsets[current.id];
  }

  async function expand(id, offset) {
    const url = canvas.dataset.expand + "?node=" + encodeURIComponent(id) + "&have=" + nodes.length +
      "&offset=" + (offset || 0) + (filters ? "&" + filters : "");
    const reply = await (await fetch(url)).json();
    if (!reply.nodes) { message.textContent = reply.message || "this node cannot be expanded"; return; }
    const added = reply.nodes.filter(n => !nodes.get(n.id));
    nodes.add(added);
    reply.edges.forEach(e => {
      const key = e.from + " " + e.label + " " + e.to;
      if (!edges.get(key)) edges.add(Object.assign({id: key}, e));
    });
    offsets[id] = reply.truncated ? reply.next : null;
    message.textContent = reply.message || "";
    // the new nodes find their place, then everything stops and fits the canvas
    network.setOptions({physics: {enabled: true, stabilization: {iterations: 120}}});
    network.stabilize(120);
    network.once("stabilizationIterationsDone", settle);
    document.body.dataset.expanded = String(nodes.length);
    if (current && current.id === id) show(id);
  }

  network.on("click", (ev) => show(ev.nodes.length ? ev.nodes[0] : null));
  network.on("doubleClick", (ev) => { if (ev.nodes.length) expand(ev.nodes[0]); });
  const act = {
    fit: () => network.fit(),
    "zoom-in": () => network.moveTo({scale: network.getScale() * 1.25}),
    "zoom-out": () => network.moveTo({scale: network.getScale() * 0.8}),
    expand: () => current && expand(current.id),
    more: () => current && offsets[current.id] && expand(current.id, offsets[current.id]),
    pin: () => {
      if (!current) return;
      const fixed = !(nodes.get(current.id).fixed === true);
      nodes.update({id: current.id, fixed, borderWidth: fixed ? 3 : 1});
    },
    hide: () => {
      if (!current || current.id === data.center) return;
      nodes.remove(current.id);
      show(null);
    },
  };
  Object.entries(act).forEach(([name, fn]) => {
    const b = document.getElementById(name);
    if (b) b.addEventListener("click", fn);
  });
  show(null);
  // for keyboard users and tests: expand a node by its IRI; tell whether every node is drawn inside the canvas
  window.ggExpand = expand;
  window.ggFits = () => {
    const box = canvas.getBoundingClientRect();
    return Object.values(network.getPositions()).every((p) => {
      const at = network.canvasToDOM(p);
      return at.x >= 0 && at.y >= 0 && at.x <= box.width && at.y <= box.height;
    });
  };
  document.body.dataset.ready = "1";
})();
