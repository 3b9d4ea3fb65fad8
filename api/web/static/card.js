// The parcel card (with its banner of blocks and mortgages) and the lines of the history timeline,
// built with textContent only (no HTML injection).
import { formatArea, formatDate, formatMoney, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

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

/** The banner over the card: each active block (blokir, sita) and mortgage, which an officer must see first. */
function renderAlerts(title) {
  const alerts = [];
  for (const b of title ? title.blocks : []) {
    alerts.push(["blocked", t("alert.blocked", { kind: t(`block.${b.kind}`), by: b.requested_by || "–",
      until: b.until ? formatDate(b.until) : t("card.until_lifted") })]);
  }
  for (const m of title ? title.mortgages : []) {
    alerts.push(["mortgaged", t("alert.mortgaged", { rank: m.rank, creditor: creditorName(m), amount: formatMoney(m.amount) })]);
  }
  $("card-alerts").replaceChildren(...alerts.map(([kind, text]) => Object.assign(document.createElement("p"),
    { className: `alert ${kind}`, textContent: text, role: kind === "blocked" ? "alert" : "note" })));
}

function creditorName(m) { return m.creditor ? m.creditor.name || m.creditor.id : "–"; }

/** Show a parcel Feature (now, or at a chosen point of asof.js: a legal day and/or a recorded time) in the card. */
export function renderCard(feature, point) {
  const p = feature.properties;
  const title = p.title;
  $("card-nib").textContent = p.nib;
  const banner = $("card-asof");
  banner.hidden = !point;
  const kind = point && (point.effective && point.recorded ? "card.asof_both" : point.effective ? "card.asof_day" : "card.asof_time");
  banner.textContent = point ? t(kind, { day: formatDate(point.effective), when: formatDate(point.recorded), version: p.version }) : "";
  renderAlerts(title);
  const facts = [
    ["nib", p.nib], ["village", p.village_code], ["area", formatArea(p.area_m2)],
    ["status", t(`status.${p.status}`)], ["right_type", title ? `${title.right_type} (${t(`right.${title.right_type}`)})` : t("card.no_title")],
    ["certificate", title ? title.certificate_number : "–"], ["edition", title ? String(title.edition) : "–"],
    ["title_status", title ? t(`status.${title.status}`) : "–"],
    ["right_ends", title ? (title.ends_on ? formatDate(title.ends_on) : t("card.never_ends")) : "–"],
    ["version", String(p.version)], ["survey_crs", p.survey_crs || "–"],
  ];
  const list = $("card-facts");
  list.replaceChildren();
  for (const [term, value] of facts) {
    const dt = document.createElement("dt");
    dt.textContent = t(`fact.${term}`);
    const dd = document.createElement("dd");
    dd.textContent = value;
    dd.dataset.fact = term;
    if (term === "status" && p.status !== "active") dd.className = "status-retired";
    list.append(dt, dd);
  }
  fillRows("card-holders", (title ? title.holders : []).map((h) => [[h.name, h.id], t(`holder.${h.kind}`), h.share]), 3,
    title ? t("card.none") : t("card.no_title"));
  fillRows("card-mortgages", (title ? title.mortgages : []).map((m) => [String(m.rank), creditorName(m), formatMoney(m.amount)]),
    3, t("card.none"));
  fillRows("card-blocks", (title ? title.blocks : []).map((b) => [t(`block.${b.kind}`), b.requested_by || "–",
    b.until ? formatDate(b.until) : t("card.until_lifted")]), 3, t("card.none"));
  fillRows("card-others", (p.other_titles || []).map((t) => [
    t.certificate_number,
    t.unit ? [`${t.right_type} unit ${t.unit.id}`, `floor ${t.unit.floor}, common share ${t.unit.common_share}`]
      : [t.right_type, `on ${t.on_title}`],
    t.holders.map((h) => `${h.name} (${h.share})`).join(", "), t.status,
  ]), 4, "none");
}

/** "Title: ownership transferred" from "Title.OwnershipTransferred", in words of the current language. */
function words(type) {
  const known = t(`event.${type}`);
  if (known !== `event.${type}`) return known;
  const [aggregate, name] = type.split(".");
  return `${aggregate}: ${name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase()}`;
}

function detailText(details) {
  const parts = [];
  if (details.holders) parts.push(`${t("detail.holders")}: ${details.holders.map((h) => `${h.name} (${h.share})`).join(", ")}`);
  if (details.kind) parts.push(`${t("detail.kind")}: ${details.kind}`);
  if (details.edition) parts.push(`${t("detail.edition")} ${details.edition}`);
  if (details.right_type) parts.push(`${t("detail.right")} ${details.right_type}`);
  if (details.area_m2) parts.push(formatArea(Number(details.area_m2)));
  if (details.creditor) parts.push(`${t("detail.creditor")}: ${details.creditor.name || details.creditor.id}`);
  if (details.amount) parts.push(formatMoney(details.amount));
  if (details.rank) parts.push(`${t("detail.rank")} ${details.rank}`);
  if (details.requested_by) parts.push(`${t("detail.requested_by")} ${details.requested_by}`);
  if (details.children) parts.push(`${t("detail.children")}: ${details.children.join(", ")}`);
  if (details.parents) parts.push(`${t("detail.parents")}: ${details.parents.join(", ")}`);
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
    span("when", t("event.when", { effective: formatDate(event.effective_at), recorded: formatDate(event.recorded_at) })),
    span("who", t("event.who", { user: actor.user_id || "?", role: actor.role || "?", version: event.version })),
    span("doc", t("event.source", { kind: source.kind || "?", number: source.number || "", date: formatDate(source.date) })),
  );
  const detail = detailText(event.details || {});
  if (detail) li.append(span("detail", detail));
  return li;
}
