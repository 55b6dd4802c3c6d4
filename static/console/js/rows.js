// Table rows rendered by the server (escaped by Django), parsed into elements to swap in.
export function parseRows(html) {
  const doc = new DOMParser().parseFromString(`<table><tbody>${html}</tbody></table>`, "text/html");
  return [...doc.querySelector("tbody").children];
}
