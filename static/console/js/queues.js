// Queues list: refresh the available / in-flight / delayed counts every two seconds.
// Counts are numbers written with textContent; queue names only select rows.
const script = document.getElementById("queues-script");
const countsUrl = script.dataset.countsUrl;
const live = document.getElementById("queue-live");
const POLL_MS = 2000;

async function refresh() {
  try {
    const response = await fetch(countsUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(response.statusText);
    const payload = await response.json();
    for (const row of document.querySelectorAll("tr[data-queue]")) {
      const counts = payload.queues[row.dataset.queue];
      if (!counts) {
        row.classList.add("gone");
        continue;
      }
      for (const cell of row.querySelectorAll("[data-count]")) {
        cell.textContent = String(counts[cell.dataset.count]);
      }
    }
    if (live) live.hidden = false;
  } catch (error) {
    if (live) live.hidden = true;
  }
}

setInterval(refresh, POLL_MS);
