// The Overlaps tab: GET /v1/reports/overlaps?village= listed pair by pair and drawn on the map in the
// conflict colour (the shared part of each pair); a pair's button opens its first parcel.
import { get, q } from "./api.js";
import { formatNumber, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

/** Fetch the village's first page of pairs (up to 100), list them and return them as GeoJSON Features. */
export async function loadOverlaps(village, onOpen) {
  $("overlaps-summary").textContent = t("search.searching");
  const report = await get(`/v1/reports/overlaps?village=${q(village)}&limit=100`);
  const pairs = report.features;
  $("overlaps-summary").textContent = t(pairs.length ? "overlaps.found" : "overlaps.none",
    { n: pairs.length, village, more: report.next_cursor ? t("overlaps.more") : "" });
  $("overlaps-list").replaceChildren(...pairs.map((pair) => pairLine(pair, onOpen)));
  return pairs;
}

function pairLine(pair, onOpen) {
  const p = pair.properties;
  const li = document.createElement("li");
  li.dataset.pair = pair.id;
  const open = Object.assign(document.createElement("button"), { type: "button", className: "link",
    textContent: `${p.nib_a} × ${p.nib_b}` });
  open.addEventListener("click", () => onOpen(p.nib_a));
  const facts = document.createElement("span");
  facts.textContent = " " + t("overlaps.pair", { area: formatNumber(p.overlap_m2), percent: formatNumber(p.fraction * 100, 1) })
    + (p.duplicate ? ` · ${t(`overlaps.${p.duplicate}`)}` : "");
  li.append(open, facts);
  return li;
}
