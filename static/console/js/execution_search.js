// Executions search: "started after/before" are typed in the reader's local time; the
// form sends the reader's UTC offset with them so the server compares in UTC.
const form = document.getElementById("filters");
form.addEventListener("submit", () => {
  form.elements.tz.value = String(new Date().getTimezoneOffset());
});
