// A CodeMirror 6 editor (vendored bundle, static/vendor/codemirror) in place of a textarea:
// JSON or YAML highlighting, line numbers, folding, search, Tab indents, diagnostics as
// gutter markers at their lines, and "format document" (Shift+Alt+F) for JSON.
// The textarea stays in the form, hidden, and always holds the text: the form posts it,
// and a script that sets textarea.value and dispatches "input" updates the editor.

import {
  basicSetup, Compartment, EditorSelection, EditorView, indentWithTab, json, keymap, lintGutter, setDiagnostics,
  yaml,
} from "../../vendor/codemirror/codemirror.bundle.js";

const looksLikeYaml = (text) => !/^\s*[{[]/.test(text) && text.trim() !== "";

export class CodeEditor {
  constructor(textarea, { onChange }) {
    this.textarea = textarea;
    this.onChange = onChange;
    this.language = new Compartment();
    this.yaml = looksLikeYaml(textarea.value);
    const changed = EditorView.updateListener.of((update) => {
      if (!update.docChanged) return;
      textarea.value = update.state.doc.toString();
      this.onChange();
    });
    this.view = new EditorView({
      doc: textarea.value,
      extensions: [
        basicSetup, lintGutter(), keymap.of([indentWithTab, { key: "Shift-Alt-f", run: () => this.format() }]),
        this.language.of(this.yaml ? yaml() : json()), changed,
        EditorView.contentAttributes.of({ "aria-label": textarea.labels?.[0]?.textContent || "Definition" }),
      ],
    });
    textarea.hidden = true;
    textarea.after(this.tools(), this.view.dom);
    this.view.dom.id = `${textarea.id}-editor`;
    // Someone else (the language choice) replaced the text: show it.
    textarea.addEventListener("input", () => this.setText(textarea.value));
  }

  tools() {
    const bar = document.createElement("div");
    bar.className = "editor-tools";
    const format = document.createElement("button");
    Object.assign(format, { type: "button", className: "button", id: "format-button", textContent: "Format" });
    format.title = "Format the JSON document (Shift+Alt+F)";
    format.addEventListener("click", () => this.format());
    const hint = document.createElement("span");
    hint.className = "muted";
    hint.textContent = "Ctrl+F search · Ctrl+Shift+[ fold · Tab indents";
    bar.append(format, hint);
    return bar;
  }

  get text() {
    return this.view.state.doc.toString();
  }

  setText(text) {
    if (text === this.text) return;
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text } });
    this.useYaml(looksLikeYaml(text));
  }

  useYaml(wanted) {
    if (wanted === this.yaml) return;
    this.yaml = wanted;
    this.view.dispatch({ effects: this.language.reconfigure(wanted ? yaml() : json()) });
  }

  // Re-indent JSON two spaces a level (YAML is left as it is); false when it cannot.
  format() {
    let formatted;
    try {
      formatted = JSON.stringify(JSON.parse(this.text), null, 2);
    } catch {
      return false;
    }
    if (formatted !== this.text) this.setText(formatted);
    return true;
  }

  // Offset of 1-based line and column, clamped to the document.
  offset(line, column = 1) {
    const doc = this.view.state.doc;
    const at = doc.line(Math.min(Math.max(1, line), doc.lines));
    return Math.min(at.from + Math.max(0, column - 1), at.to);
  }

  select(from, to = from) {
    this.view.dispatch({ selection: EditorSelection.range(from, to), scrollIntoView: true });
    this.view.focus();
  }

  selectLine(line, column) {
    const from = this.offset(line, column);
    this.select(from, this.view.state.doc.lineAt(from).to);
  }

  // diagnostics: [{from, to, severity: "error" | "warning", message}]
  mark(diagnostics) {
    this.view.dispatch(setDiagnostics(this.view.state, diagnostics));
  }
}
