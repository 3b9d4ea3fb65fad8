// The public page (no sign-in): a village's running announcements on a map, objections to them,
// complaints and following one's own. Every text from the service is shown as text, never as HTML.

const EN = {
  subtitle: "announcements and complaints", announcements: "Running announcements",
  village: "Village code (8 digits)", show: "Show", object: "Object to", name: "Name",
  contact: "Phone or e-mail (never shown)", grounds: "Grounds", send: "Send", complain: "Complaints",
  about: "Parcel NIB (or leave empty for the office's service)", category: "Kind", text: "Your complaint",
  email: "E-mail", follow: "Follow your complaint", number: "Complaint number", secret: "Secret code",
  look: "Look", "c-service": "Service", "c-data": "Data error", "c-dispute": "Dispute",
  "c-fraud": "Fraud / illegal fees", "c-other": "Other",
};
const ID = {};
let english = false;

const $ = (id) => document.getElementById(id);

function date(iso) {  // dd-mm-yyyy, as Indonesian forms write dates
  const [y, m, d] = String(iso).split("-");
  return `${d}-${m}-${y}`;
}

function translate() {
  for (const node of document.querySelectorAll("[data-i18n]")) {
    const key = node.dataset.i18n;
    if (!(key in ID)) ID[key] = node.textContent;
    node.textContent = english ? EN[key] : ID[key];
  }
  document.documentElement.lang = english ? "en" : "id";
  $("language").textContent = english ? "Bahasa Indonesia" : "English";
}

async function call(method, path, body) {
  const response = await fetch(path, {
    method, headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store",
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.detail || answer.title || `HTTP ${response.status}`);
  return answer;
}

function show(error) {
  $("problem").textContent = error ? String(error.message || error) : "";
  $("problem").hidden = !error;
}

function draw(features) {
  const svg = $("public-map");
  svg.replaceChildren();
  const rings = features.map((f) => f.geometry.type === "Polygon" ? f.geometry.coordinates[0]
    : f.geometry.coordinates[0][0]);
  const points = rings.flat();
  if (!points.length) return;
  const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
  const [minx, maxx, miny, maxy] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const scale = Math.min(560 / (maxx - minx || 1e-6), 360 / (maxy - miny || 1e-6));
  rings.forEach((ring, index) => {
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", "M" + ring.map((p) => `${20 + (p[0] - minx) * scale},${380 - (p[1] - miny) * scale}`)
      .join("L") + "Z");
    path.setAttribute("class", "parcel announced");
    path.dataset.nib = features[index].properties.nib;
    svg.append(path);
  });
}

function listed(feature) {
  const p = feature.properties;
  const item = document.createElement("li");
  const line = document.createElement("span");
  line.textContent = `${p.nib} · ${p.right_type} · ${p.area_m2.toLocaleString("id-ID")} m² · ` +
    `${p.claimant_names.join(", ")} · ${date(p.started_on)} – ${date(p.ends_on)}`;
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = english ? "Object" : "Keberatan";
  button.addEventListener("click", () => {
    $("objection-form").hidden = false;
    $("objection-form").dataset.id = p.announcement_id;
    $("objection-target").textContent = p.nib;
    $("objection-receipt").textContent = "";
  });
  item.append(line, " ", button);
  return item;
}

async function village(event) {
  event.preventDefault();
  show(null);
  try {
    const found = await call("GET", `/v1/public/announcements?village=${encodeURIComponent($("village-input").value)}`);
    $("announcements").replaceChildren(...found.features.map(listed));
    $("announcements-summary").textContent = `${found.features.length} ` +
      (english ? "running announcement(s)" : "pengumuman berjalan");
    draw(found.features);
  } catch (error) { show(error); }
}

async function object(event) {
  event.preventDefault();
  show(null);
  try {
    const id = $("objection-form").dataset.id;
    const done = await call("POST", `/v1/public/announcements/${encodeURIComponent(id)}/objections`, {
      name: $("objection-name").value, contact: $("objection-contact").value, grounds: $("objection-grounds").value,
    });
    $("objection-receipt").textContent = (english ? "Received: " : "Diterima: ") + done.receipt;
  } catch (error) { show(error); }
}

async function complain(event) {
  event.preventDefault();
  show(null);
  const nib = $("complaint-about").value;
  try {
    const done = await call("POST", "/v1/public/complaints", {
      about: nib ? { nib } : { office: "kantor pertanahan" }, category: $("complaint-category").value,
      text: $("complaint-text").value, contact: { name: $("complaint-name").value, email: $("complaint-email").value },
    });
    $("complaint-receipt").textContent = (english ? "Number " : "Nomor ") + done.complaint_number +
      (english ? ", secret code " : ", kode rahasia ") + done.secret +
      (english ? `; answer by ${date(done.respond_by)}. Keep both.` : `; dijawab paling lambat ${date(done.respond_by)}. Simpan keduanya.`);
  } catch (error) { show(error); }
}

async function follow(event) {
  event.preventDefault();
  show(null);
  try {
    const found = await call("GET", `/v1/public/complaints/${encodeURIComponent($("follow-number").value)}` +
      `?secret=${encodeURIComponent($("follow-secret").value)}`);
    const lines = [`${found.complaint_number}: ${found.status} (${date(found.filed_on)})`,
      ...found.replies.map((r) => `${date(r.replied_on)}: ${r.text}`)];
    $("follow-result").replaceChildren(...lines.map((text) => {
      const p = document.createElement("p");
      p.textContent = text;
      return p;
    }));
  } catch (error) { show(error); }
}

$("language").addEventListener("click", () => { english = !english; translate(); });
$("village-form").addEventListener("submit", village);
$("objection-form").addEventListener("submit", object);
$("complaint-form").addEventListener("submit", complain);
$("follow-form").addEventListener("submit", follow);
translate();
document.body.dataset.ready = "true";
