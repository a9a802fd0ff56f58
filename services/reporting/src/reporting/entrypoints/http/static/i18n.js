// Every word the page shows comes from i18n.json (UI text, both languages) or labels.json (the service's
// shared code labels, so the page words a sector or level exactly like the exports do).
const [MESSAGES, CODES] = await Promise.all([
  fetch("i18n.json").then((r) => r.json()),
  // Without code labels the page still works: a code is then shown as it is.
  fetch("labels.json").then((r) => (r.ok ? r.json() : {})).catch(() => ({})),
]);

export const LANGS = ["vi", "en"];
const STORAGE_KEY = "cds-dashboard-lang";
let current = "vi";

export function initialLang(search) {
  const asked = new URLSearchParams(search).get("lang");
  if (LANGS.includes(asked)) return asked;
  const saved = safeStorage(() => localStorage.getItem(STORAGE_KEY));
  return LANGS.includes(saved) ? saved : "vi";
}

export function setLang(lang, remember) {
  current = lang;
  document.documentElement.lang = lang;
  if (remember) safeStorage(() => localStorage.setItem(STORAGE_KEY, lang));
}

export const lang = () => current;

/** The message `key` in the current language, `{name}` placeholders filled from `vars`. */
export function t(key, vars = {}) {
  const entry = MESSAGES[key];
  if (!entry) throw new Error(`no message ${key}`);
  return entry[current].replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/** The label of a code (e.g. enum "sector", code "party_agency"); the code itself when unlabelled. */
export function label(enumName, code) {
  const entry = CODES[enumName]?.[code];
  return entry ? entry[current] : code;
}

export const codes = (enumName) => Object.keys(CODES[enumName] ?? {});

/** Fill every element marked data-i18n (text) or data-i18n-aria-label (attribute) in `root`. */
export function translate(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-aria-label]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel));
  }
}

const locale = () => (current === "vi" ? "vi-VN" : "en-GB");
const formatters = new Map();
function nf(options) {
  const key = locale() + JSON.stringify(options);
  if (!formatters.has(key)) formatters.set(key, new Intl.NumberFormat(locale(), options));
  return formatters.get(key);
}

export const DASH = "—";
export const int = (n) => (n == null ? DASH : nf({ maximumFractionDigits: 0 }).format(n));
export const dec = (n, digits = 1) =>
  n == null ? DASH : nf({ minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
/** A fraction 0..1 as a percentage with one decimal. */
export const pct = (x) =>
  x == null ? DASH : nf({ style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(x);

export function dateTime(iso) {
  return new Intl.DateTimeFormat(locale(), {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "Asia/Ho_Chi_Minh",
  }).format(new Date(iso));
}

/** A day "2025-05-01" as "01/05/2025" (vi) or "1 May 2025" (en); a dash when there is none. */
export function date(iso) {
  if (!iso) return DASH;
  const [y, m, d] = iso.split("-").map(Number);
  const options = current === "vi" ? { day: "2-digit", month: "2-digit", year: "numeric" } : { dateStyle: "medium" };
  return new Intl.DateTimeFormat(locale(), { ...options, timeZone: "UTC" }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** "2024-12" as "12/2024" (vi) or "Dec 2024" (en); short: "12/24" or "Dec 24", for a chart's axis. */
export function month(ym, short = false) {
  const [y, m] = ym.split("-").map(Number);
  const year = short ? String(y).slice(-2) : String(y);
  if (current === "vi") return `${String(m).padStart(2, "0")}/${year}`;
  const name = new Intl.DateTimeFormat("en-GB", { month: "short", timeZone: "UTC" }).format(new Date(Date.UTC(y, m - 1, 1)));
  return `${name} ${year}`;
}

function safeStorage(fn) {
  try {
    return fn();
  } catch {
    return null; // storage disabled (private mode, policy): the choice just is not remembered
  }
}
