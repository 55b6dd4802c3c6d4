// Human-readable durations and times: "850 ms", "2.4 s", "3 min 5 s"; local times with
// the UTC time in a title for hovering.

export function duration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

const pad = (n, size = 2) => String(n).padStart(size, "0");

export function localTime(date, withDate = false, withMs = true) {
  const ms = withMs ? `.${pad(date.getMilliseconds(), 3)}` : "";
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${ms}`;
  return withDate ? `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${time}` : time;
}

export function utcTitle(date) {
  return `${date.toISOString().replace("T", " ").replace("Z", "")} UTC`;
}

// A <time> element showing the local time, with UTC on hover.
export function timeElement(date, withDate = false) {
  const node = document.createElement("time");
  node.dateTime = date.toISOString();
  node.textContent = localTime(date, withDate);
  node.title = utcTitle(date);
  return node;
}

// Server-rendered <time data-local> elements (UTC in the page) shown in local time.
export function localiseTimes(root = document) {
  for (const node of root.querySelectorAll("time[data-local]")) {
    const date = new Date(node.dateTime);
    if (Number.isNaN(date.getTime())) continue;
    const precision = node.dataset.local;
    node.title = utcTitle(date);
    node.textContent = localTime(date, precision !== "time", precision === "precise");
    node.removeAttribute("data-local");
  }
}
