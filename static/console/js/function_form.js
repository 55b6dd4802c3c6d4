// Create function: switching the runtime between Python and Node.js swaps the starting
// code, as long as the user has not changed it.
const runtime = document.getElementById("id_runtime");
const code = document.getElementById("id_code");
const starters = JSON.parse(document.getElementById("default-code").textContent);

function language(value) {
  return value.startsWith("nodejs") ? "nodejs" : "python";
}

runtime.addEventListener("change", () => {
  const untouched = Object.values(starters).some((text) => text.trim() === code.value.trim());
  if (untouched || !code.value.trim()) code.value = starters[language(runtime.value)];
});
