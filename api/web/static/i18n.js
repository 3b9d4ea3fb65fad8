// The page's words in Bahasa Indonesia (the default) and English, and how dates, areas and money are written.
// Elements carry data-i18n (text), data-i18n-label (aria-label) or data-i18n-placeholder; scripts call t().

import { WORDS } from "./words.js";

const KEY = "landreg.language";
const listeners = [];
let language = WORDS[localStorage.getItem(KEY)] ? localStorage.getItem(KEY) : "id";

export function currentLanguage() { return language; }

/** The text of `key` in the current language, {name} replaced from `values`; the key itself if unknown. */
export function t(key, values = {}) {
  const text = WORDS[language][key] ?? WORDS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** Switch the language, remember it in this browser, rewrite the marked elements and tell the listeners. */
export function setLanguage(next) {
  if (!WORDS[next]) return;
  language = next;
  localStorage.setItem(KEY, next);
  translate(document);
  for (const listener of listeners) listener(next);
}

/** Call `listener` after each language switch (to redraw what scripts wrote). */
export function onLanguage(listener) { listeners.push(listener); }

export function translate(root) {
  document.documentElement.lang = language;
  for (const element of root.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const element of root.querySelectorAll("[data-i18n-label]")) element.setAttribute("aria-label", t(element.dataset.i18nLabel));
  for (const element of root.querySelectorAll("[data-i18n-placeholder]")) element.placeholder = t(element.dataset.i18nPlaceholder);
  for (const element of root.querySelectorAll("[data-i18n-title]")) element.title = t(element.dataset.i18nTitle);
  document.title = t("page.title");
}

const locale = () => (language === "id" ? "id-ID" : "en-GB");

/** A calendar date or a timestamp (ISO 8601) as dd-mm-yyyy (with hh:mm:ss UTC for a timestamp). */
export function formatDate(iso) {
  if (!iso) return "–";
  const [day, time] = String(iso).split("T");
  const [y, m, d] = day.split("-");
  if (!d) return String(iso);
  return time ? `${d}-${m}-${y} ${time.slice(0, 8)} UTC` : `${d}-${m}-${y}`;
}

export function formatNumber(value, digits = 2, fixed = false) {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits, minimumFractionDigits: fixed ? digits : 0 }).format(value);
}

/** An amount of rupiah (a decimal text or number) as "Rp 1.500.000.000" (Indonesian) or "Rp 1,500,000,000". */
export function formatMoney(amount) {
  if (amount === null || amount === undefined || amount === "") return "–";
  const value = Number(amount);
  if (!Number.isFinite(value)) return String(amount);
  return `Rp ${new Intl.NumberFormat(locale(), { maximumFractionDigits: 2 }).format(value)}`;
}

/** Metres or square metres, with the unit; larger areas in hectares too. */
export function formatLength(metres) { return `${formatNumber(metres, 2, true)} m`; }
export function formatArea(squareMetres) {
  const text = `${formatNumber(squareMetres)} m²`;
  return squareMetres >= 10_000 ? `${text} (${formatNumber(squareMetres / 10_000, 4)} ha)` : text;
}
