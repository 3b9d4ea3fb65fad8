// The Surat Ukur sketch of a parcel: outline, numbered corners with TM-3 coordinates, side lengths, area, NIB,
// north arrow and scale; printable at its true scale (the drawing is sized in millimetres).
import { formatArea, formatDate, formatLength, formatNumber, t } from "./i18n.js";

const SVG = "http://www.w3.org/2000/svg";
const DRAWING_MM = 150;  // the printed drawing's side; the scale is chosen so the parcel fits in it
const SCALES = [100, 200, 250, 500, 1000, 1500, 2000, 2500, 5000, 10000, 25000, 50000];

/** The TM-3 zone (EPSG:23830..23845) a parcel is measured in: its survey's, else the zone of its longitude. */
export function tm3Zone(surveyCrs, longitude) {
  const given = /^EPSG:(238[34]\d)$/.exec(surveyCrs || "");
  const epsg = given && Number(given[1]) <= 23845 ? Number(given[1])
    : 23830 + Math.min(Math.max(Math.floor((longitude - 93) / 3), 0), 15);
  const index = epsg - 23830;
  const name = `${46 + Math.floor((index + 1) / 2)}.${index % 2 === 0 ? 2 : 1}`;
  const definition = `+proj=tmerc +lat_0=0 +lon_0=${94.5 + 3 * index} +k=0.9999 +x_0=200000 +y_0=1500000 +ellps=WGS84 +units=m +no_defs`;
  return { epsg, name, definition };
}

/** The rings of a parcel in TM-3 metres, without each ring's closing point. */
export function tm3Rings(feature, zone) {
  const g = feature.geometry;
  const polygons = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
  const project = proj4("EPSG:4326", zone.definition);
  return polygons.flat().map((ring) => ring.slice(0, -1).map((point) => project.forward(point)));
}

function element(name, attributes = {}, text = "") {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text) node.textContent = text;
  return node;
}

function html(name, className, text) {
  const node = document.createElement(name);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Draw the sketch of `feature` (a /v1 parcel Feature) into `box`. */
export function renderSketch(box, feature) {
  const p = feature.properties;
  const [lon] = feature.bbox || [feature.geometry.coordinates.flat(3)[0]];
  const zone = tm3Zone(p.survey_crs, lon);
  const rings = tm3Rings(feature, zone);
  const points = rings.flat();
  const xs = points.map(([x]) => x), ys = points.map(([, y]) => y);
  const bounds = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  const span = Math.max(bounds[2] - bounds[0], bounds[3] - bounds[1], 1);
  const scale = SCALES.find((s) => (span * 1000) / s <= DRAWING_MM * 0.7) || SCALES[SCALES.length - 1];
  const title = p.title && p.title.status === "active" ? p.title : null;

  const head = html("header", "sketch-head");
  head.append(html("h3", "", t("sketch.title")), facts([
    [t("sketch.nib"), p.nib], [t("sketch.village"), p.village_code],
    [t("sketch.right"), title ? `${title.right_type} ${title.certificate_number}` : t("card.no_title")],
    [t("sketch.area"), formatArea(p.area_m2)], [t("sketch.crs"), `TM-3 ${zone.name} (EPSG:${zone.epsg})`],
    [t("sketch.scale"), `1:${scale.toLocaleString("en-GB").replaceAll(",", ".")}`],
    [t("sketch.printed"), formatDate(new Date().toISOString().slice(0, 10))],
  ]));
  box.replaceChildren(head, drawing(rings, bounds, scale), tables(rings));
  Object.assign(box.dataset, { nib: p.nib, epsg: String(zone.epsg), scale: String(scale), corners: String(points.length) });
}

function facts(pairs) {
  const list = html("dl", "facts");
  for (const [term, value] of pairs) list.append(html("dt", "", term), html("dd", "", value));
  return list;
}

function drawing(rings, [minx, miny, maxx, maxy], scale) {
  const mm = (metres) => (metres * 1000) / scale;  // ground metres to millimetres on paper
  const size = DRAWING_MM + 20;
  const ox = (size - mm(maxx - minx)) / 2, oy = (size - mm(maxy - miny)) / 2;
  const at = ([x, y]) => [ox + mm(x - minx), size - (oy + mm(y - miny))];  // north up
  const svg = element("svg", { viewBox: `0 0 ${size} ${size}`, width: `${size}mm`, height: `${size}mm`,
    role: "img", "aria-label": t("sketch.drawing"), class: "sketch-drawing" });
  svg.append(element("rect", { x: 0.5, y: 0.5, width: size - 1, height: size - 1, class: "frame" }));
  let number = 0;
  for (const ring of rings) {
    svg.append(element("polygon", { points: ring.map((point) => at(point).join(",")).join(" "), class: "outline" }));
    ring.forEach((point, i) => {
      const next = ring[(i + 1) % ring.length];
      const [x1, y1] = at(point), [x2, y2] = at(next);
      const length = Math.hypot(next[0] - point[0], next[1] - point[1]);
      svg.append(element("text", { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 1.5, class: "side", "text-anchor": "middle" },
        formatLength(length)));
      number += 1;
      svg.append(element("circle", { cx: x1, cy: y1, r: 1.2, class: "corner" }),
        element("text", { x: x1 + 2, y: y1 - 2, class: "corner-number" }, String(number)));
    });
  }
  svg.append(north(size), scaleBar(size, scale));
  return svg;
}

function north(size) {
  const group = element("g", { transform: `translate(${size - 14},18)`, class: "north" });
  group.append(element("polygon", { points: "0,-12 5,5 0,2 -5,5" }), element("text", { x: 0, y: 12, "text-anchor": "middle" }, "U"));
  return group;
}

function scaleBar(size, scale) {
  const metres = [1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000].filter((m) => (m * 1000) / scale <= 50).pop() || 1;
  const length = (metres * 1000) / scale;
  const group = element("g", { transform: `translate(8,${size - 8})`, class: "scale" });
  group.append(element("rect", { x: 0, y: -2, width: length, height: 2 }),
    element("text", { x: 0, y: -4 }, "0"), element("text", { x: length, y: -4, "text-anchor": "end" }, `${metres} m`));
  return group;
}

function tables(rings) {
  const wrap = html("div", "sketch-tables");
  const corners = html("table", "grid corners");
  corners.id = "sketch-corners";
  corners.createCaption().textContent = t("sketch.corners");
  corners.append(row("th", [t("sketch.no"), "X (m)", "Y (m)"]));
  const sides = html("table", "grid sides");
  sides.id = "sketch-sides";
  sides.createCaption().textContent = t("sketch.sides");
  sides.append(row("th", [t("sketch.side"), t("sketch.length")]));
  let number = 0;
  for (const ring of rings) {
    const first = number + 1;
    ring.forEach((point, i) => {
      number += 1;
      const next = ring[(i + 1) % ring.length];
      corners.append(row("td", [String(number), point[0].toFixed(2), point[1].toFixed(2)]));
      const to = i + 1 < ring.length ? number + 1 : first;
      sides.append(row("td", [`${number}–${to}`, formatNumber(Math.hypot(next[0] - point[0], next[1] - point[1]), 2, true)]));
    });
  }
  wrap.append(corners, sides);
  return wrap;
}

function row(cell, values) {
  const tr = document.createElement("tr");
  for (const value of values) tr.append(html(cell, "", value));
  return tr;
}
