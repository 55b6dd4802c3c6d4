// Definition editor: validates while the user types (debounced) and redraws the preview.
// Diagnostics are inserted as text; the SVG comes from the server's graphviz renderer,
// which escapes every state name.

const script = document.getElementById("editor-script");
const validateUrl = script.dataset.validateUrl;
const textarea = document.getElementById("id_definition");
const typeField = document.getElementById("id_type");
const diagnosticsBox = document.getElementById("diagnostics");
const graphBox = document.getElementById("graph");
const statusBox = document.getElementById("preview-status");
const csrfToken = document.querySelector("input[name=csrfmiddlewaretoken]").value;
const DEBOUNCE_MS = 350;

let timer = null;
let sequence = 0;

function schedule() {
  clearTimeout(timer);
  sequence++; // an answer still on its way is about older text: drop it
  timer = setTimeout(validate, DEBOUNCE_MS);
  statusBox.textContent = "checking…";
}

async function validate() {
  const mine = ++sequence;
  let payload;
  try {
    const response = await fetch(validateUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify({ definition: textarea.value, type: typeField.value }),
    });
    payload = await response.json();
  } catch (error) {
    payload = { error: "Could not reach Stepyard to validate: " + error };
  }
  if (mine !== sequence) return; // the text changed since this request was sent
  show(payload);
}

function show(payload) {
  document.dispatchEvent(new CustomEvent("definition-validated", { detail: payload }));
  diagnosticsBox.replaceChildren();
  if (payload.error) {
    diagnosticsBox.append(line("error", payload.error));
    statusBox.textContent = "";
    return;
  }
  if (payload.ok && payload.diagnostics.length === 0) {
    diagnosticsBox.append(line("ok", "The definition is valid."));
  }
  for (const d of payload.diagnostics) {
    diagnosticsBox.append(diagnosticLine(d));
  }
  if (payload.ok) {
    if (payload.svg) {
      graphBox.innerHTML = payload.svg;
    } else {
      graphBox.replaceChildren(line("graph-error", payload.graph_error));
    }
    graphBox.classList.remove("stale");
    statusBox.textContent = "";
  } else {
    graphBox.classList.add("stale");
    statusBox.textContent = "(out of date: fix the errors to redraw)";
  }
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
  item.addEventListener("click", () => selectDiagnostic(d));
  return item;
}

// JSON syntax errors carry their line and column; FDL findings end with "(line L, column C)"
// of the YAML text: select from there to the end of that line. Others name a JSON location.
function selectDiagnostic(d) {
  if (d.line) return selectLine(d.line, d.column || 1); // a JSON syntax error
  const at = /\(line (\d+), column (\d+)\)$/.exec(d.message);
  if (at) selectLine(Number(at[1]), Number(at[2]));
  else selectLocation(d.location || "");
}

function selectLine(lineNumber, column) {
  const lines = textarea.value.split("\n");
  if (lineNumber < 1 || lineNumber > lines.length) return;
  const start = lines.slice(0, lineNumber - 1).reduce((sum, text) => sum + text.length + 1, 0);
  const text = lines[lineNumber - 1];
  const from = column - 1 < text.length ? start + column - 1 : start;
  const lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 18;
  textarea.focus();
  textarea.setSelectionRange(from, start + text.length);
  textarea.scrollTop = Math.max(0, (lineNumber - 3) * lineHeight);
}

// Select the field named by a location such as /States/Foo/Next in the editor.
function selectLocation(location) {
  if (!location.startsWith("/")) return;
  const text = textarea.value;
  let at = 0;
  let found = -1;
  let length = 0;
  for (const part of location.split("/").filter(Boolean)) {
    const needle = JSON.stringify(part.replaceAll("~1", "/").replaceAll("~0", "~"));
    const index = text.indexOf(needle, at);
    if (index < 0) break;
    found = index;
    length = needle.length;
    at = index + needle.length;
  }
  if (found < 0) return;
  textarea.focus();
  textarea.setSelectionRange(found, found + length);
}

// Tab inserts two spaces instead of leaving the editor.
textarea.addEventListener("keydown", (event) => {
  if (event.key !== "Tab" || event.shiftKey) return;
  event.preventDefault();
  const { selectionStart: start, selectionEnd: end } = textarea;
  textarea.setRangeText("  ", start, end, "end");
  schedule();
});
textarea.addEventListener("input", schedule);
typeField.addEventListener("change", schedule);
validate();
