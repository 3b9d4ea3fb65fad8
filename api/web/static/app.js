// The land office page: sign in, search, map, parcel card, history with an as-of view, audit.
import { Problem, allFeatures, get, guessKind, q, session } from "./api.js";
import { ParcelMap, lonLatBounds } from "./map.js";
import { eventLine, renderCard } from "./card.js";

const $ = (id) => document.getElementById(id);
const NEIGHBOURHOOD_M = 150;   // neighbours are fetched within this distance of the selected parcel
const LIST_MOST = 300;         // the results list shows at most this many rows (the map draws them all)

const state = { base: new Map(), selected: null, events: [], asOfTicket: 0, searchTicket: 0 };

const map = new ParcelMap({
  box: $("map"), svg: $("map-svg"),
  layers: { parcels: $("layer-parcels"), lineage: $("layer-lineage"), selected: $("layer-selected") },
  scaleBar: $("scale-bar"), scaleLabel: $("scale-label"),
  onSelect: (nib) => select(nib).catch(showProblem),
  onStatus: () => fitAll(),
});

// -- problems -------------------------------------------------------------------------------------

function showProblem(error) {
  if (!(error instanceof Problem)) { console.error(error); error = new Problem(0, { title: String(error) }); }
  const box = $("problem");
  const { title, detail, status, type, ...extra } = error.body;
  const head = document.createElement("strong");
  head.textContent = `${title || "Refused"}${error.status ? ` (HTTP ${error.status})` : ""}`;
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

function clearProblem() { $("problem").hidden = true; $("problem").replaceChildren(); }

// -- sign in ----------------------------------------------------------------------------------------

async function signIn(token) {
  session.set(token);
  clearProblem();
  try {
    await get("/v1/parcels?village=00000000&limit=1");  // the cheapest read: does the token work here?
    $("who").textContent = `Signed in (token …${token.slice(-4)})`;
  } catch (error) {
    if (error instanceof Problem && error.status === 401) { session.clear(); showProblem(error); return; }
    if (!(error instanceof Problem && error.status === 403)) { session.clear(); showProblem(error); return; }
    $("who").textContent = `Signed in (token …${token.slice(-4)}): this role may not read parcels`;
  }
  $("signin-form").hidden = true;
  $("signed-in").hidden = false;
  $("token-input").value = "";
  document.body.classList.add("signed-in");
  $("search-input").focus();
}

function signOut() {
  session.clear();
  Object.assign(state, { base: new Map(), selected: null, events: [] });
  map.clear();
  for (const id of ["results", "timeline", "audit-result"]) $(id).replaceChildren();
  $("results-summary").textContent = "";
  $("card").hidden = true;
  $("asof").hidden = true;
  $("history-empty").hidden = false;
  $("map-status").textContent = "";
  clearProblem();
  $("signed-in").hidden = true;
  $("signin-form").hidden = false;
  document.body.classList.remove("signed-in");
  $("token-input").focus();
}

// -- search -----------------------------------------------------------------------------------------

async function search(kind, text) {
  const ticket = ++state.searchTicket;
  clearProblem();
  $("results-summary").textContent = "Searching…";
  let features = [];
  let truncated = false;
  const which = kind === "auto" ? guessKind(text) : kind;
  try {
    if (which === "nib") features = [await get(`/v1/parcels/${q(text)}`)];
    else if (which === "certificate") features = [await get(`/v1/certificates/${q(text)}`)];
    else ({ features, truncated } = await allFeatures(`/v1/parcels?${which}=${q(text)}`));
  } catch (error) {
    $("results-summary").textContent = "";
    throw error;
  }
  if (ticket !== state.searchTicket) return;
  const label = { nib: "NIB", certificate: "certificate", holder: "holder", holder_name: "holder name",
                  village: "village" }[which];
  $("results-summary").textContent = `${features.length} parcel${features.length === 1 ? "" : "s"} for ${label} ${text}`
    + (truncated ? " (more not loaded)" : "")
    + (features.length > LIST_MOST ? `; the list shows the first ${LIST_MOST}, the map all` : "");
  listResults(features);
  map.clear();
  state.base = new Map(features.map((f) => [f.id, f]));
  state.selected = null;
  if (features.length === 1) { await select(features[0].id, features[0]); return; }
  await drawBase(true);
}

function listResults(features) {
  const items = features.slice(0, LIST_MOST).map((f) => {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.nib = f.id;
    const title = f.properties.title;
    const holders = title ? title.holders.map((h) => h.name).join(", ") : "no title";
    button.innerHTML = "<span class=nib></span> <span class=st></span>";
    button.querySelector(".nib").textContent = f.id;
    button.querySelector(".st").textContent = `${f.properties.status} · ${holders}`;
    li.append(button);
    return li;
  });
  $("results").replaceChildren(...items);
}

async function drawBase(fit = false) {
  const features = [...state.base.values()];
  const started = performance.now();
  const built = map.drawParcels(features);
  if (fit) fitAll();
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));  // until painted
  const painted = performance.now() - started;
  Object.assign($("map").dataset, { drawCount: String(features.length), drawMs: built.toFixed(1),
    paintMs: painted.toFixed(1) });
  $("map-status").textContent = `${features.length} parcels drawn in ${Math.round(painted)} ms`;
}

function fitAll() {
  const shown = state.selected ? [state.selected] : [...state.base.values()];
  map.fit(shown, state.selected ? NEIGHBOURHOOD_M * 2 : 60);
}

// -- selecting a parcel -------------------------------------------------------------------------------

async function select(nib, feature = null) {
  clearProblem();
  const current = feature || await get(`/v1/parcels/${q(nib)}`);
  state.selected = current;
  for (const button of $("results").querySelectorAll("button[data-nib]")) {
    button.setAttribute("aria-current", String(button.dataset.nib === nib));
  }
  map.anchor([current]);
  showParcel(current, null);
  fitAll();
  const [neighbours, lineage] = await Promise.all([loadNeighbours(current), loadLineage(current)]);
  if (state.selected !== current) return;  // another parcel was chosen meanwhile
  let added = false;
  for (const f of neighbours) if (!state.base.has(f.id)) { state.base.set(f.id, f); added = true; }
  if (added || !$("layer-parcels").childElementCount) await drawBase();
  map.drawOn("lineage", lineage.map((f) => ({ feature: f, className: f.properties.status === "active" ? "active" : "retired" })));
  renderLineage(current, lineage);
  await Promise.all([loadHistory(current.id), loadAnnouncement(current.id)]);
}

async function loadAnnouncement(nib) {
  // The parcel's announcement before its first title (pengumuman) and the objections to it, if any.
  const section = $("card-announcement");
  section.hidden = true;
  let found;
  try { found = await get(`/v1/parcels/${encodeURIComponent(nib)}/announcement`); } catch { return; }
  if (state.selected?.id !== nib) return;
  $("announcement-facts").textContent = `${found.announcement_id} · ${found.kind} · ${found.started_on} – ` +
    `${found.ends_on} · ${found.status} · ${found.right_type}`;
  $("announcement-objections").replaceChildren(...found.objections.map((o) => Object.assign(
    document.createElement("li"), { textContent: `${o.objection_id} ${o.lodged_on} ${o.name}: ${o.status}` })));
  section.hidden = false;
}

function showParcel(feature, asOf) {
  renderCard(feature, asOf);
  $("card").hidden = false;
  const className = asOf ? "past" : feature.properties.status === "active" ? "" : "retired";
  map.drawOn("selected", [{ feature, className }]);
}

async function loadNeighbours(feature) {
  const [minx, miny, maxx, maxy] = lonLatBounds([feature]);
  const dLat = NEIGHBOURHOOD_M / (6371008.8 * Math.PI / 180);
  const dLon = dLat / Math.cos(((miny + maxy) / 2) * Math.PI / 180);
  const bbox = [minx - dLon, miny - dLat, maxx + dLon, maxy + dLat].map((v) => v.toFixed(7)).join(",");
  try {
    return (await allFeatures(`/v1/parcels?bbox=${bbox}`, { most: 3000 })).features;
  } catch (error) {
    showProblem(error);
    return [];
  }
}

async function loadLineage(feature) {
  const nibs = [...feature.properties.parents, ...feature.properties.children].slice(0, 30);
  const found = await Promise.all(nibs.map((nib) => get(`/v1/parcels/${q(nib)}`).catch(() => null)));
  return found.filter(Boolean);
}

function renderLineage(feature, lineage) {
  const box = $("card-lineage");
  box.replaceChildren();
  const { parents, children } = feature.properties;
  if (!parents.length && !children.length) return;
  const status = new Map(lineage.map((f) => [f.id, f.properties.status]));
  for (const [label, nibs] of [["Parents (the parcel came from)", parents], ["Children (the parcel became)", children]]) {
    if (!nibs.length) continue;
    const heading = document.createElement("h3");
    heading.textContent = label;
    const list = document.createElement("ul");
    for (const nib of nibs) {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.dataset.nib = nib;
      button.textContent = nib;
      li.append(button, ` (${status.get(nib) || "unknown"})`);
      list.append(li);
    }
    box.append(heading, list);
  }
}

// -- history and as-of ----------------------------------------------------------------------------------

async function loadHistory(nib) {
  const history = await get(`/v1/parcels/${q(nib)}/history`);
  if (!state.selected || state.selected.id !== nib) return;
  state.events = history.events;
  $("timeline").replaceChildren(...history.events.map((event, index) => eventLine(event, index)));
  const slider = $("asof-slider");
  slider.max = String(history.events.length);
  slider.value = slider.max;
  $("asof-date").value = "";
  describeSlider();
  $("asof").hidden = false;
  $("history-empty").hidden = true;
}

function describeSlider() {
  const slider = $("asof-slider");
  const index = Number(slider.value);
  const event = state.events[index];
  const text = event ? `${event.recorded_at.replace("T", " ").slice(0, 19)} UTC, after event ${index + 1} of ${state.events.length}`
    : "now (every event)";
  $("asof-output").textContent = text;
  slider.setAttribute("aria-valuetext", text);
  for (const li of $("timeline").children) {
    const at = Number(li.dataset.index);
    li.classList.toggle("after", Boolean(event) && at > index);
    li.classList.toggle("chosen", Boolean(event) && at === index);
  }
}

async function showAsOf(asOf) {
  const ticket = ++state.asOfTicket;
  const nib = state.selected.id;
  const shown = asOf ? await get(`/v1/parcels/${q(nib)}?as_of=${q(asOf)}`) : state.selected;
  if (ticket !== state.asOfTicket) return;  // a later choice overtook this answer
  showParcel(shown, asOf);
}

let sliderTimer = 0;
function onSlider() {
  describeSlider();
  $("asof-date").value = "";
  clearTimeout(sliderTimer);
  sliderTimer = setTimeout(() => {
    const event = state.events[Number($("asof-slider").value)];
    showAsOf(event ? event.recorded_at : null).catch(showProblem);
  }, 120);
}

function onDate() {
  const day = $("asof-date").value;
  if (!day) return;
  const end = `${day}T23:59:59.999999+00:00`;
  let index = -1;
  state.events.forEach((event, i) => { if (event.recorded_at <= end) index = i; });
  $("asof-slider").value = String(index < 0 ? 0 : index);
  describeSlider();
  showAsOf(day).catch(showProblem);
}

// -- audit ---------------------------------------------------------------------------------------------

async function runAudit() {
  const box = $("audit-result");
  box.replaceChildren(Object.assign(document.createElement("p"), { textContent: "Verifying…" }));
  const verdict = document.createElement("div");
  try {
    const report = await get("/v1/audit/verify");
    verdict.className = `verdict ${report.ok ? "ok" : "bad"}`;
    verdict.id = "audit-verdict";
    const head = document.createElement("strong");
    head.textContent = report.ok ? "ok: the log is intact" : "BROKEN: the log was changed";
    const facts = document.createElement("dl");
    facts.className = "facts";
    for (const key of ["events_checked", "seals_checked", "checkpoints_checked", "unanchored_seals"]) {
      if (key in report) facts.append(fact(key.replaceAll("_", " "), String(report[key])));
    }
    const brk = report.first_break;
    facts.append(fact("first broken link", brk ? `NIB ${brk.nib || "–"}, version ${brk.version ?? "–"}, position ${brk.position ?? "–"}: ${brk.reason}` : "none"));
    verdict.append(head, facts);
    if (brk && brk.nib) {
      const open = Object.assign(document.createElement("button"), { type: "button", className: "link", textContent: `Open parcel ${brk.nib}` });
      open.dataset.nib = brk.nib;
      verdict.append(open);
    }
  } catch (error) {
    if (!(error instanceof Problem)) throw error;
    verdict.className = "verdict bad";
    verdict.id = "audit-verdict";
    const why = error.status === 403 ? "This token's role may not verify the audit log; sign in with an auditor (or admin) token."
      : error.status === 401 ? "Sign in first." : "The verification could not run.";
    verdict.append(Object.assign(document.createElement("strong"), { textContent: why }),
      Object.assign(document.createElement("p"), { textContent: `${error.body.title || ""} (HTTP ${error.status}): ${error.body.detail || ""}` }));
  }
  box.replaceChildren(verdict);
}

function fact(term, value) {
  const wrap = document.createDocumentFragment();
  wrap.append(Object.assign(document.createElement("dt"), { textContent: term }),
    Object.assign(document.createElement("dd"), { textContent: value }));
  return wrap;
}

// -- tabs ------------------------------------------------------------------------------------------------

function chooseTab(tab) {
  for (const other of document.querySelectorAll("[role=tab]")) {
    const chosen = other === tab;
    other.setAttribute("aria-selected", String(chosen));
    other.tabIndex = chosen ? 0 : -1;
    $(other.getAttribute("aria-controls")).hidden = !chosen;
  }
  tab.focus();
}

// -- wiring ----------------------------------------------------------------------------------------------

function wire() {
  $("signin-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const token = $("token-input").value.trim();
    if (token) signIn(token);
  });
  $("signout-button").addEventListener("click", signOut);
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("search-input").value.trim();
    if (text) search($("search-kind").value, text).catch(showProblem);
  });
  const pick = (event) => {
    const button = event.target.closest("button[data-nib]");
    if (button) select(button.dataset.nib).catch(showProblem);
  };
  for (const id of ["results", "card-lineage", "audit-result"]) $(id).addEventListener("click", pick);
  $("zoom-in").addEventListener("click", () => map.zoom(1.5));
  $("zoom-out").addEventListener("click", () => map.zoom(1 / 1.5));
  $("zoom-fit").addEventListener("click", fitAll);
  $("asof-slider").addEventListener("input", onSlider);
  $("asof-date").addEventListener("change", onDate);
  $("asof-now").addEventListener("click", () => {
    $("asof-slider").value = $("asof-slider").max;
    onSlider();
  });
  $("audit-run").addEventListener("click", () => runAudit().catch(showProblem));
  const tabs = [...document.querySelectorAll("[role=tab]")];
  for (const tab of tabs) {
    tab.addEventListener("click", () => chooseTab(tab));
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (step) chooseTab(tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length]);
    });
  }
  if (session.token) signIn(session.token);
  else $("token-input").focus();
  document.body.dataset.ready = "true";
}

wire();
