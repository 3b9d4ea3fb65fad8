// The parcel card and the lines of the history timeline, built with textContent only (no HTML injection).

const $ = (id) => document.getElementById(id);
const number = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 2 });

function cell(text, className = "") {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function fillRows(tableId, rows, columns, empty) {
  const body = $(tableId).querySelector("tbody");
  if (!rows.length) {
    const tr = document.createElement("tr");
    const td = cell(empty, "none");
    td.colSpan = columns;
    tr.append(td);
    body.replaceChildren(tr);
    return;
  }
  body.replaceChildren(...rows.map((values) => {
    const tr = document.createElement("tr");
    tr.append(...values.map((value) => {
      if (!Array.isArray(value)) return cell(value);
      const td = cell(value[0]);  // a main line and a smaller second line (a holder's id)
      td.append(document.createElement("br"), Object.assign(document.createElement("small"), { textContent: value[1] }));
      return td;
    }));
    return tr;
  }));
}

/** Show a parcel Feature (now, or as of a chosen time) in the card. */
export function renderCard(feature, asOf) {
  const p = feature.properties;
  const title = p.title;
  $("card-nib").textContent = p.nib;
  const banner = $("card-asof");
  banner.hidden = !asOf;
  banner.textContent = asOf ? `As of ${asOf.replace("T", " ").slice(0, 19)}${asOf.length > 10 ? " UTC" : " (end of day, UTC)"}: `
    + `the parcel and its title as recorded then (version ${p.version}).` : "";
  const facts = [
    ["NIB", p.nib], ["Village", p.village_code], ["Area", `${number.format(p.area_m2)} m²`],
    ["Status", p.status], ["Right type", title ? title.right_type : "no title"],
    ["Certificate", title ? title.certificate_number : "–"], ["Edition", title ? String(title.edition) : "–"],
    ["Title status", title ? title.status : "–"], ["Right ends", title ? title.ends_on || "never (hak milik)" : "–"],
    ["Version", String(p.version)], ["Survey CRS", p.survey_crs || "–"],
  ];
  const list = $("card-facts");
  list.replaceChildren();
  for (const [term, value] of facts) {
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = value;
    if (term === "Status" && value !== "active") dd.className = "status-retired";
    list.append(dt, dd);
  }
  fillRows("card-holders", (title ? title.holders : []).map((h) => [[h.name, h.id], h.kind.replace("_", " "), h.share]), 3,
    title ? "none" : "no title registered");
  fillRows("card-mortgages", (title ? title.mortgages : []).map((m) => [
    String(m.rank), m.creditor ? m.creditor.name || m.creditor.id : "–", m.amount ? number.format(Number(m.amount)) : "–",
  ]), 3, "none");
  fillRows("card-blocks", (title ? title.blocks : []).map((b) => [b.kind, b.requested_by || "–", b.until || "until lifted"]),
    3, "none");
  fillRows("card-others", (p.other_titles || []).map((t) => [
    t.certificate_number,
    t.unit ? [`${t.right_type} unit ${t.unit.id}`, `floor ${t.unit.floor}, common share ${t.unit.common_share}`]
      : [t.right_type, `on ${t.on_title}`],
    t.holders.map((h) => `${h.name} (${h.share})`).join(", "), t.status,
  ]), 4, "none");
}

function words(type) {
  const [aggregate, name] = type.split(".");
  return `${aggregate}: ${name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase()}`;
}

function detailText(details) {
  const parts = [];
  if (details.holders) parts.push(`holders: ${details.holders.map((h) => `${h.name} (${h.share})`).join(", ")}`);
  if (details.kind) parts.push(`kind: ${details.kind}`);
  if (details.edition) parts.push(`edition ${details.edition}`);
  if (details.right_type) parts.push(`right ${details.right_type}`);
  if (details.area_m2) parts.push(`${details.area_m2} m²`);
  if (details.creditor) parts.push(`creditor: ${details.creditor.name || details.creditor.id}`);
  if (details.rank) parts.push(`rank ${details.rank}`);
  if (details.requested_by) parts.push(`requested by ${details.requested_by}`);
  if (details.children) parts.push(`children: ${details.children.join(", ")}`);
  if (details.parents) parts.push(`parents: ${details.parents.join(", ")}`);
  if (details.on_title) parts.push(`on title ${details.on_title}`);
  if (details.unit) parts.push(`unit ${details.unit.id}, common share ${details.unit.common_share}`);
  if (details.release_by) parts.push(`to be released by ${details.release_by}`);
  return parts.join("; ");
}

/** One event of GET /v1/parcels/{nib}/history as a timeline entry. */
export function eventLine(event, index) {
  const li = document.createElement("li");
  li.dataset.index = String(index);
  li.dataset.version = String(event.version);
  const span = (className, text) => Object.assign(document.createElement("span"), { className, textContent: text });
  const actor = event.actor || {};
  const source = event.source || {};
  li.append(
    span("kind", words(event.type)),
    span("when", `effective ${event.effective_at} · recorded ${event.recorded_at.replace("T", " ").slice(0, 19)} UTC`),
    span("who", `by ${actor.user_id || "?"} (${actor.role || "?"}) · version ${event.version}`),
    span("doc", `source: ${source.kind || "?"} ${source.number || ""} of ${source.date || "?"}`),
  );
  const detail = detailText(event.details || {});
  if (detail) li.append(span("detail", detail));
  return li;
}
