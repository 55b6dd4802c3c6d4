// A Map state's items by status, from the execution's MapIteration* events: a line for the
// step panel, and numbers drawn into the graph beside each Map node (text only).

const COUNTED = { MapIterationSucceeded: "succeeded", MapIterationFailed: "failed", MapIterationAborted: "aborted" };
const COUNT_LABELS = [["succeeded", "✓"], ["failed", "✗"], ["running", "▶"], ["aborted", "■"]];
const SVG = "http://www.w3.org/2000/svg";

// {Map state name: {total, running, succeeded, failed, aborted}}
export function mapCounts(events) {
  const counts = {};
  for (const event of events) countItem(counts, event);
  return counts;
}

// Add one event to the counts (the live page counts each event once, as it arrives).
export function countItem(counts, event) {
  if (!event.type.startsWith("MapIteration")) return;
  const c = (counts[event.state] ||= { total: 0, running: 0, succeeded: 0, failed: 0, aborted: 0 });
  if (event.type === "MapIterationStarted") { c.total += 1; c.running += 1; return; }
  const kind = COUNTED[event.type];
  if (kind) { c[kind] += 1; c.running -= 1; }
}

export function itemSummary(c) {
  const line = document.createElement("p");
  line.className = "map-items";
  line.textContent = `Items: ${c.total}`;
  for (const [kind] of COUNT_LABELS) {
    if (!c[kind]) continue;
    const badge = document.createElement("span");
    badge.className = `badge status-${kind}`;
    badge.textContent = `${c[kind]} ${kind}`;
    line.append(" · ", badge);
  }
  return line;
}

// Beside each Map node of the graph: its items by status.
export function drawMapCounts(counts, nodes) {
  for (const [name, c] of Object.entries(counts)) {
    const node = document.getElementById(nodes[name]);
    if (!node) continue;
    let label = node.querySelector("text.map-counts");
    if (!label) {
      const box = node.getBBox();
      label = document.createElementNS(SVG, "text");
      label.setAttribute("class", "map-counts");
      label.setAttribute("x", String(box.x + box.width + 4));
      label.setAttribute("y", String(box.y + box.height / 2 + 3));
      node.append(label);
    }
    const parts = COUNT_LABELS.filter(([kind]) => c[kind]).map(([kind, mark]) => {
      const span = document.createElementNS(SVG, "tspan");
      span.setAttribute("class", `count-${kind}`);
      span.textContent = `${mark}${c[kind]} `;
      return span;
    });
    label.replaceChildren(...parts);
  }
}
