// The execution's timeline: one bar per visit of a state, placed on a shared time axis;
// Map iterations grouped under their Map (open a group to see each iteration); the time a
// visit spent waiting (a Wait state, a retry's backoff, a task waiting for its callback) is
// drawn hatched, the work solid. Zoom with the buttons or Ctrl + wheel; the box scrolls.
// Names are inserted as text.

import { duration } from "./format.js";

const el = (tag, text, cls) => {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  if (cls) node.className = cls;
  return node;
};

// [from, to, kind] pieces of one visit, kind "work" or "wait": after a failure (the backoff
// before a retry) and after a task was submitted (waiting for its callback) it waits; a
// scheduled or started task works again.
function pieces(visit, end) {
  if (visit.type === "Wait") return [[visit.entered.timestamp, end, "wait"]];
  const out = [];
  let at = visit.entered.timestamp;
  let kind = "work";
  for (const event of visit.events.slice(1)) {
    let next = kind;
    if (/(Failed|TimedOut|Submitted)$/.test(event.type)) next = "wait";
    else if (/(Scheduled|Started|Succeeded|StateExited)$/.test(event.type)) next = "work";
    if (next === kind) continue;
    out.push([at, event.timestamp, kind]);
    at = event.timestamp;
    kind = next;
  }
  out.push([at, end, kind]);
  return out.filter(([from, to]) => to > from);
}

export class Timeline {
  constructor(box, { onSelect }) {
    this.box = box;
    this.onSelect = onSelect;
    this.scale = 1; // zoom factor over "fit the box"
    this.open = new Set(); // groups the user opened
    this.tools = el("div", undefined, "timeline-tools");
    const zoom = (factor) => { this.scale = Math.max(1, Math.min(200, this.scale * factor)); this.draw(); };
    for (const [label, title, action] of [["+", "Zoom in", () => zoom(1.5)], ["−", "Zoom out", () => zoom(1 / 1.5)],
      ["Fit", "Fit the whole run", () => { this.scale = 1; this.draw(); }]]) {
      const b = el("button", label, "button graph-tool");
      Object.assign(b, { type: "button", title });
      b.setAttribute("aria-label", `Timeline: ${title}`);
      b.addEventListener("click", action);
      this.tools.append(b);
    }
    this.tools.append(el("span", "Hatched: waiting (Wait, retry backoff, callback)", "muted graph-hint"));
    this.area = el("div", undefined, "timeline-area");
    box.replaceChildren(this.tools, this.area);
    this.area.addEventListener("wheel", (event) => {
      if (!(event.ctrlKey || event.metaKey)) return;
      event.preventDefault();
      zoom(event.deltaY < 0 ? 1.25 : 0.8);
    }, { passive: false });
  }

  // visits: from execution.js (state, iteration, type, entered, exited, events, status)
  update(visits, { start, end, selected }) {
    this.visits = visits;
    this.start = start;
    this.end = Math.max(end, start + 0.001);
    this.selected = selected;
    this.draw();
  }

  x(t) {
    return ((t - this.start) / (this.end - this.start)) * this.width;
  }

  draw() {
    if (!this.visits || this.box.hidden) return;
    this.width = Math.max(200, (this.area.clientWidth - 190) * this.scale);
    const rows = [this.axis()];
    for (const item of this.grouped()) {
      if (item.group) rows.push(this.groupRow(item));
      if (!item.group || this.open.has(item.group)) rows.push(...item.visits.map((v) => this.visitRow(v, Boolean(item.group))));
    }
    this.area.replaceChildren(...rows);
  }

  // Top-level visits in order; the visits inside Map iterations gathered under their Map.
  grouped() {
    const items = [];
    const groups = new Map();
    for (const visit of this.visits) {
      const group = visit.iteration ? visit.iteration.split(" #")[0] : null;
      if (!group) { items.push({ group: null, visits: [visit] }); continue; }
      if (!groups.has(group)) { groups.set(group, { group, visits: [] }); items.push(groups.get(group)); }
      groups.get(group).visits.push(visit);
    }
    return items;
  }

  axis() {
    const row = el("div", undefined, "timeline-row timeline-axis");
    row.append(el("span", "", "timeline-label"));
    const track = el("div", undefined, "timeline-track");
    track.style.width = `${this.width}px`;
    const span = (this.end - this.start) * 1000;
    for (let i = 0; i <= 4; i++) {
      const tick = el("span", duration((span * i) / 4), "timeline-tick");
      tick.style.left = `${(this.width * i) / 4}px`;
      track.append(tick);
    }
    row.append(track);
    return row;
  }

  visitEnd(visit) {
    return visit.exited ? visit.exited.timestamp : visit.status === "in-progress" ? this.end : visit.events.at(-1).timestamp;
  }

  visitRow(visit, nested) {
    const row = el("div", undefined, `timeline-row${nested ? " nested" : ""}`);
    if (visit.state === this.selected) row.classList.add("selected");
    const name = visit.state + (visit.iteration ? ` (${visit.iteration.split(" / ").at(-1)})` : "");
    row.append(el("span", name, "timeline-label"));
    const track = el("div", undefined, "timeline-track");
    track.style.width = `${this.width}px`;
    const end = this.visitEnd(visit);
    const bar = el("button", undefined, `timeline-bar status-${visit.status}`);
    bar.type = "button";
    bar.style.left = `${this.x(visit.entered.timestamp)}px`;
    bar.style.width = `${Math.max(2, this.x(end) - this.x(visit.entered.timestamp))}px`;
    bar.title = `${name}: ${duration((end - visit.entered.timestamp) * 1000)} (${visit.status})`;
    for (const [from, to, kind] of pieces(visit, end)) {
      const piece = el("span", undefined, `timeline-piece ${kind}`);
      piece.style.left = `${this.x(from) - this.x(visit.entered.timestamp)}px`;
      piece.style.width = `${Math.max(1, this.x(to) - this.x(from))}px`;
      bar.append(piece);
    }
    bar.addEventListener("click", () => this.onSelect(visit.state, visit.entered.id));
    track.append(bar);
    row.append(track);
    return row;
  }

  groupRow(item) {
    const row = el("div", undefined, "timeline-row timeline-group");
    const iterations = new Set(item.visits.map((v) => v.iteration)).size;
    const toggle = el("button", `${this.open.has(item.group) ? "▾" : "▸"} ${item.group}: ${iterations} iterations`,
      "timeline-label timeline-toggle");
    toggle.type = "button";
    toggle.addEventListener("click", () => {
      if (this.open.has(item.group)) this.open.delete(item.group); else this.open.add(item.group);
      this.draw();
    });
    const track = el("div", undefined, "timeline-track");
    track.style.width = `${this.width}px`;
    const from = Math.min(...item.visits.map((v) => v.entered.timestamp));
    const to = Math.max(...item.visits.map((v) => this.visitEnd(v)));
    const failed = item.visits.some((v) => v.status === "failed");
    const bar = el("span", undefined, `timeline-bar group status-${failed ? "failed" : "succeeded"}`);
    bar.style.left = `${this.x(from)}px`;
    bar.style.width = `${Math.max(2, this.x(to) - this.x(from))}px`;
    bar.title = `${item.group}: ${iterations} iterations in ${duration((to - from) * 1000)}`;
    track.append(bar);
    row.append(toggle, track);
    return row;
  }
}
