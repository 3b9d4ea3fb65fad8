// How a parcel looks on the map, and the legend drawn from the same table (one rule, one place).
import { t } from "./i18n.js";

const { Style, Fill, Stroke, Text } = ol.style;

// Fill by right type (hak): colours told apart by people with red-green colour blindness too.
export const RIGHT_FILLS = {
  HM: "#a6cee3", HGB: "#fdbf6f", HGU: "#b2df8a", HP: "#cab2d6", HPL: "#ffff99", WAKAF: "#fb9a99",
  HMSRS: "#8dd3c7", none: "#f0f0f0",
};
// The outline says what the officer must notice first: a recorded overlap with another certificate
// (tumpang tindih: no dealing until resolved), else a block (blokir/sita), else a mortgage.
const OUTLINES = { conflict: ["#ff7f00", 4, [2, 3]], blocked: ["#c00000", 3.5, null], mortgaged: ["#6a3d9a", 2.5, [8, 4]],
                   plain: ["#4a5a3a", 1, null] };
export const CONFLICT = OUTLINES.conflict[0];
const RETIRED = { fill: "rgba(160,160,160,0.25)", stroke: ["#6b6b6b", 1.5, [6, 4]] };
const LABEL_RESOLUTION = 1.5;  // metres a pixel: below it each parcel is labelled with its NIB (where it fits)

/** What a Feature of /v1 (nested title) or of /ogc (flat properties) looks like: its classes. */
export function look(properties) {
  const title = properties.title;
  const flat = !("title" in properties);
  const right = flat ? properties.right_type : title && title.status === "active" ? title.right_type : null;
  const blocked = flat ? Boolean(properties.is_blocked) : Boolean(title && title.blocks && title.blocks.length);
  const mortgaged = flat ? Boolean(properties.has_mortgage) : Boolean(title && title.mortgages && title.mortgages.length);
  return {
    status: properties.status === "active" ? "active" : "retired",
    right: right && RIGHT_FILLS[right] ? right : "none",
    flag: properties.in_conflict ? "conflict" : blocked ? "blocked" : mortgaged ? "mortgaged" : "plain",
  };
}

const cache = new Map();

function stroke([color, width, dash]) { return new Stroke({ color, width, lineDash: dash || undefined }); }

/** The OpenLayers style of a parcel at a resolution (labels only when zoomed in). */
export function parcelStyle(feature, resolution) {
  const { status, right, flag } = feature.get("look");
  const key = `${status}|${right}|${flag}`;
  if (!cache.has(key)) {
    cache.set(key, status === "retired"
      ? new Style({ fill: new Fill({ color: RETIRED.fill }), stroke: stroke(RETIRED.stroke) })
      : new Style({ fill: new Fill({ color: RIGHT_FILLS[right] + "cc" }), stroke: stroke(OUTLINES[flag]) }));
  }
  const style = cache.get(key);
  if (resolution > LABEL_RESOLUTION) return style;
  return [style, label(feature.getId())];
}

const labels = new Map();

// The NIB in two lines, village code over serial, so that it fits a small parcel; dropped where it does not.
function label(nib) {
  if (!labels.has(nib)) labels.set(nib, makeLabel(nib));
  return labels.get(nib);
}

function makeLabel(nib) {
  const text = String(nib).length === 13 ? `${String(nib).slice(0, 8)}\n${String(nib).slice(8)}` : String(nib);
  return new Style({ text: new Text({ text, font: "11px system-ui, sans-serif", overflow: false,
    fill: new Fill({ color: "#111" }), stroke: new Stroke({ color: "#fff", width: 3 }) }) });
}

export const selectedStyle = new Style({ stroke: new Stroke({ color: "#e4a10b", width: 5 }), fill: new Fill({ color: "rgba(228,161,11,0.15)" }) });
export const pastStyle = new Style({ stroke: new Stroke({ color: "#8e44ad", width: 4, lineDash: [10, 5] }) });
export const overlapStyle = new Style({ stroke: new Stroke({ color: CONFLICT, width: 2 }),
  fill: new Fill({ color: "rgba(255,127,0,0.55)" }) });
export const lineageStyle = (feature) => new Style({ stroke: new Stroke({
  color: feature.get("look").status === "active" ? "#0b4f9c" : "#6b6b6b", width: 3, lineDash: [4, 4] }) });

/** The legend: every class with how many of the parcels drawn are in it (classes with none are muted). */
export function legendItems(looks) {
  const count = (test) => looks.filter(test).length;
  const items = Object.keys(RIGHT_FILLS).map((right) => ({
    id: `right-${right}`, swatch: { background: RIGHT_FILLS[right] },
    text: right === "none" ? t("legend.untitled") : t("legend.right", { right, name: t(`right.${right}`) }),
    count: count((l) => l.status === "active" && l.right === right),
  }));
  items.push(
    { id: "conflict", swatch: { border: `3px dotted ${CONFLICT}` }, text: t("legend.conflict"), count: count((l) => l.flag === "conflict") },
    { id: "blocked", swatch: { border: `3px solid ${OUTLINES.blocked[0]}` }, text: t("legend.blocked"), count: count((l) => l.flag === "blocked") },
    { id: "mortgaged", swatch: { border: `3px dashed ${OUTLINES.mortgaged[0]}` }, text: t("legend.mortgaged"), count: count((l) => l.flag === "mortgaged") },
    { id: "retired", swatch: { border: `2px dashed ${RETIRED.stroke[0]}`, background: "#ddd" }, text: t("legend.retired"), count: count((l) => l.status === "retired") },
    { id: "selected", swatch: { border: "3px solid #e4a10b" }, text: t("legend.selected"), count: null },
    { id: "past", swatch: { border: "3px dashed #8e44ad" }, text: t("legend.past"), count: null },
    { id: "lineage", swatch: { border: "3px dashed #0b4f9c" }, text: t("legend.lineage"), count: null },
  );
  return items;
}

/** Fill the legend list (swatch colours are set through the CSSOM, which the page's CSP allows). */
export function renderLegend(list, looks) {
  list.replaceChildren(...legendItems(looks).map((item) => {
    const li = document.createElement("li");
    li.dataset.legend = item.id;
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    Object.assign(swatch.style, item.swatch);
    const words = document.createElement("span");
    words.textContent = item.text;
    li.append(swatch, words);
    if (item.count !== null) {
      const n = document.createElement("span");
      n.className = "count";
      n.textContent = `(${item.count})`;
      li.append(" ", n);
      if (!item.count) li.classList.add("none");
    }
    return li;
  }));
}
