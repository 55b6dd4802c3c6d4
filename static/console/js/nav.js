// Every page: on narrow screens the navigation folds behind the Menu button.
const toggle = document.getElementById("nav-toggle");
const bar = toggle.closest(".topbar");

toggle.addEventListener("click", () => {
  const open = bar.classList.toggle("open");
  toggle.setAttribute("aria-expanded", String(open));
});
