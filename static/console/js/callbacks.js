// Callback inbox: every two seconds, rows of newly waiting tasks are added and rows of
// answered ones removed; rows still waiting are left alone so a half-typed answer
// survives. Rows are server-rendered (escaped); outputs are checked as JSON before
// Approve can be pressed; deadlines show the time left.
import { parseRows } from "./rows.js";

const script = document.getElementById("callbacks-script");
const rowsUrl = script.dataset.rowsUrl;
const tbody = document.getElementById("callback-rows");
const empty = document.getElementById("no-callbacks");
const live = document.getElementById("callbacks-live");
const POLL_MS = 2000;

function watchApprove(row) {
  const field = row.querySelector(".output-field");
  const error = row.querySelector(".output-error");
  const button = row.querySelector(".approve-button");
  const check = () => {
    try {
      JSON.parse(field.value);
      error.textContent = "";
      field.classList.remove("invalid");
      button.disabled = false;
    } catch (problem) {
      error.textContent = "Not valid JSON: " + problem.message;
      field.classList.add("invalid");
      button.disabled = true;
    }
  };
  field.addEventListener("input", check);
  check();
}

async function refresh() {
  try {
    const response = await fetch(rowsUrl);
    if (!response.ok) throw new Error(response.statusText);
    merge(parseRows(await response.text()));
    live.hidden = false;
  } catch (error) {
    live.hidden = true;
  }
}

function merge(incoming) {
  const wanted = new Set(incoming.map((row) => row.dataset.tokenId));
  for (const row of tbody.querySelectorAll("tr[data-token-id]")) {
    if (!wanted.has(row.dataset.tokenId)) row.remove();
  }
  for (const row of incoming) {
    if (!tbody.querySelector(`tr[data-token-id="${CSS.escape(row.dataset.tokenId)}"]`)) {
      tbody.append(row);
      watchApprove(row);
    }
  }
  empty.hidden = tbody.children.length > 0;
  tick();
}

function tick() {
  const now = Date.now();
  for (const deadline of tbody.querySelectorAll("time.deadline")) {
    const left = Math.round((Date.parse(deadline.dateTime) - now) / 1000);
    deadline.title = deadline.dateTime;
    deadline.textContent = left >= 0 ? `in ${left} s` : `${-left} s ago`;
  }
}

for (const row of tbody.querySelectorAll("tr[data-token-id]")) watchApprove(row);
tick();
setInterval(refresh, POLL_MS);
setInterval(tick, 1000);
