/* Draws a Stakeholder Graph view: reads the page's JSON data, builds a vis-network,
 * and exposes window.sgraph = {network, nodeCount, drawnNodeCount(), stabilized, ...}.
 * No inline script or style is needed, so pages run under a strict CSP. */
(function () {
  "use strict";
  var container = document.getElementById("sg-network");
  var data = JSON.parse(document.getElementById("sg-data").textContent);
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  var state = {
    network: network,
    nodeCount: nodes.length,
    edgeCount: edges.length,
    stabilized: false,
    startedAt: window.performance.now(),
    stabilizedAt: null,
    drawnNodeCount: function () { return network.body.nodeIndices.length; },
    drawnEdgeCount: function () { return network.body.edgeIndices.length; }
  };
  window.sgraph = state;

  function settle() {
    if (state.stabilized) { return; }
    state.stabilized = true;
    state.stabilizedAt = window.performance.now();
    network.setOptions({ physics: { enabled: false } });
    container.setAttribute("data-state", "stabilized");
    document.dispatchEvent(new CustomEvent("sgraph:stabilized", { detail: state }));
  }
  network.once("stabilizationIterationsDone", settle);
  network.once("stabilized", settle);
  if (nodes.length === 0) { settle(); }

  /* White background, so a PNG export is not transparent. */
  network.on("beforeDrawing", function (ctx) {
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    ctx.restore();
  });

  var png = document.getElementById("sg-png");
  if (png) {
    png.addEventListener("click", function () {
      var canvas = container.getElementsByTagName("canvas")[0];
      var link = document.createElement("a");
      link.href = canvas.toDataURL("image/png");
      link.download = (container.getAttribute("data-view") || "view") + ".png";
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  }
})();
