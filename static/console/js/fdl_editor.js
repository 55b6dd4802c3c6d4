// Language choice of the definition editor: Amazon States Language (JSON) or a Serverless
// Workflow flow (FDL, YAML). Choosing a language puts that language's blank definition in
// the editor (after asking, when the text was edited); the validator's answer says which
// language the text is, and the choice follows it.

const select = document.getElementById("language");
const label = document.getElementById("definition-label");
const textarea = document.getElementById("id_definition");
const blanks = JSON.parse(document.getElementById("blank-definitions").textContent);
const LABELS = {
  ASL: "Definition (Amazon States Language, JSON)",
  FDL: "Definition (Serverless Workflow FDL, YAML)",
};

let shown = select.value;

function untouched() {
  const text = textarea.value.trim();
  return text === "" || Object.values(blanks).some((blank) => blank.trim() === text);
}

function showLanguage(language) {
  shown = language;
  select.value = language;
  label.textContent = LABELS[language];
}

select.addEventListener("change", () => {
  const wanted = select.value;
  if (!untouched() && !window.confirm(`Replace the definition with a blank ${wanted} definition?`)) {
    select.value = shown;
    return;
  }
  textarea.value = blanks[wanted];
  showLanguage(wanted);
  textarea.dispatchEvent(new Event("input"));
});

document.addEventListener("definition-validated", (event) => {
  if (event.detail.language && event.detail.language !== shown) showLanguage(event.detail.language);
});
