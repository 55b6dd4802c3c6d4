// A JSON viewer: a collapsible tree (children drawn only when opened), Copy, Expand and
// Collapse all, and a search that opens and marks every key or value that matches.
// A payload the server cut short (large inputs stay off the page) shows its first part
// and a "Load all" button that fetches the rest. Every value is inserted as text.

const OPEN_DEPTH = 2; // levels open at first
const PAGE = 200; // children drawn at a time in a long array or object

const el = (tag, text, cls) => {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  if (cls) node.className = cls;
  return node;
};

function button(label, action, cls = "") {
  const b = el("button", label, `button json-tool ${cls}`.trim());
  b.type = "button";
  b.addEventListener("click", action);
  return b;
}

function parse(text) {
  try { return { ok: true, value: JSON.parse(text) }; } catch { return { ok: false }; }
}

const isContainer = (value) => value !== null && typeof value === "object";
const kib = (chars) => `${Math.ceil(chars / 1024)} KB`;

class Tree {
  constructor(value, box) {
    this.value = value;
    this.box = box;
    this.nodes = new Map(); // path -> {element, children (container), drawn}
    box.replaceChildren(this.row(value, null, "", 0));
  }

  row(value, key, path, depth) {
    const line = el("div", undefined, "json-line");
    line.dataset.path = path;
    const label = key === null ? null : el("span", typeof key === "number" ? `${key}: ` : `${JSON.stringify(key)}: `, "json-key");
    if (!isContainer(value)) {
      if (label) line.append(label);
      const kind = value === null ? "null" : typeof value;
      line.append(el("span", JSON.stringify(value), `json-${kind}`));
      return line;
    }
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    const toggle = el("button", "▸", "json-toggle");
    toggle.type = "button";
    toggle.setAttribute("aria-label", "Open or close");
    const summary = el("span", Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`, "json-summary");
    const children = el("div", undefined, "json-children");
    children.hidden = true;
    line.append(toggle);
    if (label) line.append(label);
    line.append(summary, children);
    const node = { line, toggle, children, entries, depth, drawn: 0 };
    this.nodes.set(path, node);
    toggle.addEventListener("click", () => this.setOpen(path, children.hidden));
    if (depth < OPEN_DEPTH && entries.length) this.setOpen(path, true);
    return line;
  }

  draw(path, node, upTo) {
    const rows = [];
    for (; node.drawn < Math.min(upTo, node.entries.length); node.drawn++) {
      const [key, value] = node.entries[node.drawn];
      rows.push(this.row(value, key, `${path}/${key}`, node.depth + 1));
    }
    node.children.querySelector(":scope > .json-more")?.remove();
    node.children.append(...rows);
    const left = node.entries.length - node.drawn;
    if (left > 0) {
      node.children.append(button(`Show ${Math.min(left, PAGE)} more of ${left}`,
        () => this.draw(path, node, node.drawn + PAGE), "json-more"));
    }
  }

  setOpen(path, open) {
    const node = this.nodes.get(path);
    if (!node) return;
    if (open && node.drawn === 0) this.draw(path, node, PAGE);
    node.children.hidden = !open;
    node.toggle.textContent = open ? "▾" : "▸";
  }

  setAll(open) {
    // Opening everything draws at most the first pages of each level, level by level.
    for (let round = 0; round < 64; round++) {
      const closed = [...this.nodes.entries()].filter(([, n]) => n.children.hidden === open);
      if (!closed.length) return;
      for (const [path] of closed) this.setOpen(path, open);
      if (!open) return;
    }
  }

  // Open the way to every match of ``query`` (keys and values), mark them, return how many.
  search(query) {
    this.box.querySelectorAll(".json-match").forEach((m) => m.classList.remove("json-match"));
    if (!query) return 0;
    const wanted = query.toLowerCase();
    const found = [];
    const walk = (value, path, key) => {
      if (found.length >= 500) return;
      const own = (key !== null && String(key).toLowerCase().includes(wanted))
        || (!isContainer(value) && JSON.stringify(value).toLowerCase().includes(wanted));
      if (own) found.push(path);
      if (isContainer(value)) {
        for (const [k, v] of Array.isArray(value) ? value.entries() : Object.entries(value)) walk(v, `${path}/${k}`, k);
      }
    };
    walk(this.value, "", null);
    for (const path of found) this.reveal(path)?.classList.add("json-match");
    this.box.querySelector(".json-match")?.scrollIntoView({ block: "nearest" });
    return found.length;
  }

  reveal(path) {
    const parts = path.split("/").slice(1);
    let at = "";
    for (const part of parts) {
      const node = this.nodes.get(at);
      if (!node) return null;
      const index = node.entries.findIndex(([k]) => String(k) === part);
      if (index >= node.drawn) this.draw(at, node, index + 1);
      this.setOpen(at, true);
      at = `${at}/${part}`;
    }
    return this.box.querySelector(`.json-line[data-path="${CSS.escape(path)}"]`);
  }
}

async function copyText(text, done) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = el("textarea");
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  done.textContent = "Copied";
  setTimeout(() => { done.textContent = "Copy"; }, 1500);
}

// A viewer for ``text`` (JSON, or any text). ``full`` is an async function returning the
// whole text when the server cut it short (``size`` is then its full length).
export function jsonViewer(text, { full = null, size = 0 } = {}) {
  const box = el("div", undefined, "json-viewer");
  const tools = el("div", undefined, "json-tools");
  const body = el("div", undefined, "json-body");
  box.append(tools, body);
  let whole = full ? null : text;

  const show = (shown) => {
    const parsed = parse(shown);
    tools.replaceChildren();
    const copy = button("Copy", async () => copyText(whole ?? (whole = await full()), copy));
    tools.append(copy);
    if (!parsed.ok || !isContainer(parsed.value)) {
      body.replaceChildren(el("pre", parsed.ok ? JSON.stringify(parsed.value, null, 2) : shown, "json-text"));
    } else {
      const tree = new Tree(parsed.value, body);
      const search = el("input", undefined, "json-search");
      Object.assign(search, { type: "search", placeholder: "Search" });
      search.setAttribute("aria-label", "Search this JSON");
      const count = el("span", "", "muted json-count");
      let timer = null;
      search.addEventListener("input", () => {
        clearTimeout(timer);
        timer = setTimeout(() => { count.textContent = search.value ? `${tree.search(search.value)} found` : ""; }, 150);
      });
      tools.append(button("Expand all", () => tree.setAll(true)), button("Collapse all", () => tree.setAll(false)),
        search, count);
    }
    if (whole === null) {
      tools.append(el("span", `first ${kib(shown.length)} of ${kib(size)}`, "muted"),
        button(`Load all (${kib(size)})`, async () => { whole = await full(); show(whole); }, "json-load"));
    }
  };
  show(text);
  return box;
}
