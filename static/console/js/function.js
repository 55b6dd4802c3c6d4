// Shows each invocation's start time in the reader's own time zone.
for (const element of document.querySelectorAll("[data-epoch]")) {
  const started = new Date(Number(element.dataset.epoch) * 1000);
  element.title = element.textContent;
  element.textContent = started.toLocaleString();
}
