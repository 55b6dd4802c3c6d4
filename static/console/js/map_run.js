// The Map Run page refreshes its counts (a server-rendered partial) while the run is RUNNING.
const box = document.getElementById("map-run-live");

async function refresh() {
  const response = await fetch(box.dataset.liveUrl);
  if (!response.ok) return;
  box.innerHTML = await response.text(); // server-rendered, escaped by Django
  const status = document.getElementById("map-run-status");
  if (status && status.textContent.trim() === "RUNNING") setTimeout(refresh, 1000);
}

if (box.dataset.running) setTimeout(refresh, 1000);
