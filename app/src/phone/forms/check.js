// A form's answers checked in the app before anything is kept, by the hub's rules where they are cheap to repeat
// (hub/forms/fields.py): required, text length and pattern, whole numbers and numbers with their bounds, dates and
// their bounds (today as the hub counts it, in UTC), how many choices. Pure functions: a problem is
// {msgid, vars} for ctx.t, or null. The form's own constraint_message and required_message win where it has them.
import { N_ } from "../words.js";

export const MAX_TEXT = 10_000; // hub/forms/fields.py MAX_TEXT
export const NO_VALUE = new Set(["group", "note", "calculate"]); // a calculation's value is the hub's to compute
export const AUTOMATIC = new Set(["start", "end", "today"]); // filled by the app, never asked
export const ATTACHED = new Set(["image", "signature", "audio"]);

// Words in the person's language from a form's {lang: text}: theirs, else the form's default, else any.
export function words(map, lang, fallback = "") {
  if (!map || typeof map !== "object") return fallback;
  return map[lang] || map.default || map.en || Object.values(map)[0] || fallback;
}

// Today as YYYY-MM-DD in UTC: the hub's today() (a constraint ". <= today()" is checked there in UTC).
export const today = (now = new Date()) => now.toISOString().slice(0, 10);

const INTEGER = /^[-+]?\d+$/;
const DECIMAL = /^[-+]?(\d+([.,]\d*)?|[.,]\d+)$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

// What the person typed into a number field as the JSON number the hub takes, or undefined when it is not one.
export function number(text, kind) {
  const typed = String(text).trim().replace(/\s+/g, "");
  if (kind === "integer") {
    if (!INTEGER.test(typed)) return undefined;
    const n = Number(typed);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  if (!DECIMAL.test(typed)) return undefined;
  const n = Number(typed.replace(",", "."));
  return Number.isFinite(n) ? n : undefined;
}

function realDate(text) {
  if (!DATE.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

const NUMBER_WORDS = {
  ge: N_("The number must be {n} or more."),
  gt: N_("The number must be more than {n}."),
  le: N_("The number must be {n} or less."),
  lt: N_("The number must be less than {n}."),
};
const DATE_WORDS = {
  ge: N_("The date must be {date} or later."),
  gt: N_("The date must be after {date}."),
  le: N_("The date must be {date} or earlier."),
  lt: N_("The date must be before {date}."),
};
const TODAY_WORDS = {
  ge: N_("The date must be today or later."),
  gt: N_("The date must be after today."),
  le: N_("The date must be today or earlier."),
  lt: N_("The date must be before today."),
};
const HOLDS = { ge: (v, b) => v >= b, gt: (v, b) => v > b, le: (v, b) => v <= b, lt: (v, b) => v < b };

function bounds(value, constraint, kind, now) {
  for (const key of ["ge", "gt", "le", "lt"]) {
    if (!(key in constraint)) continue;
    const raw = constraint[key];
    if (kind === "date") {
      const bound = raw === "today" ? today(now) : String(raw);
      if (!HOLDS[key](value, bound)) {
        return raw === "today" ? { msgid: TODAY_WORDS[key], vars: {} } : { msgid: DATE_WORDS[key], vars: { date: bound } };
      }
    } else if (!HOLDS[key](value, Number(raw))) {
      return { msgid: NUMBER_WORDS[key], vars: { n: raw } };
    }
  }
  return null;
}

function textProblem(value, constraint) {
  const count = [...value].length;
  if (count > MAX_TEXT) return { msgid: N_("Write {n} characters or fewer. You wrote {count}."), vars: { n: MAX_TEXT, count } };
  if ("max_length" in constraint && count > constraint.max_length) {
    return { msgid: N_("Write {n} characters or fewer. You wrote {count}."), vars: { n: constraint.max_length, count } };
  }
  if ("min_length" in constraint && count < constraint.min_length) {
    return { msgid: N_("Write at least {n} characters."), vars: { n: constraint.min_length } };
  }
  if ("pattern" in constraint) {
    let pattern = null;
    try {
      pattern = new RegExp(constraint.pattern);
    } catch {
      pattern = null; // a pattern JavaScript cannot read: the hub checks it
    }
    if (pattern && !pattern.test(value)) return { msgid: N_("Write your answer in the way this question asks."), vars: {} };
  }
  return null;
}

export const isEmpty = (value) => value === undefined || value === null || value === ""
  || (Array.isArray(value) && !value.length);

// The problem with one field's answer, or null. `value` is what the screen holds: the typed text for numbers
// (so "12a" is said to be wrong, not left out), a choice's name, a list of names, a kept file {blob, type,
// bytes}, a fix {lat, lon, accuracy, ...}.
// `required`: whether it must be answered now (a `required_if` decides it with the other answers: logic.js);
// the field's own `required` where not given.
export function problem(field, value, { lang = "en", limits = {}, now = new Date(), required = field.required } = {}) {
  if (NO_VALUE.has(field.type) || AUTOMATIC.has(field.type)) return null;
  const constraint = field.constraint || {};
  const own = (key) => words(field[key], lang, "");
  const broken = (found) => (found && own("constraint_message") ? { msgid: own("constraint_message"), vars: {}, own: true } : found);
  if (isEmpty(value)) {
    if (!required) return null;
    if (own("required_message")) return { msgid: own("required_message"), vars: {}, own: true };
    if (field.type === "select_one" || field.type === "select_multiple") return { msgid: N_("Choose an answer."), vars: {} };
    if (field.type === "geopoint") return { msgid: N_("Find where you are first."), vars: {} };
    if (field.type === "image") return { msgid: N_("Add a photo."), vars: {} };
    if (field.type === "signature") return { msgid: N_("Sign here, or type your name."), vars: {} };
    if (field.type === "audio") return { msgid: N_("Record a voice note."), vars: {} };
    if (field.type === "date") return { msgid: N_("Choose a date."), vars: {} };
    return { msgid: N_("Answer this question."), vars: {} };
  }
  switch (field.type) {
    case "text":
      return broken(textProblem(String(value), constraint));
    case "integer":
    case "decimal": {
      const n = number(value, field.type);
      if (n === undefined) {
        return field.type === "integer" ? { msgid: N_("Write a whole number, like 42."), vars: {} }
          : { msgid: N_("Write a number, like 12.5."), vars: {} };
      }
      return broken(bounds(n, constraint, "number", now));
    }
    case "date":
      if (!realDate(String(value))) return { msgid: N_("Write a real date, like 2027-01-05."), vars: {} };
      return broken(bounds(String(value), constraint, "date", now));
    case "select_multiple":
      if ("max_selected" in constraint && value.length > constraint.max_selected) {
        return broken({ msgid: N_("Choose {n} or fewer."), vars: { n: constraint.max_selected } });
      }
      if ("min_selected" in constraint && value.length < constraint.min_selected) {
        return broken({ msgid: N_("Choose at least {n}."), vars: { n: constraint.min_selected } });
      }
      return null;
    case "image":
    case "signature":
      if (limits.photo_bytes && value.bytes > limits.photo_bytes) {
        return { msgid: N_("This photo is too large: the most is {size}. Choose a smaller one."), vars: { size: megabytes(limits.photo_bytes) } };
      }
      return null;
    case "audio":
      if (limits.voice_bytes && value.bytes > limits.voice_bytes) {
        return { msgid: N_("This voice note is too long: the most is {size}. Record a shorter one."), vars: { size: megabytes(limits.voice_bytes) } };
      }
      return null;
    default:
      return null;
  }
}

// What the form's logic (logic.js) finds wrong with an answer, in words: a constraint over other answers, or a
// choice the filter no longer offers. The form's own constraint_message wins.
export function logicProblem(field, found, lang = "en") {
  if (!found) return null;
  const own = words(field.constraint_message, lang, "");
  if (found.kind === "constraint") return own ? { msgid: own, vars: {}, own: true } : { msgid: N_("This answer does not fit your other answers. Check them."), vars: {} };
  if (found.kind === "not_offered") return { msgid: N_("Choose one of the answers shown."), vars: {} };
  return null;
}

export const megabytes = (bytes) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

// The value the hub takes for a field, from what the screen holds (a file's value is its ref, set when kept).
export function answer(field, value) {
  if (isEmpty(value)) return undefined;
  if (field.type === "integer" || field.type === "decimal") return number(value, field.type);
  if (field.type === "text") return String(value);
  return value;
}
