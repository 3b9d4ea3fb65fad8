// The measuring tool: click points on the map, double-click (or Enter) to finish; lengths and areas on the ellipsoid.
import { formatArea, formatLength, t } from "./i18n.js";

const style = new ol.style.Style({
  stroke: new ol.style.Stroke({ color: "#d81b60", width: 3, lineDash: [6, 4] }),
  fill: new ol.style.Fill({ color: "rgba(216,27,96,0.12)" }),
  image: new ol.style.Circle({ radius: 4, fill: new ol.style.Fill({ color: "#d81b60" }) }),
});

export class Measure {
  constructor(parcelMap, { output, buttons }) {
    Object.assign(this, { parcelMap, output, buttons });
    this.source = new ol.source.Vector();
    parcelMap.map.addLayer(new ol.layer.Vector({ source: this.source, style, zIndex: 40 }));
    this.draw = null;
    this.kind = null;
    this.last = null;  // {kind, metres} of the last finished measurement, redrawn on a language switch
    parcelMap.target.addEventListener("keydown", (event) => {
      if (!this.draw) return;
      if (event.key === "Enter") { this.draw.finishDrawing(); event.preventDefault(); }
      if (event.key === "Escape") { this.stop(); event.preventDefault(); }
    });
  }

  /** Start measuring a "length" (a line) or an "area" (a polygon); the same button again stops. */
  toggle(kind) {
    const again = this.kind === kind;
    this.stop();
    if (again) return;
    this.kind = kind;
    this.draw = new ol.interaction.Draw({ source: this.source, type: kind === "length" ? "LineString" : "Polygon", style });
    this.draw.on("drawstart", (event) => {
      this.source.clear();
      event.feature.getGeometry().on("change", (change) => this.#show(change.target, false));
    });
    this.draw.on("drawend", (event) => this.#show(event.feature.getGeometry(), true));
    this.parcelMap.map.addInteraction(this.draw);
    this.parcelMap.busy = true;
    this.#press();
    this.output.textContent = t(kind === "length" ? "measure.start_length" : "measure.start_area");
  }

  stop() {
    if (this.draw) this.parcelMap.map.removeInteraction(this.draw);
    this.draw = null;
    this.kind = null;
    this.parcelMap.busy = false;
    this.#press();
  }

  clear() {
    this.stop();
    this.source.clear();
    this.last = null;
    this.output.textContent = "";
    delete this.output.dataset.metres;
  }

  /** Write the last measurement again (after a language switch). */
  refresh() { if (this.last) this.#write(this.last.kind, this.last.metres, true); }

  #show(geometry, done) {
    const area = geometry.getType() === "Polygon";
    const metres = area ? ol.sphere.getArea(geometry) : ol.sphere.getLength(geometry);
    this.#write(area ? "area" : "length", metres, done);
    if (done) this.last = { kind: area ? "area" : "length", metres };
  }

  #write(kind, metres, done) {
    const value = kind === "area" ? formatArea(metres) : formatLength(metres);
    this.output.textContent = t(done ? `measure.done_${kind}` : `measure.so_far_${kind}`, { value });
    this.output.dataset.metres = metres.toFixed(3);
    this.output.dataset.kind = kind;
    this.output.dataset.done = String(done);
  }

  #press() {
    for (const [kind, button] of Object.entries(this.buttons)) button.setAttribute("aria-pressed", String(this.kind === kind));
  }
}
