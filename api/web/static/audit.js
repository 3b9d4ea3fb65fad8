// The Audit tab: GET /v1/audit/verify and its verdict, with a way to open the parcel of a broken link.
import { Problem, get } from "./api.js";
import { t } from "./i18n.js";

function fact(term, value) {
  const wrap = document.createDocumentFragment();
  wrap.append(Object.assign(document.createElement("dt"), { textContent: term }),
    Object.assign(document.createElement("dd"), { textContent: value }));
  return wrap;
}

function verdictOf(report) {
  const verdict = document.createElement("div");
  verdict.className = `verdict ${report.ok ? "ok" : "bad"}`;
  const head = document.createElement("strong");
  head.textContent = report.ok ? t("audit.ok") : t("audit.broken");
  const facts = document.createElement("dl");
  facts.className = "facts";
  for (const key of ["events_checked", "seals_checked", "checkpoints_checked", "unanchored_seals"]) {
    if (key in report) facts.append(fact(t(`audit.${key}`), String(report[key])));
  }
  const brk = report.first_break;
  facts.append(fact(t("audit.first_break"), brk ? `NIB ${brk.nib || "–"}, v${brk.version ?? "–"}, #${brk.position ?? "–"}: ${brk.reason}`
    : t("audit.none")));
  verdict.append(head, facts);
  if (brk && brk.nib) {
    const open = Object.assign(document.createElement("button"), { type: "button", className: "link",
      textContent: t("audit.open", { nib: brk.nib }) });
    open.dataset.nib = brk.nib;
    verdict.append(open);
  }
  return verdict;
}

function refusalOf(error) {
  const verdict = document.createElement("div");
  verdict.className = "verdict bad";
  const why = error.status === 403 ? t("audit.needs_auditor") : error.status === 401 ? t("audit.sign_in") : t("audit.failed");
  verdict.append(Object.assign(document.createElement("strong"), { textContent: why }),
    Object.assign(document.createElement("p"), { textContent: `${error.body.title || ""} (HTTP ${error.status}): ${error.body.detail || ""}` }));
  return verdict;
}

export async function runAudit(box) {
  box.replaceChildren(Object.assign(document.createElement("p"), { textContent: t("audit.running") }));
  let verdict;
  try {
    verdict = verdictOf(await get("/v1/audit/verify"));
  } catch (error) {
    if (!(error instanceof Problem)) throw error;
    verdict = refusalOf(error);
  }
  verdict.id = "audit-verdict";
  box.replaceChildren(verdict);
}
