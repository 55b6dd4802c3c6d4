// What the step panel offers a waiting state: its pending timers (when a Wait fires, when
// the next retry runs) with a countdown, and the answers to an open task token (approve,
// reject, heartbeat) as forms posted to the callback inbox's views.

import { duration, timeElement } from "./format.js";

const TIMER_LABELS = { wait: "Wait fires", retry: "Next attempt", timeout: "Times out", heartbeat: "Heartbeat due by" };

const el = (tag, text, cls) => {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  if (cls) node.className = cls;
  return node;
};

export function timerLine(timer) {
  const line = el("p", `${TIMER_LABELS[timer.purpose] || "Timer fires"} at `, "timer-due");
  const left = el("span", "", "countdown");
  left.dataset.due = String(timer.due);
  line.append(timeElement(new Date(timer.due * 1000), true), " ", left);
  return line;
}

export function tickTimers(root) {
  for (const left of root.querySelectorAll(".countdown[data-due]")) {
    const ms = Number(left.dataset.due) * 1000 - Date.now();
    left.textContent = ms > 0 ? `(in ${duration(ms)})` : "(due now)";
  }
}

// urlOf(id, action): where the form posts; csrf: the token input to copy into each form.
function actionForm(id, action, label, fields, { urlOf, csrf }) {
  const form = el("form", undefined, "callback-form");
  form.method = "post";
  form.action = urlOf(id, action);
  const back = el("input");
  Object.assign(back, { type: "hidden", name: "next", value: location.pathname });
  form.append(csrf.cloneNode(), back, ...fields);
  const button = el("button", label, "button");
  button.type = "submit";
  button.id = `${action}-${id}`;
  form.append(button);
  return form;
}

function field(tag, name, placeholder, value = "") {
  const input = el(tag);
  Object.assign(input, { name, placeholder, value });
  return input;
}

export function callbackActions(token, forms) {
  const box = el("div", undefined, "callback-actions");
  box.append(el("h3", `Waiting for a callback since ${new Date(token.since).toLocaleTimeString()}`));
  const output = field("textarea", "output", "Output (JSON)", "{}");
  output.id = `output-${token.id}`;
  const approve = actionForm(token.id, "approve", "Approve (SendTaskSuccess)", [output], forms);
  output.addEventListener("input", () => {
    let ok = true;
    try { JSON.parse(output.value); } catch { ok = false; }
    output.classList.toggle("invalid", !ok);
    approve.querySelector("button").disabled = !ok;
  });
  const reject = actionForm(token.id, "reject", "Reject (SendTaskFailure)",
    [field("input", "error", "Error"), field("input", "cause", "Cause")], forms);
  box.append(approve, reject, actionForm(token.id, "heartbeat", "Send heartbeat", [], forms));
  return box;
}
