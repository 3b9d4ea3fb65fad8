// The officers' complaints inbox: open and overdue first, answer, resolve or reject. Texts are shown as text.
import { get, session } from "/web/api.js";

const $ = (id) => document.getElementById(id);
const date = (iso) => (iso ? iso.split("-").reverse().join("-") : "");

function show(error) {
  $("problem").textContent = error ? String(error.message || error) : "";
  $("problem").hidden = !error;
}

function row(complaint) {
  const tr = document.createElement("tr");
  tr.dataset.number = complaint.number;
  if (complaint.overdue) tr.className = "overdue";  // by the registry's legal day, not this computer's
  for (const text of [complaint.number, complaint.category, complaint.status, date(complaint.filed_on),
    date(complaint.respond_by), complaint.assigned_to || ""]) {
    const td = document.createElement("td");
    td.textContent = text;
    tr.append(td);
  }
  tr.addEventListener("click", () => {
    $("answer-form").hidden = false;
    $("answer-form").dataset.number = complaint.number;
    $("answer-number").textContent = complaint.number;
  });
  return tr;
}

async function load() {
  show(null);
  try {
    const overdue = $("overdue-only").checked ? "?overdue=true" : "";
    const found = await get(`/v1/complaints${overdue}`);
    $("inbox").tBodies[0].replaceChildren(...found.complaints.map(row));
    document.body.dataset.ready = "true";
  } catch (error) { show(error); }
}

async function answer(event) {
  event.preventDefault();
  const button = event.submitter;
  const number = $("answer-form").dataset.number;
  const body = { text: $("answer-text").value };
  if (button.dataset.step === "resolution") body.outcome = button.dataset.outcome || "resolved";
  const response = await fetch(`/v1/complaints/${encodeURIComponent(number)}/${button.dataset.step}`, {
    method: "POST", body: JSON.stringify(body),
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${session.token}` },
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) { show(new Error(answer.detail || `HTTP ${response.status}`)); return; }
  $("answer-text").value = "";
  load();
}

$("signin-form").addEventListener("submit", (event) => {
  event.preventDefault();
  session.set($("token-input").value);
  load();
});
$("overdue-only").addEventListener("change", load);
$("answer-form").addEventListener("submit", answer);
if (session.token) load(); else document.body.dataset.ready = "true";
