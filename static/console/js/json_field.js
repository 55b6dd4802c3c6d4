// Validates a JSON textarea as the user types; the submit button stays disabled while
// the text is not JSON or is larger than the limit the server enforces (data-max-bytes).
// A message the server rendered into the error box stays until the user edits the text.
const script = document.getElementById("json-field-script");
const field = document.getElementById(script.dataset.field);
const error = document.getElementById(script.dataset.error);
const submit = document.getElementById(script.dataset.submit);
const maxBytes = Number(script.dataset.maxBytes || 0);
const serverMessage = error.textContent.trim();

function problemOf(text) {
  if (maxBytes) {
    const size = new TextEncoder().encode(text).length;
    if (size > maxBytes) {
      return `The input is ${Math.ceil(size / 1024)} KiB; Step Functions accepts at most ${maxBytes / 1024} KiB.`;
    }
  }
  try {
    JSON.parse(text);
    return "";
  } catch (problem) {
    return "Not valid JSON: " + problem.message;
  }
}

function check(keepServerMessage) {
  const problem = problemOf(field.value);
  const message = (keepServerMessage && serverMessage) || problem;
  error.textContent = message;
  field.classList.toggle("invalid", Boolean(message));
  submit.disabled = Boolean(problem);
}

field.addEventListener("input", () => check(false));
check(true);
