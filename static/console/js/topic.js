// Topic page: JSON checks of the test message (while "Message is JSON" is ticked) and of
// the filter policy, and the recent deliveries table refreshed every two seconds
// (server-rendered, escaped rows).
import { parseRows } from "./rows.js";

const script = document.getElementById("topic-script");
const rows = document.getElementById("delivery-rows");
const live = document.getElementById("deliveries-live");
const POLL_MS = 2000;

async function refresh() {
  try {
    const response = await fetch(script.dataset.deliveriesUrl);
    if (!response.ok) throw new Error(response.statusText);
    const open = new Set([...rows.querySelectorAll("details[open] code")].map((c) => c.textContent));
    rows.replaceChildren(...parseRows(await response.text()));
    for (const code of rows.querySelectorAll("details code")) {
      if (open.has(code.textContent)) code.closest("details").open = true;
    }
    live.hidden = false;
  } catch (error) {
    live.hidden = true;
  }
}

// Mark a textarea invalid (and disable its form's button) while its text is not JSON.
function jsonCheck(field, errorBox, button, required) {
  function check() {
    const mustParse = required() && field.value.trim() !== "";
    let problem = "";
    if (mustParse) {
      try {
        JSON.parse(field.value);
      } catch (error) {
        problem = "Not valid JSON: " + error.message;
      }
    }
    errorBox.textContent = problem;
    field.classList.toggle("invalid", problem !== "");
    button.disabled = problem !== "";
  }
  field.addEventListener("input", check);
  return check;
}

const message = document.getElementById("id_message");
const jsonBox = document.getElementById("id_json_message");
const checkMessage = jsonCheck(message, document.getElementById("message-error"),
  document.getElementById("publish-button"), () => jsonBox.checked);
jsonBox.addEventListener("change", checkMessage);
jsonCheck(document.getElementById("id_filter_policy"), document.getElementById("policy-error"),
  document.getElementById("subscribe-button"), () => true);

setInterval(refresh, POLL_MS);
