// Queue page: live peek table (server-rendered, escaped rows swapped in every two
// seconds), countdowns for in-flight and delayed messages, and JSON checking of the
// test message body while "Body is JSON" is ticked.
import { parseRows } from "./rows.js";

const script = document.getElementById("queue-script");
const messagesUrl = script.dataset.messagesUrl;
const rows = document.getElementById("peek-rows");
const live = document.getElementById("peek-live");
const body = document.getElementById("id_body");
const jsonBox = document.getElementById("id_json_body");
const bodyError = document.getElementById("body-error");
const sendButton = document.getElementById("send-button");
const POLL_MS = 2000;

let fetchedAt = performance.now();

async function refresh() {
  try {
    const response = await fetch(messagesUrl);
    if (!response.ok) throw new Error(response.statusText);
    rows.replaceChildren(...parseRows(await response.text()));
    fetchedAt = performance.now();
    live.hidden = false;
  } catch (error) {
    live.hidden = true;
  }
}

function tick() {
  const elapsed = (performance.now() - fetchedAt) / 1000;
  for (const countdown of rows.querySelectorAll(".countdown")) {
    const left = Math.max(0, Number(countdown.dataset.secondsLeft) - elapsed);
    countdown.textContent = `${Math.ceil(left)} s`;
  }
}

function checkBody() {
  if (!jsonBox || !jsonBox.checked) {
    bodyError.textContent = "";
    body.classList.remove("invalid");
    sendButton.disabled = body.value === "";
    return;
  }
  try {
    JSON.parse(body.value);
    bodyError.textContent = "";
    body.classList.remove("invalid");
    sendButton.disabled = false;
  } catch (problem) {
    bodyError.textContent = "Not valid JSON: " + problem.message;
    body.classList.add("invalid");
    sendButton.disabled = true;
  }
}

body.addEventListener("input", checkBody);
if (jsonBox) jsonBox.addEventListener("change", checkBody);
if (body.value) checkBody();
setInterval(refresh, POLL_MS);
setInterval(tick, 1000);
