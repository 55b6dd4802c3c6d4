// Test cases page: while a run is in progress, refresh the results rows every second.
const body = document.getElementById("test-case-rows");
const url = document.getElementById("test-cases")?.dataset.url;

function running() {
  return body?.querySelector("tr[data-running='1']") !== null;
}

async function refresh() {
  const response = await fetch(url, { headers: { "X-Requested-With": "fetch" } });
  if (response.ok) body.innerHTML = await response.text();
  if (running()) setTimeout(refresh, 1000);
}

if (body && url && running()) setTimeout(refresh, 1000);
