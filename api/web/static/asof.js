// The page's one date control, on the registry's two time axes. The slider (over the parcel's events by
// legal date) and the date picker choose a legal date: the parcel, its right and holders in force that day
// (`effective_on=`), as the registry knows it now. The auditor's control adds a recorded time: the same, as
// the register stood at that moment (`as_of=`), so a dealing annulled since shows again.
import { formatDate, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

/** The query string that asks for a parcel at the chosen point (null: now, as known now). */
export function query(point) {
  if (!point) return "";
  const parts = [];
  if (point.effective) parts.push(`effective_on=${encodeURIComponent(point.effective)}`);
  if (point.recorded) parts.push(`as_of=${encodeURIComponent(point.recorded)}`);
  return `?${parts.join("&")}`;
}

/** The legal day of an event (its effective date, in the registry's time zone as the API gives it). */
function legalDay(event) { return String(event.effective_at || event.recorded_at).slice(0, 10); }

/** A datetime-local value (read as UTC, to the minute or the second) as the last instant it stands for. */
function instant(local) {
  if (!local) return null;
  return `${local}${local.length > 16 ? ".999999" : ":59.999999"}+00:00`;
}

export class AsOf {
  constructor(onChoose) {
    this.onChoose = onChoose;  // called with the point to show (null: now), debounced for the slider
    this.events = [];          // the parcel's events, by legal date (then as recorded)
    this.timer = 0;
    $("asof-slider").addEventListener("input", () => this.#slid());
    $("asof-date").addEventListener("change", () => this.#dated());
    $("asof-recorded").addEventListener("change", () => this.#choose());
    $("asof-now").addEventListener("click", () => this.#now());
  }

  /** Start over on a parcel's events: the slider at "now", no recorded time. */
  load(events) {
    this.events = events.map((event, index) => ({ event, index }))
      .sort((a, b) => legalDay(a.event).localeCompare(legalDay(b.event)) || a.index - b.index);
    const slider = $("asof-slider");
    slider.max = String(this.events.length);
    slider.value = slider.max;
    $("asof-date").value = "";
    $("asof-recorded").value = "";
    this.describe();
    $("asof").hidden = false;
  }

  reset() { this.events = []; $("asof").hidden = true; }

  /** The point chosen now: a legal day and/or a recorded time, or null for today as known now. */
  point() {
    const effective = $("asof-date").value || null;
    const recorded = instant($("asof-recorded").value);
    return effective || recorded ? { effective, recorded } : null;
  }

  describe() {
    const slider = $("asof-slider");
    const index = Number(slider.value);
    const chosen = this.events[index];
    const { effective, recorded } = this.point() || {};
    const text = effective ? t("asof.on_day", { day: formatDate(effective) })
      : chosen ? t("asof.after_event", { when: formatDate(legalDay(chosen.event)), n: index + 1, of: this.events.length })
        : t("asof.now_all");
    $("asof-output").textContent = recorded ? `${text}; ${t("asof.recorded_at", { when: formatDate(recorded) })}` : text;
    slider.setAttribute("aria-valuetext", $("asof-output").textContent);
    const positions = new Map(this.events.map((item, at) => [item.index, at]));
    for (const li of $("timeline").children) {
      const event = this.events[positions.get(Number(li.dataset.index))]?.event;
      const later = Boolean(effective) && event && legalDay(event) > effective;
      const unrecorded = Boolean(recorded) && event && event.recorded_at > recorded;
      li.classList.toggle("after", Boolean(later || unrecorded));
      li.classList.toggle("chosen", Boolean(chosen) && event === chosen.event);
    }
  }

  #slid() {
    const chosen = this.events[Number($("asof-slider").value)];
    $("asof-date").value = chosen ? legalDay(chosen.event) : "";
    this.describe();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.onChoose(this.point()), 120);
  }

  #dated() {
    const day = $("asof-date").value;
    let index = this.events.length;
    if (day) {
      index = 0;
      this.events.forEach((item, i) => { if (legalDay(item.event) <= day) index = i; });
    }
    $("asof-slider").value = String(index);
    this.#choose();
  }

  #choose() {
    this.describe();
    this.onChoose(this.point());
  }

  #now() {
    $("asof-slider").value = $("asof-slider").max;
    $("asof-date").value = "";
    $("asof-recorded").value = "";
    this.#choose();
  }
}
