// The execution page: the graph coloured by step status, a table of steps (one row per
// visit of a state; Map iterations apart), the paged event history, and a step panel.
// Selecting a state in any of them highlights it in the others. The page follows the
// execution over a websocket and, on reconnect, asks for what it missed (after=lastId);
// each message carries only new events and the states and visits whose status changed
// (decided on the server), and each event is read once into the visits and Map item
// counts the tables and graph draw from.
// The graph pans and zooms (graph_view.js); the selected state is kept in the address
// (?state=Name&visit=ID) so it can be shared; a Map node counts its items by status.
// Every user-supplied string is inserted as text.

import { zoomable } from "./graph_view.js";
import { jsonViewer } from "./json_view.js";
import { duration, localTime, utcTitle } from "./format.js";
import { countItem, drawMapCounts, itemSummary } from "./map_counts.js";
import { liveSocket } from "./live_socket.js";
import { callbackActions, tickTimers, timerLine } from "./step_actions.js";
import { Timeline } from "./timeline.js";

const script = document.getElementById("execution-script");
const pk = script.dataset.pk;
const data = JSON.parse(document.getElementById("execution-data").textContent);
const nodes = data.nodes; // state name -> node id
const stateByNode = Object.fromEntries(Object.entries(nodes).map(([name, id]) => [id, name]));
const STATUS_CLASSES = ["status-in-progress", "status-succeeded", "status-failed", "status-caught", "status-cancelled"];
const PAGE = 100;
const callbackForms = {
  urlOf: (id, action) => script.dataset.callbackUrl.replace("/0/approve", `/${id}/${action}`),
  csrf: document.querySelector("#csrf-holder input[name=csrfmiddlewaretoken]"),
};
const events = [];
let status = data.status;
let statuses = {}; // state name -> status
const visitStatuses = {}; // id of a visit's *StateEntered event -> status
let lastId = 0;
let selected = null;
let chosenVisit = null; // id of the *StateEntered event that opened the chosen visit
let newestFirst = false;
let page = 0;
let tokens = {}; // state name -> open task tokens [{id, since}]
let timers = {}; // state name -> pending timers [{purpose, due}] (when a Wait fires, a retry runs)

const el = (tag, text, cls) => {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  if (cls) node.className = cls;
  return node;
};

function parseMaybe(value) {
  if (typeof value !== "string") return value;
  try { return JSON.parse(value); } catch { return value; }
}

const elapsed = (ts) => (events.length ? "+" + duration((ts - events[0].timestamp) * 1000) : "");

function timeCell(ts) {
  const cell = el("td", elapsed(ts));
  cell.title = `${localTime(new Date(ts * 1000), true)} (${utcTitle(new Date(ts * 1000))})`;
  return cell;
}

// ---------------------------------------------------------------- visits (steps table)

// Kept as events arrive (each event is read once): every visit so far, in order, and the
// open ones by state and Map iteration.
const allVisits = [];
const openVisits = new Map();
const itemCounts = {}; // Map state name -> its items by status (map_counts.js)

function addEvent(event) {
  events.push(event);
  lastId = event.id;
  countItem(itemCounts, event);
  if (!event.state) return;
  const key = event.state + "\u0000" + event.iteration;
  if (event.type.endsWith("StateEntered")) {
    const visit = { state: event.state, iteration: event.iteration, type: event.type.replace("StateEntered", ""),
      entered: event, exited: null, failures: [], scheduled: [], events: [event] };
    openVisits.set(key, visit);
    allVisits.push(visit);
    return;
  }
  const visit = openVisits.get(key);
  if (!visit) return;
  visit.events.push(event);
  if (event.type.match(/(Failed|TimedOut)$/) && !event.type.startsWith("MapIteration")) visit.failures.push(event);
  if (event.type.endsWith("Scheduled")) visit.scheduled.push(event);
  if (event.type.endsWith("StateExited")) { visit.exited = event; openVisits.delete(key); }
}

const visits = () => allVisits;

// Decided on the server (console/history.py), sent as they change: {visit id: status}.
const visitStatus = (visit) => visitStatuses[visit.entered.id] || "in-progress";

function renderSteps() {
  const body = document.querySelector("#steps tbody");
  const rows = visits().map((visit) => {
    const row = el("tr");
    row.dataset.state = visit.state;
    if (visit.state === selected) row.classList.add("selected");
    const stepStatus = visitStatus(visit);
    const end = visit.exited ? visit.exited.timestamp : null;
    row.append(
      el("td", visit.state + (visit.iteration ? ` (${visit.iteration})` : "")),
      el("td", visit.type),
      statusCell(stepStatus),
      timeCell(visit.entered.timestamp),
      el("td", end === null ? "—" : duration((end - visit.entered.timestamp) * 1000)),
      el("td", String(Math.max(0, visit.scheduled.length - 1))),
    );
    row.addEventListener("click", () => select(visit.state, visit.entered.id));
    return row;
  });
  body.replaceChildren(...rows);
}

function statusCell(value) {
  const td = el("td");
  td.append(el("span", value, "badge status-" + value));
  return td;
}

// ---------------------------------------------------------------- timeline tab

const timeline = new Timeline(document.getElementById("timeline"), { onSelect: (name, id) => select(name, id) });

function renderTimeline() {
  if (document.getElementById("timeline").hidden || !events.length) return;
  const last = events.at(-1).timestamp;
  timeline.update(visits().map((v) => ({ ...v, status: visitStatus(v) })), {
    start: events[0].timestamp,
    end: status === "RUNNING" ? Math.max(last, Date.now() / 1000) : last,
    selected,
  });
}

function showTab(name) {
  const onTimeline = name === "timeline";
  document.getElementById("timeline").hidden = !onTimeline;
  document.getElementById("steps-box").hidden = onTimeline;
  document.getElementById("tab-timeline").setAttribute("aria-selected", String(onTimeline));
  document.getElementById("tab-steps").setAttribute("aria-selected", String(!onTimeline));
  const params = new URLSearchParams(location.search);
  if (onTimeline) params.set("tab", "timeline"); else params.delete("tab");
  history.replaceState(null, "", `${location.pathname}${params.size ? "?" + params : ""}`);
  renderTimeline();
}

// ---------------------------------------------------------------- events table

function renderEvents() {
  const ordered = newestFirst ? [...events].reverse() : events;
  const pages = Math.max(1, Math.ceil(ordered.length / PAGE));
  page = Math.min(page, pages - 1);
  const rows = ordered.slice(page * PAGE, (page + 1) * PAGE).map(eventRow);
  document.querySelector("#events tbody").replaceChildren(...rows);
  document.getElementById("event-count").textContent = `(${events.length})`;
  document.getElementById("event-page").textContent = `page ${page + 1} of ${pages}`;
  document.getElementById("event-prev").disabled = page === 0;
  document.getElementById("event-next").disabled = page >= pages - 1;
}

function eventRow(event) {
  const row = el("tr", undefined, "event type-" + (event.type.match(/(Failed|TimedOut|Aborted)$/) ? "bad" : "ok"));
  if (event.state && event.state === selected) row.classList.add("selected");
  const details = el("td");
  if (event.details) {
    const box = el("details");
    box.append(el("summary", summarise(event.details)));
    const expand = (d) => JSON.stringify(Object.fromEntries(Object.entries(d).map(([k, v]) => [k, parseMaybe(v)])));
    const full = event.cut ? async () => expand(await eventDetails(event.id)) : null;
    const size = event.cut ? Object.values(event.cut).reduce((a, b) => a + b, 0) : 0;
    // Drawn when first opened: a page of a hundred events holds no viewers until asked.
    box.addEventListener("toggle", () => {
      if (box.open && box.children.length === 1) box.append(jsonViewer(expand(event.details), { full, size }));
    });
    details.append(box);
  }
  const stateCell = el("td", event.state + (event.iteration ? ` (${event.iteration})` : ""));
  if (event.state) stateCell.addEventListener("click", () => select(event.state));
  row.append(el("td", String(event.id)), el("td", event.type, "event-type"), stateCell,
    timeCell(event.timestamp), details);
  return row;
}

function summarise(details) {
  if (details.error) return details.error + (details.cause ? ": " + String(details.cause).slice(0, 80) : "");
  if (details.resource) return details.resource;
  return Object.keys(details).filter((k) => !k.endsWith("Details")).join(", ");
}

// ---------------------------------------------------------------- selection and step panel

function select(name, visitId = null) {
  if (!(name in nodes)) return;
  selected = name;
  chosenVisit = visitId;
  document.querySelectorAll("#graph .node.selected").forEach((n) => n.classList.remove("selected"));
  const node = document.getElementById(nodes[name]);
  node?.classList.add("selected");
  graphView?.reveal(node);
  remember();
  renderSteps();
  renderTimeline();
  renderEvents();
  renderPanel();
  // One column (phones): the panel is below the tables, so bring it to the reader.
  if (window.matchMedia("(max-width: 900px)").matches) document.getElementById("step-panel").scrollIntoView();
}

// The address says which state (and visit) is open, for a link that opens it again.
function remember() {
  const params = new URLSearchParams(location.search);
  params.set("state", selected);
  if (chosenVisit) params.set("visit", String(chosenVisit)); else params.delete("visit");
  history.replaceState(null, "", `${location.pathname}?${params}`);
}

function block(title, text) {
  const box = el("div");
  box.append(el("h3", title), el("pre", text, "json"));
  return box;
}

// The page holds only the start of long texts (history.PREVIEW_CHARS); the rest on demand.
async function eventDetails(id) {
  const response = await fetch(script.dataset.eventUrl.replace(/\/0$/, `/${id}`));
  return response.json();
}

const asText = (value) => (typeof value === "string" ? value : JSON.stringify(value));

function viewerBlock(title, text, options = {}) {
  const box = el("div", undefined, "payload");
  box.append(el("h3", title), jsonViewer(text, options));
  return box;
}

// A field of an event's details (input, output, parameters) in a viewer.
function payloadBlock(title, event, key) {
  const size = event?.cut?.[key];
  const full = size ? async () => asText((await eventDetails(event.id))[key]) : null;
  return viewerBlock(title, asText(event?.details?.[key] ?? ""), { full, size });
}

// Server-rendered payloads (the execution's input and output) become viewers too.
function viewFacts() {
  for (const pre of document.querySelectorAll("#facts-box pre[data-viewer]")) {
    const size = Number(pre.dataset.size);
    const cut = size > pre.textContent.length;
    const full = cut ? async () => (await fetch(pre.dataset.fullUrl)).text() : null;
    pre.hidden = true;
    pre.after(jsonViewer(pre.textContent, { full, size }));
  }
}

function renderPanel() {
  if (!selected) return;
  document.getElementById("step-hint").hidden = true;
  const box = document.getElementById("step-details");
  const mine = visits().filter((v) => v.state === selected);
  box.replaceChildren(el("h3", selected, "step-name"));
  const state = statuses[selected] || "not reached";
  box.append(el("span", state, "badge status-" + state.replace(" ", "-")));
  const visit = mine.find((v) => v.entered.id === chosenVisit) || mine.at(-1);
  const items = itemCounts[selected];
  if (items) box.append(itemSummary(items));
  if (document.getElementById(nodes[selected])?.classList.contains("collapsed")) box.append(expandButton(nodes[selected]));
  if (mine.length > 1) box.append(visitChooser(mine, visit));
  if (visit) describeVisit(box, visit);
  for (const timer of timers[selected] || []) box.append(timerLine(timer));
  tickTimers(document.getElementById("step-details"));
  for (const token of tokens[selected] || []) box.append(callbackActions(token, callbackForms));
  const definition = data.definitions[selected];
  if (definition) box.append(viewerBlock("Definition", JSON.stringify(definition)));
}

function visitChooser(mine, shown) {
  const label = el("label", "Visit ", "visit-label");
  const chooser = el("select");
  chooser.id = "visit-chooser";
  mine.forEach((v, i) => {
    const option = el("option", `${i + 1}${v.iteration ? " · " + v.iteration : ""} · ${visitStatus(v)}`);
    option.value = String(v.entered.id);
    option.selected = v === shown;
    chooser.append(option);
  });
  chooser.addEventListener("change", () => { chosenVisit = Number(chooser.value); remember(); renderPanel(); });
  label.append(chooser);
  return label;
}

function describeVisit(box, visit) {
  if (visit.scheduled.length > 1) box.append(block("Retries", String(visit.scheduled.length - 1)));
  box.append(payloadBlock("Input", visit.entered, "input"));
  const scheduled = visit.scheduled.at(-1);
  if (scheduled?.details?.parameters) box.append(payloadBlock("Parameters", scheduled, "parameters"));
  if (visit.exited) box.append(payloadBlock("Output", visit.exited, "output"));
  for (const failure of visit.failures) {
    const d = failure.details || {};
    box.append(block(`${failure.type} (event ${failure.id})`, [d.error, d.cause].filter(Boolean).join("\n\n")));
  }
}

// ---------------------------------------------------------------- live updates

const END_STATUS = { SUCCEEDED: "succeeded", FAILED: "failed", TIMED_OUT: "failed", ABORTED: "cancelled" };

function colour(node, value) {
  if (!node) return;
  node.classList.remove(...STATUS_CLASSES);
  if (value) node.classList.add("status-" + value);
}

function applyStatuses() {
  for (const [name, id] of Object.entries(nodes)) colour(document.getElementById(id), statuses[name]);
  colour(document.getElementById("start"), events.length ? "succeeded" : null);
  colour(document.getElementById("end"), END_STATUS[status]);
}

async function refreshFacts() {
  const box = document.getElementById("facts-box");
  const response = await fetch(box.dataset.url);
  if (response.ok) {
    box.innerHTML = await response.text(); // server-rendered, escaped by Django
    viewFacts();
  }
  if (status !== "RUNNING") document.getElementById("stop-box")?.remove();
}

// The page may have opened while the execution ran: offer Redrive once it can be redriven,
// and stop saying "live" once nothing more will happen.
function settle() {
  const redrivable = (script.dataset.redrivable || "").split(",");
  const redrive = document.getElementById("redrive-form");
  if (redrive) redrive.hidden = !redrivable.includes(status);
  if (status === "RUNNING") return;
  document.getElementById("live-indicator").textContent = "";
  if (socket) socket.close();
}

function update(message) {
  for (const event of message.events) {
    if (event.id > lastId) addEvent(event);
  }
  Object.assign(statuses, message.statuses); // the states whose status changed
  Object.assign(visitStatuses, message.visits);
  const tokensChanged = JSON.stringify(tokens) !== JSON.stringify(message.tokens || {});
  tokens = message.tokens || {};
  const timersChanged = JSON.stringify(timers) !== JSON.stringify(message.timers || {});
  timers = message.timers || {};
  const ended = message.status !== status;
  status = message.status;
  applyStatuses();
  drawMapCounts(itemCounts, nodes);
  renderSteps();
  renderTimeline();
  renderEvents();
  // Keep a half-typed answer: redraw the panel for new tokens, not for every event.
  if (tokensChanged || timersChanged || !document.querySelector("#step-details .callback-actions")) renderPanel();
  tickTimers(document.getElementById("step-details"));
  if (ended) { refreshFacts(); settle(); }
}

let socket = null;
function connect() {
  const indicator = document.getElementById("live-indicator");
  socket = liveSocket(`/ws/executions/${pk}/`, {
    onOpen: (open) => {
      indicator.textContent = status === "RUNNING" ? "● live" : "";
      open.send(JSON.stringify({ after: lastId })); // what it missed, then only what is new
    },
    onMessage: (message) => update(JSON.parse(message.data)),
    onClose: () => { indicator.textContent = status === "RUNNING" ? "reconnecting…" : ""; },
    again: () => status === "RUNNING",
  });
}

// ---------------------------------------------------------------- the graph (and its collapsed containers)

let graphView = null;
const expanded = new Set((new URLSearchParams(location.search).get("expand") || "").split(",").filter(Boolean));

function bindGraph() {
  graphView = zoomable(document.getElementById("graph"));
  document.querySelectorAll("#graph .node.state").forEach((node) => {
    node.setAttribute("tabindex", "0");
    node.addEventListener("click", () => select(stateByNode[node.id]));
    node.addEventListener("keydown", (e) => { if (e.key === "Enter") select(stateByNode[node.id]); });
    if (node.classList.contains("collapsed")) node.addEventListener("dblclick", () => expand(node.id));
  });
  document.getElementById(nodes[selected])?.classList.add("selected");
}

// Draw a collapsed Map or Parallel open (the server redraws the graph with it expanded).
async function expand(id) {
  expanded.add(id);
  const params = new URLSearchParams(location.search);
  params.set("expand", [...expanded].join(","));
  history.replaceState(null, "", `${location.pathname}?${params}`);
  const response = await fetch(`${script.dataset.graphUrl}?expand=${encodeURIComponent([...expanded].join(","))}`);
  if (!response.ok) return;
  graphView?.destroy();
  document.getElementById("graph").innerHTML = await response.text(); // graphviz SVG, names escaped
  bindGraph();
  applyStatuses();
  drawMapCounts(itemCounts, nodes);
  if (selected) graphView?.reveal(document.getElementById(nodes[selected]));
  renderPanel();
}

function expandButton(id) {
  const b = el("button", "Expand in the graph", "button");
  b.type = "button";
  b.id = "expand-button";
  b.addEventListener("click", () => expand(id));
  return b;
}
document.getElementById("event-order").addEventListener("change", (e) => {
  newestFirst = e.target.value === "newest";
  page = 0;
  renderEvents();
});
document.getElementById("event-prev").addEventListener("click", () => { page -= 1; renderEvents(); });
document.getElementById("event-next").addEventListener("click", () => { page += 1; renderEvents(); });

document.getElementById("tab-steps").addEventListener("click", () => showTab("steps"));
document.getElementById("tab-timeline").addEventListener("click", () => showTab("timeline"));
// Bars of running steps grow while the page is open.
setInterval(() => { if (status === "RUNNING") { renderTimeline(); tickTimers(document.getElementById("step-details")); } }, 1000);

bindGraph();
viewFacts();
update({ events: data.events, statuses: data.statuses, visits: data.visits, tokens: data.tokens, timers: data.timers,
  status });
const opened = new URLSearchParams(location.search);
if (opened.get("state")) select(opened.get("state"), Number(opened.get("visit")) || null);
if (opened.get("tab") === "timeline") showTab("timeline");
performance.mark("stepyard:graph-interactive"); // read by bench/console_pages.py
if (status === "RUNNING") connect();
