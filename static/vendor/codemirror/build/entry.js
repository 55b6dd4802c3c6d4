// What the console's editor uses from CodeMirror 6, bundled into one ES module
// (../codemirror.bundle.js) by ./build.sh.
export { basicSetup } from "codemirror";
export { EditorView, keymap } from "@codemirror/view";
export { EditorState, Compartment, EditorSelection } from "@codemirror/state";
export { indentWithTab } from "@codemirror/commands";
export { json } from "@codemirror/lang-json";
export { yaml } from "@codemirror/lang-yaml";
export { foldAll, unfoldAll } from "@codemirror/language";
export { setDiagnostics, lintGutter, forEachDiagnostic } from "@codemirror/lint";
