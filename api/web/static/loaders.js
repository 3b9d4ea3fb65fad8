// What the page reads around a selected parcel: its neighbours (from /ogc), its parents and children, its announcement.
import { allOgcItems, get, q } from "./api.js";
import { formatDate, t } from "./i18n.js";
import { lonLatBounds } from "./map.js";

const $ = (id) => document.getElementById(id);

/** The active parcels within `metres` of the feature, from the service's own OGC API - Features items. */
export async function loadNeighbours(feature, metres) {
  const [minx, miny, maxx, maxy] = lonLatBounds([feature]);
  const dLat = metres / (6371008.8 * Math.PI / 180);
  const dLon = dLat / Math.cos(((miny + maxy) / 2) * Math.PI / 180);
  const bbox = [minx - dLon, miny - dLat, maxx + dLon, maxy + dLat].map((v) => v.toFixed(7)).join(",");
  return (await allOgcItems(`/ogc/collections/parcels/items?bbox=${bbox}&limit=1000`, { most: 3000 })).features;
}

/** The parcels the feature came from and became (at most 30), as /v1 Features; a missing one is left out. */
export async function loadLineage(feature) {
  const nibs = [...feature.properties.parents, ...feature.properties.children].slice(0, 30);
  const found = await Promise.all(nibs.map((nib) => get(`/v1/parcels/${q(nib)}`).catch(() => null)));
  return found.filter(Boolean);
}

/** The parcel's announcement before its first title (pengumuman), or null when it has none. */
export async function fetchAnnouncement(nib) {
  try { return await get(`/v1/parcels/${q(nib)}/announcement`); } catch { return null; }
}

export function showAnnouncement(found) {
  $("announcement-facts").textContent = `${found.announcement_id} · ${t(`announcement.${found.kind}`)} · `
    + `${formatDate(found.started_on)} – ${formatDate(found.ends_on)} · ${found.status} · ${found.right_type}`;
  $("announcement-objections").replaceChildren(...found.objections.map((o) => Object.assign(
    document.createElement("li"), { textContent: `${o.objection_id} ${formatDate(o.lodged_on)} ${o.name}: ${o.status}` })));
  $("card-announcement").hidden = false;
}
