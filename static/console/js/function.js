// Shows each invocation's start time in the reader's own time zone, also in the rows
// the live list swaps in.
function localTimes(root) {
  for (const element of root.querySelectorAll("[data-epoch]")) {
    if (element.dataset.localised) continue;
    const started = new Date(Number(element.dataset.epoch) * 1000);
    element.title = element.textContent;
    element.textContent = started.toLocaleString();
    element.dataset.localised = "1";
  }
}

localTimes(document);
const live = document.getElementById("live-rows");
if (live) new MutationObserver(() => localTimes(live)).observe(live, { childList: true, subtree: true });
