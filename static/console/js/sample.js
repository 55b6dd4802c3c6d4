// Sample page: the executions table is server-rendered (escaped) rows, swapped in every
// two seconds so a started execution is seen to finish.
import { parseRows } from "./rows.js";

const script = document.getElementById("sample-script");
const rows = document.getElementById("sample-execution-rows");
const live = document.getElementById("executions-live");
const POLL_MS = 2000;

async function refresh() {
  try {
    const response = await fetch(script.dataset.executionsUrl);
    if (!response.ok) throw new Error(response.statusText);
    rows.replaceChildren(...parseRows(await response.text()));
    live.hidden = false;
  } catch (error) {
    live.hidden = true;
  }
}

setInterval(refresh, POLL_MS);
refresh();
