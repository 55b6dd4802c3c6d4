// Every page: on narrow screens the navigation folds behind the Menu button; times the
// server wrote in UTC (<time data-local>) show in the reader's time zone, UTC on hover,
// including those in rows that live pages swap in later.
import { localiseTimes } from "./format.js";

const toggle = document.getElementById("nav-toggle");
const bar = toggle.closest(".topbar");

toggle.addEventListener("click", () => {
  const open = bar.classList.toggle("open");
  toggle.setAttribute("aria-expanded", String(open));
});

localiseTimes();
new MutationObserver((changes) => {
  if (changes.some((change) => change.addedNodes.length)) localiseTimes();
}).observe(document.querySelector("main"), { childList: true, subtree: true });
