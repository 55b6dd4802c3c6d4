// Compare page: colour each graph by the status of its execution's states.
const data = JSON.parse(document.getElementById("compare-data")?.textContent || "null");

function colour(container, side) {
  if (!container || !side) return;
  for (const [state, status] of Object.entries(side.statuses)) {
    const id = side.nodes[state];
    // Both graphs share node ids: look each one up inside its own container.
    const node = id && container.querySelector(`[id="${CSS.escape(id)}"]`);
    if (node) node.classList.add("status-" + status);
  }
}

if (data) {
  colour(document.getElementById("graph-a"), data.a);
  colour(document.getElementById("graph-b"), data.b);
}
