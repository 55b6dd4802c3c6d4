// Pan, zoom, fit and a minimap for a graphviz SVG drawn by the server. Zooming and panning
// come from svg-pan-zoom (static/vendor/svg-pan-zoom, loaded before this module as the
// global svgPanZoom). The wheel zooms only with Ctrl (or ⌘) held, so the page still scrolls
// over a graph; dragging pans; the toolbar zooms, fits and resets; the minimap shows where
// the view is and moves it on a click.

const MIN_READABLE_ZOOM = 0.6; // below this a fitted graph is too small to read: show its top
const PT_TO_PX = 4 / 3;

const el = (tag, text, cls) => {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (cls) node.className = cls;
  return node;
};

function button(label, title, action) {
  const b = el("button", label, "button graph-tool");
  b.type = "button";
  b.title = title;
  b.setAttribute("aria-label", title);
  b.addEventListener("click", action);
  return b;
}

function naturalHeight(svg) {
  const height = parseFloat(svg.getAttribute("height") || "0");
  return svg.getAttribute("height")?.endsWith("pt") ? height * PT_TO_PX : height;
}

// The whole drawing as a CSS background (not an <img>: the graph box holds no images at
// all): a copy of the SVG without svg-pan-zoom's pan and zoom, with its own viewBox back.
function minimapImage(svg, viewBox) {
  const copy = svg.cloneNode(true);
  copy.setAttribute("viewBox", `${viewBox.x} ${viewBox.y} ${viewBox.width} ${viewBox.height}`);
  copy.removeAttribute("style");
  const viewport = copy.querySelector(".svg-pan-zoom_viewport");
  viewport?.removeAttribute("transform");
  viewport?.removeAttribute("style");
  copy.querySelector("#svg-pan-zoom-controls")?.remove();
  const blob = new Blob([new XMLSerializer().serializeToString(copy)], { type: "image/svg+xml" });
  const image = el("div", "", "minimap-image");
  image.dataset.url = URL.createObjectURL(blob);
  image.style.backgroundImage = `url("${image.dataset.url}")`;
  return image;
}

class GraphView {
  constructor(box, svg) {
    this.box = box;
    this.svg = svg;
    const height = Math.max(240, Math.min(naturalHeight(svg) + 24, window.innerHeight * 0.72));
    box.style.height = `${Math.round(height)}px`;
    box.classList.add("zoomable");
    this.minimap = null; // drawn when the page is idle: it copies the whole drawing
    const drawn = svg.viewBox.baseVal; // svg-pan-zoom takes the viewBox away
    this.viewBox = { x: drawn.x, y: drawn.y, width: drawn.width, height: drawn.height };
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.style.width = "100%";
    svg.style.height = "100%";
    this.zoomer = window.svgPanZoom(svg, {
      zoomEnabled: true, mouseWheelZoomEnabled: false, dblClickZoomEnabled: false, controlIconsEnabled: false,
      fit: true, center: true, minZoom: 0.02, maxZoom: 20, zoomScaleSensitivity: 0.25,
      onZoom: () => this.drawView(), onPan: () => this.drawView(),
    });
    this.readableStart();
    this.tools = this.toolbar();
    box.before(this.tools);
    this.onWheel = (event) => this.wheel(event);
    this.onResize = () => { this.zoomer.resize(); this.drawView(); };
    box.addEventListener("wheel", this.onWheel, { passive: false });
    window.addEventListener("resize", this.onResize);
    this.idle = (window.requestIdleCallback || setTimeout)(() => { this.minimap = this.buildMinimap(); this.drawView(); });
  }

  // Where the reader is looking (absolute zoom and pan), to look there again after a redraw.
  viewState() {
    return { zoom: this.zoomer.getSizes().realZoom, pan: this.zoomer.getPan() };
  }

  restoreView(view) {
    this.zoomer.zoom((view.zoom * this.zoomer.getZoom()) / this.zoomer.getSizes().realZoom);
    this.zoomer.pan(view.pan);
    this.drawView();
  }

  // Undo everything, for a box whose SVG is about to be replaced (the editor's preview).
  destroy() {
    (window.cancelIdleCallback || clearTimeout)(this.idle);
    this.zoomer.destroy();
    this.tools.remove();
    if (this.minimap) {
      this.minimap.remove();
      URL.revokeObjectURL(this.minimap.querySelector(".minimap-image").dataset.url);
    }
    this.box.removeEventListener("wheel", this.onWheel);
    window.removeEventListener("resize", this.onResize);
    this.box.classList.remove("zoomable");
    this.box.style.height = "";
  }

  toolbar() {
    const bar = el("div", "", "graph-tools");
    bar.append(
      button("+", "Zoom in", () => this.zoomer.zoomIn()),
      button("−", "Zoom out", () => this.zoomer.zoomOut()),
      button("Fit", "Fit the whole graph", () => this.fit()),
      button("1:1", "Actual size", () => this.actualSize()),
      el("span", "Drag to pan · Ctrl + wheel to zoom", "muted graph-hint"),
    );
    return bar;
  }

  fit() {
    this.zoomer.resize();
    this.zoomer.fit();
    this.zoomer.center();
  }

  // graphviz draws in points; the drawing's own size is PT_TO_PX pixels per point.
  actualSize() {
    this.zoomer.zoom((this.zoomer.getZoom() * PT_TO_PX) / this.zoomer.getSizes().realZoom);
  }

  // A long graph fitted whole is unreadable: show it at a readable size, from its start.
  readableStart() {
    const sizes = this.zoomer.getSizes();
    if (sizes.realZoom >= MIN_READABLE_ZOOM) return;
    const target = Math.min(1, sizes.width / sizes.viewBox.width);
    this.zoomer.zoom((this.zoomer.getZoom() * Math.max(target, MIN_READABLE_ZOOM)) / sizes.realZoom);
    this.reveal(this.svg.querySelector("#start"), "top");
  }

  wheel(event) {
    if (!(event.ctrlKey || event.metaKey)) return;
    event.preventDefault();
    const rect = this.svg.getBoundingClientRect();
    const point = { x: event.clientX - rect.left, y: event.clientY - rect.top };
    this.zoomer.zoomAtPointBy(event.deltaY < 0 ? 1.2 : 1 / 1.2, point);
  }

  // ``node``'s box in the drawing's coordinates (those svg-pan-zoom pans and zooms). Worked
  // out from the SVG's own geometry, because svg-pan-zoom applies a pan or zoom to the DOM
  // only at the next animation frame.
  drawingBox(node) {
    const box = node.getBBox();
    const viewport = this.svg.querySelector(".svg-pan-zoom_viewport");
    const m = viewport.getCTM().inverse().multiply(node.getCTM());
    return { x: m.a * box.x + m.e, y: m.d * box.y + m.f, width: box.width * m.a, height: box.height * m.d };
  }

  // Pan so that ``node`` is in view: centred, or near the top edge with where="top".
  reveal(node, where = "center") {
    if (!node) return;
    const sizes = this.zoomer.getSizes();
    const pan = this.zoomer.getPan();
    const z = sizes.realZoom;
    const b = this.drawingBox(node);
    const left = b.x * z + pan.x;
    const top = b.y * z + pan.y;
    const inside = left >= 0 && top >= 0 && left + b.width * z <= sizes.width && top + b.height * z <= sizes.height;
    if (inside && where === "center") return;
    const x = sizes.width / 2 - (b.x + b.width / 2) * z;
    const y = where === "top" ? 16 - b.y * z : sizes.height / 2 - (b.y + b.height / 2) * z;
    this.zoomer.pan({ x, y });
  }

  buildMinimap() {
    // The whole drawing shrunk into at most 160 x (60% of the box); a very narrow one is
    // centred in a box wide enough to click.
    const map = el("div", "", "minimap");
    const { width, height } = this.viewBox;
    this.mapScale = Math.min(160 / width, (parseFloat(this.box.style.height) * 0.6) / height);
    const mapWidth = Math.max(48, width * this.mapScale);
    this.mapOffset = (mapWidth - width * this.mapScale) / 2;
    Object.assign(map.style, { width: `${mapWidth}px`, height: `${height * this.mapScale}px` });
    map.setAttribute("aria-hidden", "true");
    this.view = el("div", "", "minimap-view");
    const image = minimapImage(this.svg, this.viewBox);
    Object.assign(image.style, {
      width: `${width * this.mapScale}px`, height: `${height * this.mapScale}px`, marginLeft: `${this.mapOffset}px`,
    });
    map.append(image, this.view);
    map.addEventListener("click", (event) => this.jump(event));
    this.box.append(map);
    return map;
  }

  drawView() {
    if (!this.zoomer || !this.minimap?.clientWidth) return;
    const sizes = this.zoomer.getSizes();
    const pan = this.zoomer.getPan();
    const scale = this.mapScale;
    const left = (-pan.x / sizes.realZoom - sizes.viewBox.x) * scale + this.mapOffset;
    const top = (-pan.y / sizes.realZoom - sizes.viewBox.y) * scale;
    Object.assign(this.view.style, {
      left: `${left}px`, top: `${top}px`,
      width: `${(sizes.width / sizes.realZoom) * scale}px`, height: `${(sizes.height / sizes.realZoom) * scale}px`,
    });
    this.minimap.hidden = sizes.realZoom * sizes.viewBox.width <= sizes.width + 1
      && sizes.realZoom * sizes.viewBox.height <= sizes.height + 1;
  }

  jump(event) {
    const rect = this.minimap.getBoundingClientRect();
    const scale = this.mapScale;
    const sizes = this.zoomer.getSizes();
    const x = (event.clientX - rect.left - this.mapOffset) / scale + sizes.viewBox.x;
    const y = (event.clientY - rect.top) / scale + sizes.viewBox.y;
    this.zoomer.pan({ x: sizes.width / 2 - x * sizes.realZoom, y: sizes.height / 2 - y * sizes.realZoom });
  }
}

// Make the graph in ``box`` zoomable; returns the view, or null when there is no SVG.
export function zoomable(box) {
  const svg = box?.querySelector("svg");
  if (!svg || typeof window.svgPanZoom !== "function") return null;
  return new GraphView(box, svg);
}
