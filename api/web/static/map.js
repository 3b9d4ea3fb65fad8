// A plain vector map in SVG: parcels from GeoJSON in EPSG:4326, projected to local metres.
// Local equirectangular projection (x scaled by cos(latitude) at the origin): right within a village.

const METRES_PER_DEGREE = 6371008.8 * Math.PI / 180;
const NICE = [1, 2, 5];

function round(value) { return Math.round(value * 100) / 100; }

export class ParcelMap {
  constructor({ box, svg, layers, scaleBar, scaleLabel, onSelect, onStatus }) {
    Object.assign(this, { box, svg, layers, scaleBar, scaleLabel, onSelect, onStatus });
    this.origin = null;
    this.view = { x: 0, y: 0, metresPerPixel: 1 };
    this.lastDraw = null;
    this.#listen();
  }

  /** Forget everything drawn (a new search or sign-out). */
  clear() {
    this.origin = null;
    for (const layer of Object.values(this.layers)) layer.replaceChildren();
    this.lastDraw = null;
  }

  project([lon, lat]) {
    const [lon0, lat0, k] = this.origin;
    return [(lon - lon0) * k * METRES_PER_DEGREE, -(lat - lat0) * METRES_PER_DEGREE];
  }

  /** SVG path data of a Polygon or MultiPolygon, in metres from the origin. */
  pathData(geometry) {
    const polygons = geometry.type === "Polygon" ? [geometry.coordinates]
      : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
    let d = "";
    for (const rings of polygons) {
      for (const ring of rings) {
        ring.forEach((point, i) => {
          const [x, y] = this.project(point);
          d += `${i ? "L" : "M"}${round(x)} ${round(y)}`;
        });
        d += "Z";
      }
    }
    return d;
  }

  /** Set the origin from the features' bounds unless one is set (keeps the view stable across layers). */
  anchor(features) {
    if (this.origin || !features.length) return;
    const [minx, miny, maxx, maxy] = lonLatBounds(features);
    const lat0 = (miny + maxy) / 2;
    this.origin = [(minx + maxx) / 2, lat0, Math.cos(lat0 * Math.PI / 180)];
  }

  /** Draw the base layer: every parcel as one <path data-nib>; returns the time taken in ms. */
  drawParcels(features) {
    const started = performance.now();
    this.anchor(features);
    const parts = new Array(features.length);
    for (let i = 0; i < features.length; i++) {
      const f = features[i];
      const nib = String(f.id).replace(/[^0-9A-Za-z-]/g, "");
      const retired = f.properties.status !== "active" ? ' class="retired"' : "";
      parts[i] = `<path data-nib="${nib}"${retired} d="${this.pathData(f.geometry)}"><title>${nib}</title></path>`;
    }
    this.layers.parcels.innerHTML = parts.join("");
    const built = performance.now() - started;
    this.lastDraw = { count: features.length, ms: built };
    return built;
  }

  /** Draw a few features on a named layer with a class each (selected, past, lineage). */
  drawOn(layerName, items) {
    const layer = this.layers[layerName];
    layer.replaceChildren();
    this.anchor(items.map((item) => item.feature));
    for (const { feature, className } of items) {
      const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
      path.setAttribute("d", this.pathData(feature.geometry));
      path.dataset.nib = feature.id;
      if (className) path.setAttribute("class", className);
      const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
      title.textContent = `${feature.id} (${feature.properties.status})`;
      path.append(title);
      layer.append(path);
    }
  }

  /** Show the features' bounds, at least `minimumMetres` across. */
  fit(features, minimumMetres = 60) {
    if (!features.length) return;
    this.anchor(features);
    const [minx, miny, maxx, maxy] = lonLatBounds(features);
    const [x0, y1] = this.project([minx, miny]);
    const [x1, y0] = this.project([maxx, maxy]);
    const { width, height } = this.#size();
    const perPixel = Math.max((x1 - x0) / width, (y1 - y0) / height, minimumMetres / Math.min(width, height));
    this.view = { x: (x0 + x1) / 2, y: (y0 + y1) / 2, metresPerPixel: perPixel * 1.1 };
    this.#apply();
  }

  zoom(factor, pixel = null) {
    const { width, height } = this.#size();
    const [px, py] = pixel || [width / 2, height / 2];
    const v = this.view;
    const mx = v.x + (px - width / 2) * v.metresPerPixel;
    const my = v.y + (py - height / 2) * v.metresPerPixel;
    const next = Math.min(Math.max(v.metresPerPixel / factor, 0.005), 500);
    this.view = { x: mx - (px - width / 2) * next, y: my - (py - height / 2) * next, metresPerPixel: next };
    this.#apply();
  }

  pan(dxPixels, dyPixels) {
    this.view.x -= dxPixels * this.view.metresPerPixel;
    this.view.y -= dyPixels * this.view.metresPerPixel;
    this.#apply();
  }

  #size() {
    const rect = this.box.getBoundingClientRect();
    return { width: Math.max(rect.width, 1), height: Math.max(rect.height, 1) };
  }

  #apply() {
    const { width, height } = this.#size();
    const v = this.view;
    const w = width * v.metresPerPixel;
    const h = height * v.metresPerPixel;
    this.svg.setAttribute("viewBox", `${v.x - w / 2} ${v.y - h / 2} ${w} ${h}`);
    this.#scaleBar(width, height);
  }

  #scaleBar(width, height) {
    const target = 120 * this.view.metresPerPixel;  // about 120 px of ground
    const power = 10 ** Math.floor(Math.log10(target));
    let metres = power;
    for (const n of NICE) if (n * power <= target) metres = n * power;
    const pixels = metres / this.view.metresPerPixel;
    this.scaleBar.setAttribute("width", String(Math.round(pixels)));
    this.scaleBar.parentElement.setAttribute("transform", `translate(16,${height - 14})`);
    this.scaleLabel.textContent = metres >= 1000 ? `${metres / 1000} km` : `${metres} m`;
    this.box.dataset.metresPerPixel = this.view.metresPerPixel.toFixed(4);
  }

  #listen() {
    let drag = null;
    this.box.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      drag = { x: event.clientX, y: event.clientY, moved: 0, id: event.pointerId };
    });
    this.box.addEventListener("pointermove", (event) => {
      if (!drag || event.pointerId !== drag.id) return;
      const dx = event.clientX - drag.x;
      const dy = event.clientY - drag.y;
      drag.moved += Math.abs(dx) + Math.abs(dy);
      if (drag.moved > 4) {
        if (!this.box.hasPointerCapture(event.pointerId)) this.box.setPointerCapture(event.pointerId);
        this.box.classList.add("dragging");
        this.pan(dx, dy);
      }
      drag.x = event.clientX;
      drag.y = event.clientY;
    });
    const end = (event) => {
      if (!drag) return;
      const clicked = drag.moved <= 4;
      drag = null;
      this.box.classList.remove("dragging");
      if (clicked && event.type === "pointerup") {
        const hit = document.elementFromPoint(event.clientX, event.clientY);
        const path = hit && hit.closest && hit.closest("path[data-nib]");
        if (path) this.onSelect(path.dataset.nib);
      }
    };
    this.box.addEventListener("pointerup", end);
    this.box.addEventListener("pointercancel", end);
    this.box.addEventListener("wheel", (event) => {
      event.preventDefault();
      const rect = this.box.getBoundingClientRect();
      this.zoom(event.deltaY < 0 ? 1.25 : 0.8, [event.clientX - rect.left, event.clientY - rect.top]);
    }, { passive: false });
    this.box.addEventListener("keydown", (event) => {
      const step = 60;
      const moves = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
      if (moves[event.key]) this.pan(...moves[event.key]);
      else if (event.key === "+" || event.key === "=") this.zoom(1.5);
      else if (event.key === "-" || event.key === "_") this.zoom(1 / 1.5);
      else if (event.key === "0") this.onStatus("fit");
      else return;
      event.preventDefault();
    });
    new ResizeObserver(() => { if (this.origin) this.#apply(); }).observe(this.box);
  }
}

/** [minLon, minLat, maxLon, maxLat] of Polygon / MultiPolygon features. */
export function lonLatBounds(features) {
  let minx = Infinity, miny = Infinity, maxx = -Infinity, maxy = -Infinity;
  for (const f of features) {
    const g = f.geometry;
    const polygons = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
    for (const rings of polygons) for (const [x, y] of rings[0]) {
      if (x < minx) minx = x; if (x > maxx) maxx = x;
      if (y < miny) miny = y; if (y > maxy) maxy = y;
    }
  }
  return [minx, miny, maxx, maxy];
}
