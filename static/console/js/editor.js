// Definition editor: a CodeMirror editor (code_editor.js) validated while the user types,
// and a graph preview. Typing never waits on the server: validation is debounced and
// asynchronous, answers about older text are dropped, and the graph (graphviz, the slow
// part) is asked for only once the text has been valid and unchanged for a moment, then
// swapped in at an animation frame. Diagnostics are inserted as text and marked in the
// editor's gutter at their lines; the SVG comes from the server, which escapes every name.

import { CodeEditor } from "./code_editor.js";
import { zoomable } from "./graph_view.js";

const script = document.getElementById("editor-script");
const validateUrl = script.dataset.validateUrl;
const textarea = document.getElementById("id_definition");
const typeField = document.getElementById("id_type");
const diagnosticsBox = document.getElementById("diagnostics");
const graphBox = document.getElementById("graph");
const statusBox = document.getElementById("preview-status");
const csrfToken = document.querySelector("input[name=csrfmiddlewaretoken]").value;
const DEBOUNCE_MS = 300;

let timer = null;
let sequence = 0;
let inFlight = null; // AbortController of the request about older text
let graphView = null;
let drawn = ""; // digest of the drawing shown: the server skips graphviz when it is unchanged

const editor = new CodeEditor(textarea, { onChange: schedule });

function schedule() {
  clearTimeout(timer);
  sequence++; // an answer still on its way is about older text: drop it
  inFlight?.abort();
  timer = setTimeout(validate, DEBOUNCE_MS);
  statusBox.textContent = "checking…";
}

async function ask(draw) {
  inFlight = new AbortController();
  const response = await fetch(validateUrl, {
    method: "POST",
    signal: inFlight.signal,
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
    body: JSON.stringify({ definition: textarea.value, type: typeField.value, draw, drawn }),
  });
  return response.json();
}

async function validate() {
  const mine = ++sequence;
  let payload;
  try {
    payload = await ask(false);
  } catch (error) {
    if (error.name === "AbortError") return;
    payload = { error: "Could not reach Stepyard to validate: " + error };
  }
  if (mine !== sequence) return; // the text changed since this request was sent
  show(payload);
  if (payload.ok) draw(mine);
}

async function draw(mine) {
  let payload;
  try {
    payload = await ask(true);
  } catch (error) {
    if (error.name === "AbortError") return;
    payload = { ok: true, graph_error: "Could not reach Stepyard to draw: " + error };
  }
  if (mine !== sequence) return;
  requestAnimationFrame(() => { if (mine === sequence) showGraph(payload, mine); });
}

function show(payload) {
  document.dispatchEvent(new CustomEvent("definition-validated", { detail: payload }));
  if (payload.language) editor.useYaml(payload.language === "FDL");
  diagnosticsBox.replaceChildren();
  editor.mark((payload.diagnostics || []).map(toEditorDiagnostic));
  if (payload.error) {
    diagnosticsBox.append(line("error", payload.error));
    statusBox.textContent = "";
    return;
  }
  if (payload.ok && payload.diagnostics.length === 0) {
    diagnosticsBox.append(line("ok", "The definition is valid."));
  }
  for (const d of payload.diagnostics) diagnosticsBox.append(diagnosticLine(d));
  if (payload.ok) {
    statusBox.textContent = "drawing…";
  } else {
    graphBox.classList.add("stale");
    statusBox.textContent = "(out of date: fix the errors to redraw)";
  }
}

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

// The swap is done in two tasks (insert the SVG; then make it pan and zoom), so a key
// pressed meanwhile waits for one of them, not both; a key pressed before the swap
// starts cancels it (the text changed, a newer drawing is coming).
async function showGraph(payload, mine) {
  graphBox.classList.remove("stale");
  statusBox.textContent = "";
  if (payload.unchanged) return; // the same drawing: nothing to redraw
  drawn = payload.graph_digest || "";
  performance.mark("stepyard:redraw-start");
  const kept = graphView?.viewState(); // the reader's zoom and pan survive the redraw
  graphView?.destroy();
  graphView = null;
  if (!payload.svg) {
    graphBox.replaceChildren(line("graph-error", payload.graph_error || payload.error));
    return;
  }
  graphBox.innerHTML = payload.svg;
  await nextTask();
  if (mine !== sequence) return;
  graphView = zoomable(graphBox);
  if (kept && graphView) graphView.restoreView(kept);
  performance.measure("stepyard:redraw", "stepyard:redraw-start");
}

function line(cls, text) {
  const p = document.createElement("p");
  p.className = cls;
  p.textContent = text;
  return p;
}

function diagnosticLine(d) {
  const item = document.createElement("button");
  item.type = "button";
  item.className = "diagnostic " + d.severity.toLowerCase();
  const code = document.createElement("strong");
  code.textContent = d.code;
  const where = document.createElement("code");
  where.textContent = d.location || "";
  if (d.location) item.append(code, " at ", where, ": ", d.message);
  else item.append(code, ": ", d.message);
  item.addEventListener("click", () => {
    const [from, to] = rangeOf(d);
    editor.select(from, to);
  });
  return item;
}

function toEditorDiagnostic(d) {
  const [from, to] = rangeOf(d);
  const severity = d.severity === "WARNING" ? "warning" : "error";
  return { from, to, severity, message: `${d.code}: ${d.message}` };
}

// Where a diagnostic points in the text: JSON syntax errors carry their line and column;
// FDL findings end with "(line L, column C)" of the YAML text; others name a JSON location
// such as /States/Foo/Next. The range runs to the end of that line or over the field name.
function rangeOf(d) {
  const at = d.line ? [d.line, d.column || 1] : /\(line (\d+), column (\d+)\)$/.exec(d.message)?.slice(1).map(Number);
  if (at) {
    const from = editor.offset(at[0], at[1]);
    return [from, editor.view.state.doc.lineAt(from).to];
  }
  return locate(d.location || "") || [0, 0];
}

function locate(location) {
  if (!location.startsWith("/")) return null;
  const text = editor.text;
  let at = 0;
  let found = null;
  for (const part of location.split("/").filter(Boolean)) {
    const needle = JSON.stringify(part.replaceAll("~1", "/").replaceAll("~0", "~"));
    const index = text.indexOf(needle, at);
    if (index < 0) break;
    found = [index, index + needle.length];
    at = index + needle.length;
  }
  return found;
}

typeField.addEventListener("change", schedule);
validate();
