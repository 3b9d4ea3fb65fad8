// Two small panels of the page: the problem box (an API refusal with its detail) and the lineage list.
import { Problem } from "./api.js";
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

export function showProblem(error) {
  if (!(error instanceof Problem)) { console.error(error); error = new Problem(0, { title: String(error) }); }
  const box = $("problem");
  const { title, detail, status, type, ...extra } = error.body;
  const head = document.createElement("strong");
  head.textContent = `${title || t("problem.refused")}${error.status ? ` (HTTP ${error.status})` : ""}`;
  const text = document.createElement("span");
  text.textContent = detail && detail !== title ? detail : "";
  box.replaceChildren(head, text);
  for (const [key, value] of Object.entries(extra)) {
    const more = document.createElement("div");
    more.textContent = `${key.replaceAll("_", " ")}: ${Array.isArray(value) ? value.join(", ") : JSON.stringify(value)}`;
    box.append(more);
  }
  box.dataset.status = String(error.status);
  box.hidden = false;
}

export function clearProblem() { $("problem").hidden = true; $("problem").replaceChildren(); }

/** The parents a parcel came from and the children it became, each a button that opens it. */
export function renderLineage(feature, lineage) {
  const box = $("card-lineage");
  box.replaceChildren();
  const { parents, children } = feature.properties;
  const status = new Map(lineage.map((f) => [f.id, f.properties.status]));
  for (const [label, nibs] of [[t("lineage.parents"), parents], [t("lineage.children"), children]]) {
    if (!nibs.length) continue;
    const heading = document.createElement("h3");
    heading.textContent = label;
    const list = document.createElement("ul");
    for (const nib of nibs) {
      const li = document.createElement("li");
      const button = Object.assign(document.createElement("button"), { type: "button", className: "link", textContent: nib });
      button.dataset.nib = nib;
      li.append(button, ` (${status.has(nib) ? t(`status.${status.get(nib)}`) : t("status.unknown")})`);
      list.append(li);
    }
    box.append(heading, list);
  }
}
