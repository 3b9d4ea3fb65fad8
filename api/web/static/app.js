// The land office page: sign in, search, map with legend and measuring, parcel card, history, Surat Ukur, audit.
import { Problem, allFeatures, get, guessKind, q, session } from "./api.js";
import { AsOf, query as asOfQuery } from "./asof.js";
import { runAudit } from "./audit.js";
import { eventLine, renderCard } from "./card.js";
import { currentLanguage, onLanguage, setLanguage, t, translate } from "./i18n.js";
import { ParcelMap } from "./map.js";
import { Measure } from "./measure.js";
import { loadOverlaps } from "./overlaps.js";
import { renderSketch } from "./sketch.js";
import { renderLegend } from "./styles.js";
import { fetchAnnouncement, loadLineage, loadNeighbours, showAnnouncement } from "./loaders.js";
import { renderLineage, showProblem, clearProblem } from "./panels.js";

const $ = (id) => document.getElementById(id);
const NEIGHBOURHOOD_M = 150;   // neighbours are fetched within this distance of the selected parcel (loaders.js)
const LIST_MOST = 300;         // the results list shows at most this many rows (the map draws them all)

const state = { who: "signin.ok", results: [], drawn: null, base: new Map(), selected: null, shown: null, asOf: null, events: [], lineage: [],
                asOfTicket: 0, searchTicket: 0, summary: null };

const map = new ParcelMap({ target: $("map"), onSelect: (nib) => select(nib).catch(showProblem), onStatus: () => fitAll() });
const measure = new Measure(map, { output: $("measure-result"), buttons: { length: $("measure-length"), area: $("measure-area") } });
const asOf = new AsOf((value) => showAsOf(value).catch(showProblem));
window.landreg = { map };  // for the browser tests and the console: where a parcel is on screen

// -- sign in ----------------------------------------------------------------------------------------

async function signIn(token) {
  session.set(token);
  clearProblem();
  try {
    await get("/v1/parcels?village=00000000&limit=1");  // the cheapest read: does the token work here?
    state.who = "signin.ok";
  } catch (error) {
    if (!(error instanceof Problem && error.status === 403)) { session.clear(); showProblem(error); return; }
    state.who = "signin.no_reads";
  }
  writeWho();
  $("signin-form").hidden = true;
  $("signed-in").hidden = false;
  $("token-input").value = "";
  document.body.classList.add("signed-in");
  $("search-input").focus();
}

function writeWho() { if (session.token) $("who").textContent = t(state.who, { last: session.token.slice(-4) }); }

function signOut() {
  session.clear();
  forgetParcel();
  Object.assign(state, { base: new Map(), summary: null, results: [], drawn: null });
  map.clear();
  writeStatus();
  measure.clear();
  $("audit-result").replaceChildren();
  listResults([]);
  $("results-summary").textContent = "";
  drawLegend();
  clearProblem();
  $("signed-in").hidden = true;
  $("signin-form").hidden = false;
  document.body.classList.remove("signed-in");
  $("token-input").focus();
}

// -- search -----------------------------------------------------------------------------------------

/** Take the previous parcel off the screen: card, banner, history, sketch and lineage. */
function forgetParcel() {
  Object.assign(state, { selected: null, shown: null, asOf: null, events: [], lineage: [], announcement: null });
  $("card-announcement").hidden = true;
  state.asOfTicket += 1;
  $("card").hidden = true;
  $("card-alerts").replaceChildren();
  $("card-lineage").replaceChildren();
  $("timeline").replaceChildren();
  asOf.reset();
  $("history-empty").hidden = false;
  $("sketch").replaceChildren();
  $("sketch").hidden = true;
  $("sketch-print").hidden = true;
  $("sketch-empty").hidden = false;
  map.drawOn("selected", []);
  map.drawOn("lineage", []);
  for (const button of $("results").querySelectorAll("button[data-nib]")) button.removeAttribute("aria-current");
}

async function search(kind, text) {
  const ticket = ++state.searchTicket;
  clearProblem();
  forgetParcel();
  $("results").replaceChildren();
  $("results-summary").textContent = t("search.searching");
  let features = [];
  let truncated = false;
  const which = kind === "auto" ? guessKind(text) : kind;
  try {
    if (which === "nib") features = [await get(`/v1/parcels/${q(text)}`)];
    else if (which === "certificate") features = [await get(`/v1/certificates/${q(text)}`)];
    else ({ features, truncated } = await allFeatures(`/v1/parcels?${which}=${q(text)}`));
  } catch (error) {
    if (ticket === state.searchTicket) $("results-summary").textContent = "";
    throw error;
  }
  if (ticket !== state.searchTicket) return;
  state.summary = { count: features.length, which, text, truncated };
  if (which === "village") $("overlaps-village").value = text;
  writeSummary();
  listResults(features);
  map.clear();
  state.base = new Map(features.map((f) => [f.id, f]));
  if (features.length === 1) { await select(features[0].id, features[0]); return; }
  await drawBase(true);
}

function writeSummary() {
  const s = state.summary;
  if (!s) return;
  $("results-summary").textContent = t(s.count === 1 ? "search.found_one" : "search.found", { n: s.count, what: t(`what.${s.which}`), text: s.text })
    + (s.truncated ? t("search.more") : "") + (s.count > LIST_MOST ? t("search.list_first", { n: LIST_MOST }) : "");
}

function listResults(features) {
  state.results = features;
  const items = features.slice(0, LIST_MOST).map((f) => {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.nib = f.id;
    if (state.selected && state.selected.id === f.id) button.setAttribute("aria-current", "true");
    const title = f.properties.title;
    const holders = title ? title.holders.map((h) => h.name).join(", ") : t("card.no_title");
    const nib = Object.assign(document.createElement("span"), { className: "nib", textContent: f.id });
    const about = Object.assign(document.createElement("span"), { className: "st", textContent: ` ${t(`status.${f.properties.status}`)} · ${holders}` });
    button.append(nib, about);
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
  await new Promise((done) => map.map.once("rendercomplete", done));
  const painted = performance.now() - started;
  Object.assign($("map").dataset, { drawCount: String(features.length), drawMs: built.toFixed(1), paintMs: painted.toFixed(1) });
  state.drawn = { n: features.length, ms: Math.round(painted) };
  writeStatus();
  drawLegend();
}

function writeStatus() { $("map-status").textContent = state.drawn ? t("map.drawn", state.drawn) : ""; }

function drawLegend() { renderLegend($("map-legend"), map.looks()); }

function fitAll() {
  const shown = state.selected ? [state.selected] : [...state.base.values()];
  map.fit(shown, state.selected ? NEIGHBOURHOOD_M * 2 : 60);
}

// -- selecting a parcel -------------------------------------------------------------------------------

async function select(nib, feature = null) {
  clearProblem();
  const current = feature || await get(`/v1/parcels/${q(nib)}`);
  forgetParcel();
  state.selected = current;
  for (const button of $("results").querySelectorAll("button[data-nib]")) {
    button.setAttribute("aria-current", String(button.dataset.nib === nib));
  }
  showParcel(current, null);
  $("overlaps-village").value = current.properties.village_code;
  fitAll();
  const [neighbours, lineage] = await Promise.all([loadNeighbours(current, NEIGHBOURHOOD_M).catch((error) => { showProblem(error); return []; }), loadLineage(current)]);
  if (state.selected !== current) return;  // another parcel was chosen meanwhile
  let added = !state.base.has(current.id);
  state.base.set(current.id, current);
  for (const f of neighbours) if (!state.base.has(f.id)) { state.base.set(f.id, f); added = true; }
  if (added || !$("map").dataset.drawCount) await drawBase();
  state.lineage = lineage;
  map.drawOn("lineage", lineage);
  renderLineage(current, lineage);
  renderSketch($("sketch"), current);
  $("sketch").hidden = false;
  $("sketch-print").hidden = false;
  $("sketch-empty").hidden = true;
  await Promise.all([loadHistory(current.id), loadAnnouncement(current.id)]);
}

async function loadAnnouncement(nib) {
  // The parcel's announcement before its first title (pengumuman) and the objections to it, if any.
  $("card-announcement").hidden = true;
  const found = await fetchAnnouncement(nib);
  if (!found || state.selected?.id !== nib) return;
  state.announcement = found;
  showAnnouncement(found);
}

/** The Overlaps tab's report for its village (prefilled with the searched or selected parcel's), drawn on the map. */
async function showOverlaps() {
  const pairs = await loadOverlaps($("overlaps-village").value, (nib) => select(nib).catch(showProblem));
  map.drawOn("overlaps", pairs);
  if (pairs.length && !state.selected) map.fit(pairs);
}

function showParcel(feature, when) {
  state.shown = feature;
  state.asOf = when;
  renderCard(feature, when);
  $("card").hidden = false;
  map.drawOn("selected", [feature], { past: Boolean(when) });
}

// -- history and as-of ----------------------------------------------------------------------------------

async function loadHistory(nib) {
  const history = await get(`/v1/parcels/${q(nib)}/history`);
  if (!state.selected || state.selected.id !== nib) return;
  state.events = history.events;
  writeTimeline();
  asOf.load(history.events);
  $("history-empty").hidden = true;
}

function writeTimeline() { $("timeline").replaceChildren(...state.events.map((event, index) => eventLine(event, index))); }

async function showAsOf(value) {
  const ticket = ++state.asOfTicket;
  const nib = state.selected.id;
  const shown = value ? await get(`/v1/parcels/${q(nib)}${asOfQuery(value)}`) : state.selected;
  if (ticket !== state.asOfTicket) return;  // a later choice overtook this answer
  showParcel(shown, value);
}

// -- language --------------------------------------------------------------------------------------------

function relanguage(language) {
  for (const button of document.querySelectorAll("[data-language]")) button.setAttribute("aria-pressed", String(button.dataset.language === language));
  writeWho();
  writeSummary();
  listResults(state.results);
  writeStatus();
  drawLegend();
  measure.refresh();
  if (state.shown) renderCard(state.shown, state.asOf);
  if (state.selected) { renderLineage(state.selected, state.lineage); renderSketch($("sketch"), state.selected); }
  if (state.events.length) { writeTimeline(); asOf.describe(); }
  if (state.announcement) showAnnouncement(state.announcement);
}

// -- tabs and wiring ---------------------------------------------------------------------------------------

function chooseTab(tab) {
  for (const other of document.querySelectorAll("[role=tab]")) {
    const chosen = other === tab;
    other.setAttribute("aria-selected", String(chosen));
    other.tabIndex = chosen ? 0 : -1;
    $(other.getAttribute("aria-controls")).hidden = !chosen;
  }
  tab.focus();
}

async function loadConfig() {
  const config = await get("/web/config.json").catch(() => ({ basemap: null }));
  if (!config.basemap) return;
  $("basemap-control").hidden = false;
  map.setBasemap(config.basemap, () => {  // offline or the server is down: the parcels stay, the page says so
    $("map").dataset.basemapErrors = String(Number($("map").dataset.basemapErrors || 0) + 1);
    $("basemap-status").hidden = false;
  });
}

function wire() {
  translate(document);
  relanguage(currentLanguage());
  onLanguage(relanguage);
  for (const button of document.querySelectorAll("[data-language]")) button.addEventListener("click", () => setLanguage(button.dataset.language));
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
  $("zoom-in").addEventListener("click", () => map.zoom(1));
  $("zoom-out").addEventListener("click", () => map.zoom(-1));
  $("zoom-fit").addEventListener("click", fitAll);
  $("measure-length").addEventListener("click", () => measure.toggle("length"));
  $("measure-area").addEventListener("click", () => measure.toggle("area"));
  $("measure-clear").addEventListener("click", () => measure.clear());
  $("basemap-on").addEventListener("change", (event) => map.showBasemap(event.target.checked));
  $("sketch-print").addEventListener("click", () => window.print());
  $("audit-run").addEventListener("click", () => runAudit($("audit-result")).catch(showProblem));
  $("overlaps-form").addEventListener("submit", (event) => { event.preventDefault(); showOverlaps().catch(showProblem); });
  const tabs = [...document.querySelectorAll("[role=tab]")];
  for (const tab of tabs) {
    tab.addEventListener("click", () => chooseTab(tab));
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (step) chooseTab(tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length]);
    });
  }
  drawLegend();
  if (session.token) signIn(session.token);
  else $("token-input").focus();
  loadConfig().finally(() => { document.body.dataset.ready = "true"; });
}

wire();
