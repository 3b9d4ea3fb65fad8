// The page's one date control: a slider over the parcel's events and a date picker, giving the time to show.
// It reads the registry's record as of a recorded time (`as_of=`); a legal-date read (`effective_on=`)
// replaces `query` and `dayValue` here only.
import { formatDate, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

/** The query string that asks for a parcel as of the chosen value (null: now). */
export function query(value) { return value ? `?as_of=${encodeURIComponent(value)}` : ""; }

/** The value a chosen calendar day stands for: its end (UTC). */
function dayValue(day) { return `${day}T23:59:59.999999+00:00`; }

export class AsOf {
  constructor(onChoose) {
    this.onChoose = onChoose;  // called with the value to show (null: now), debounced for the slider
    this.events = [];
    this.timer = 0;
    $("asof-slider").addEventListener("input", () => this.#slid());
    $("asof-date").addEventListener("change", () => this.#dated());
    $("asof-now").addEventListener("click", () => { $("asof-slider").value = $("asof-slider").max; this.#slid(); });
  }

  /** Start over on a parcel's events (oldest first): the slider at "now". */
  load(events) {
    this.events = events;
    const slider = $("asof-slider");
    slider.max = String(events.length);
    slider.value = slider.max;
    $("asof-date").value = "";
    this.describe();
    $("asof").hidden = false;
  }

  reset() { this.events = []; $("asof").hidden = true; }

  describe() {
    const slider = $("asof-slider");
    const index = Number(slider.value);
    const event = this.events[index];
    const text = event ? t("asof.after_event", { when: formatDate(event.recorded_at), n: index + 1, of: this.events.length })
      : t("asof.now_all");
    $("asof-output").textContent = text;
    slider.setAttribute("aria-valuetext", text);
    for (const li of $("timeline").children) {
      const at = Number(li.dataset.index);
      li.classList.toggle("after", Boolean(event) && at > index);
      li.classList.toggle("chosen", Boolean(event) && at === index);
    }
  }

  #slid() {
    this.describe();
    $("asof-date").value = "";
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const event = this.events[Number($("asof-slider").value)];
      this.onChoose(event ? event.recorded_at : null);
    }, 120);
  }

  #dated() {
    const day = $("asof-date").value;
    if (!day) return;
    const end = dayValue(day);
    let index = -1;
    this.events.forEach((event, i) => { if (event.recorded_at <= end) index = i; });
    $("asof-slider").value = String(index < 0 ? 0 : index);
    this.describe();
    this.onChoose(day);
  }
}
