// Words in the person's language. Strings come from gettext .po files (app/i18n/<lang>/<domain>.po, one domain
// per part: shell, phone, tablet, scorm), which the build merges into webapp/dist/i18n/<lang>.json. The msgid is
// the English text; a string missing from the Welsh file shows in English. {name} in a string is filled from vars.
//
//   t("Waiting to send: {n}", { n: 3 })      tc("button", "Open")   (msgctxt "button")
//   tn("{n} message", "{n} messages", count)   (msgid_plural)
//   await setLanguage("cy")                   // kept for next time (localStorage)
export const LANGUAGES = Object.freeze([{ code: "en", name: "English" }, { code: "cy", name: "Cymraeg" }]);
const KEY = "throughgate.lang";
let strings = {};
let current = "en";
const listeners = new Set();

function fill(text, vars) {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/** The string for msgid in the chosen language (English where it has none), with {name} filled from vars. */
export function t(msgid, vars) {
  const s = strings[msgid];
  return fill(typeof s === "string" ? s : msgid, vars);
}

/** Like t, for a msgid with a msgctxt (the same English words meaning two things). */
export function tc(context, msgid, vars) {
  return fill(strings[`${context}\u0004${msgid}`] || msgid, vars);
}

/** A count's words: tn("{n} message", "{n} messages", n). A .po entry with msgid_plural holds one msgstr[i]
 *  per form, in CLDR's order of the language's categories (zero, one, two, few, many, other: the order of
 *  gettext's usual Plural-Forms for English and Welsh); {n} is filled with the count. */
export function tn(msgid, plural, n, vars = {}) {
  const forms = strings[msgid];
  const all = { n, ...vars };
  if (!Array.isArray(forms)) return fill(n === 1 ? msgid : plural, all);
  const rules = new Intl.PluralRules(current === "cy" ? "cy" : "en");
  const order = ["zero", "one", "two", "few", "many", "other"].filter((c) => rules.resolvedOptions().pluralCategories.includes(c));
  return fill(forms[order.indexOf(rules.select(n))] || forms[forms.length - 1], all);
}

/** The language in use ("en" or "cy"). */
export function language() {
  return current;
}

function chosen() {
  try {
    const kept = localStorage.getItem(KEY);
    if (LANGUAGES.some((l) => l.code === kept)) return kept;
  } catch { /* storage off: fall through */ }
  return (navigator.language || "").toLowerCase().startsWith("cy") ? "cy" : "en";
}

async function load(code) {
  try {
    const res = await fetch(new URL(`i18n/${code}.json`, import.meta.url));
    if (!res.ok) throw new Error(`${res.status}`);
    strings = await res.json();
  } catch (e) {
    console.warn(`the ${code} strings did not load (${e}); showing English`);
    strings = {};
  }
  current = code;
  document.documentElement.lang = code;
}

/** Loads the person's kept (or the browser's) language; the shell calls it once at start. */
export function startLanguage() {
  return load(chosen());
}

/** Switches language, keeps the choice, and tells the listeners (the shell redraws). */
export async function setLanguage(code) {
  if (!LANGUAGES.some((l) => l.code === code)) throw new Error(`unknown language ${code}`);
  try { localStorage.setItem(KEY, code); } catch { /* not kept, still switched */ }
  await load(code);
  for (const fn of listeners) fn(code);
}

/** Calls fn(code) after the language changes; returns a function that stops it. */
export function onLanguage(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
