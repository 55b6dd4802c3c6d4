// A state machine's page (and its revisions): the graph pans, zooms and fits; a collapsed
// Map or Parallel (large definitions) opens when clicked (the server redraws it open).
import { zoomable } from "./graph_view.js";

zoomable(document.getElementById("graph"));

for (const node of document.querySelectorAll("#graph .node.collapsed")) {
  node.style.cursor = "pointer";
  node.setAttribute("tabindex", "0");
  const open = () => {
    const params = new URLSearchParams(location.search);
    const ids = new Set((params.get("expand") || "").split(",").filter(Boolean));
    ids.add(node.id);
    params.set("expand", [...ids].join(","));
    location.search = params.toString();
  };
  node.addEventListener("click", open);
  node.addEventListener("keydown", (event) => { if (event.key === "Enter") open(); });
}
