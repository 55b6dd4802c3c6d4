// Validates a JSON textarea as the user types; the submit button stays disabled while
// the text is not JSON.
const script = document.getElementById("json-field-script");
const field = document.getElementById(script.dataset.field);
const error = document.getElementById(script.dataset.error);
const submit = document.getElementById(script.dataset.submit);

function check() {
  try {
    JSON.parse(field.value);
    error.textContent = "";
    field.classList.remove("invalid");
    submit.disabled = false;
  } catch (problem) {
    error.textContent = "Not valid JSON: " + problem.message;
    field.classList.add("invalid");
    submit.disabled = true;
  }
}

field.addEventListener("input", check);
check();
