// SCORM runtime values as xAPI statements, in the app: a port of tablet/scorm.py (1.2) and tablet/scorm2004.py
// (2004), the reference mapping, made to give the very same statements and ids (tests/courses/
// test_app_scorm_mapping.py runs both on one table and compares them byte for byte).
//
// Why a port, not the edge converting: a learner works offline for days, and what they did must be in the
// outbox the moment the content commits, as the records the edge takes (progress_statement, quiz_answer),
// each with its final id, so the outbox, the edge and the hub each keep it once; a refusal is shown on the
// spot. The edge's relay path stays the one the reference client uses.
//
//   const made = await commit("1.2", cmi, { learner, course, item, attempt, timestamp })
//   made.statements: [[kind, statement]], made.refused: [{ element, value, reason, error_code }]
//
// Statement ids are UUID v5 of the attempt over statement_key(): the JSON Python's json.dumps(sort_keys=True,
// separators=(",", ":")) writes (ASCII only, floats as Python writes them), so the same values give the same id.

const ACTIVITY_PREFIX = "urn:throughgate:course:";
const LANGUAGE = "en-US";
const ADL = "http://adlnet.gov/expapi/verbs/";
const CMI_INTERACTION_ACTIVITY = "http://adlnet.gov/expapi/activities/cmi.interaction";
const MAX_KEPT = 255;
const INCORRECT_DATA_TYPE = "405";
const TYPE_MISMATCH = "406";
const OUT_OF_RANGE = "407";

// --- Python-compatible JSON (the statement key) -------------------------------------------------------------

/** A number Python holds as a float (it writes 1.0, not 1). */
export class PyFloat {
  constructor(value) { this.value = value; }
  toJSON() { return this.value; }
}

function pyString(s) {
  return JSON.stringify(s).replace(/[\u0080-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

function pyFloat(x) {
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : x < 0 ? "-Infinity" : "NaN";
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    const [mantissa, exp] = x.toExponential().split("e");
    const n = Number(exp);
    return `${mantissa}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  }
  return String(x);
}

function pyNumber(x) {
  // An int in Python where the mapping made one (int(number) when it is whole), else a float.
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return String(x);
  return pyFloat(x);
}

export function pyJson(value) {
  if (value === null || value === undefined) return "null";
  if (value instanceof PyFloat) return pyFloat(value.value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return pyNumber(value);
  if (typeof value === "string") return pyString(value);
  if (Array.isArray(value)) return `[${value.map(pyJson).join(",")}]`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort(pyCompare);
  return `{${keys.map((k) => `${pyString(k)}:${pyJson(value[k])}`).join(",")}}`;
}

function pyCompare(a, b) {  // Python sorts str by code point, JS by UTF-16 unit: the same below U+D800
  const x = [...a].map((c) => c.codePointAt(0));
  const y = [...b].map((c) => c.codePointAt(0));
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/** Python's round(x, 4): the nearest, ties to even, on the exact binary value. */
export function round4(x) {
  const exact = Math.abs(x).toFixed(60);
  const [whole, frac] = exact.split(".");
  const tail = frac.slice(4);
  let kept = BigInt(whole + frac.slice(0, 4));
  const half = "5" + "0".repeat(tail.length - 1);
  if (tail > half || (tail === half && kept % 2n === 1n)) kept += 1n;
  const s = kept.toString().padStart(5, "0");
  const out = Number(`${s.slice(0, -4)}.${s.slice(-4)}`);
  return x < 0 ? -out : out;
}

// --- UUID v5 (RFC 4122, SHA-1) -------------------------------------------------------------------------------

function uuidBytes(text) {
  const hex = text.replace(/-/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`${text} is not a UUID`);
  return Uint8Array.from(hex.match(/../g), (h) => parseInt(h, 16));
}

export async function uuid5(namespace, name) {
  const ns = uuidBytes(namespace);
  const data = new TextEncoder().encode(name);
  const buf = new Uint8Array(ns.length + data.length);
  buf.set(ns);
  buf.set(data, ns.length);
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-1", buf)).slice(0, 16);
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const h = [...hash].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function canonicalUuid(text) {
  const h = [...uuidBytes(text)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// --- xAPI, as wire/xapi.py builds it -------------------------------------------------------------------------

export function activityId(course, item) {
  if (item == null) return ACTIVITY_PREFIX + course;
  const quoted = encodeURIComponent(item).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
  return `${ACTIVITY_PREFIX}${course}/${quoted}`;
}

function statement(learner, verb, objectId, result, context, id, timestamp) {
  const built = {
    id, timestamp,
    actor: { objectType: "Agent", account: { homePage: "urn:throughgate", name: learner } },
    verb: { id: ADL + verb, display: { [LANGUAGE]: verb } },
    object: { objectType: "Activity", id: objectId },
  };
  if (result && Object.keys(result).length) built.result = plain(result);
  built.context = context;
  return built;
}

function plain(value) {  // PyFloat markers out: the statement itself is plain JSON
  return JSON.parse(JSON.stringify(value));
}

export function statementKey(what, result, definition) {
  return `${what}/${pyJson({ result, definition: definition || {} })}`;
}

function cut(text, limit) {
  return [...text].length <= limit ? text : [...text].slice(0, limit - 1).join("") + "…";
}

class Refused extends Error {
  constructor(element, value, reason, code) {
    super(reason);
    this.refusal = { element, value: cut(value, MAX_KEPT), reason: cut(reason, 2 * MAX_KEPT), error_code: code };
  }
}

function repr(text) {  // Python's repr of a str, as the reasons quote values
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = "";
  for (const ch of text) {
    const c = ch.codePointAt(0);
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c === 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else out += ch;
  }
  return quote + out + quote;
}

function interactions(cmi) {
  const found = new Map();
  for (const [element, value] of Object.entries(cmi)) {
    const m = /^cmi\.interactions\.(\d{1,4})\.(.+)$/.exec(element);
    if (m) {
      const n = Number(m[1]);
      if (!found.has(n)) found.set(n, {});
      found.get(n)[m[2]] = value;
    }
  }
  return [...found.entries()].sort((a, b) => a[0] - b[0]);
}

function patterns(fields) {
  const numbered = [];
  for (const [key, value] of Object.entries(fields)) {
    const m = /^correct_responses\.(\d+)\.pattern$/.exec(key);
    if (m) numbered.push([Number(m[1]), value]);
  }
  return numbered.sort((a, b) => a[0] - b[0]);
}

function pyNum(n) {  // a number in a reason, as Python's f-string writes it
  return pyNumber(n);
}

// --- SCORM 1.2 -----------------------------------------------------------------------------------------------

const STATUS_VERBS_12 = {
  passed: ["passed", { success: true, completion: true }],
  failed: ["failed", { success: false, completion: true }],
  completed: ["completed", { completion: true }],
  incomplete: ["progressed", { completion: false }],
  browsed: ["experienced", {}],
  "not attempted": [null, {}],
};
const TYPES_12 = ["true-false", "choice", "fill-in", "matching", "performance", "sequencing", "likert", "numeric"];
const TIMESPAN = /^(\d{2,4}):(\d{2}):(\d{2})(?:\.(\d{1,2}))?$/;
const DECIMAL = /^-?\d{1,10}(?:\.\d{1,10})?$/;
const IDENTIFIER_12 = /^[!-~]{1,255}$/;
const WS = "[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const PY_SPACE = new RegExp(`^${WS}+|${WS}+$`, "g");  // what Python's str.strip() takes off
const own = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);

function duration12(timespan, element = "cmi.core.session_time") {
  const m = TIMESPAN.exec(timespan);
  if (!m || Number(m[2]) > 59 || Number(m[3]) > 59) {
    throw new Refused(element, timespan, `${element} ${repr(timespan)} is not a CMITimespan (HHHH:MM:SS.SS)`,
      INCORRECT_DATA_TYPE);
  }
  const hundredths = (m[4] || "").replace(/0+$/, "");
  return `PT${Number(m[1])}H${Number(m[2])}M${Number(m[3])}${hundredths ? "." + hundredths : ""}S`;
}

function decimal12(cmi, element) {
  const text = cmi[element] ?? "";
  if (text === "") return null;
  if (!DECIMAL.test(text)) throw new Refused(element, text, `${element} ${repr(text)} is not a CMIDecimal`, INCORRECT_DATA_TYPE);
  return Number(text);
}

function score12(cmi) {
  const raw = decimal12(cmi, "cmi.core.score.raw");
  if (raw === null) return null;
  let low = decimal12(cmi, "cmi.core.score.min");
  let high = decimal12(cmi, "cmi.core.score.max");
  low = low === null ? 0 : low;
  high = high === null ? 100 : high;
  if (!(low < high)) {
    throw new Refused("cmi.core.score.min", cmi["cmi.core.score.min"] ?? "",
      `cmi.core.score.min (${pyNum(low)}) must be below cmi.core.score.max (${pyNum(high)})`, INCORRECT_DATA_TYPE);
  }
  if (!(low <= raw && raw <= high)) {
    throw new Refused("cmi.core.score.raw", cmi["cmi.core.score.raw"],
      `cmi.core.score.raw (${pyNum(raw)}) must be from cmi.core.score.min (${pyNum(low)}) to max (${pyNum(high)})`,
      INCORRECT_DATA_TYPE);
  }
  return { scaled: new PyFloat(round4((raw - low) / (high - low))), raw, min: low, max: high };
}

function response12(kind, value, element = "cmi.interactions.n.student_response") {
  if (kind === "true-false") {
    if (!["t", "f", "true", "false", "0", "1"].includes(value)) {
      throw new Refused(element, value, `${element} ${repr(value)} is not a true-false response (t or f)`, INCORRECT_DATA_TYPE);
    }
    return ["t", "true", "1"].includes(value) ? "true" : "false";
  }
  const strip = (s) => s.replace(PY_SPACE, "");
  if (kind === "choice" || kind === "sequencing") return value.split(",").map(strip).join("[,]");
  if (kind === "matching") return value.split(",").map((p) => strip(p).replace(".", "[.]")).join("[,]");
  return value;
}

function interaction12(n, fields, course, item, refuse) {
  const element = `cmi.interactions.${n}`;
  const ident = fields.id ?? "";
  if (!ident) throw new Refused(`${element}.id`, "", `${element}.id is missing: the interaction is left out`, INCORRECT_DATA_TYPE);
  if (!IDENTIFIER_12.test(ident)) {
    throw new Refused(`${element}.id`, ident, `${element}.id ${repr([...ident].slice(0, 80).join(""))} is not a ` +
      "CMIIdentifier (at most 255 printable characters, no spaces)", INCORRECT_DATA_TYPE);
  }
  const kind = fields.type ?? "";
  if (!TYPES_12.includes(kind)) {
    throw new Refused(`${element}.type`, kind, `${element}.type ${repr(kind)} is not one of ${TYPES_12.join(", ")}`,
      INCORRECT_DATA_TYPE);
  }
  const result = { response: response12(kind, fields.student_response ?? "", `${element}.student_response`) };
  if (fields.result === "correct" || fields.result === "wrong") result.success = fields.result === "correct";
  if (fields.latency) {
    try { result.duration = duration12(fields.latency, `${element}.latency`); } catch (e) { refuse(e); }
  }
  const definition = { type: CMI_INTERACTION_ACTIVITY, interactionType: kind };
  let found = [];
  try {
    found = patterns(fields).map(([i, v]) => response12(kind, v, `${element}.correct_responses.${i}.pattern`));
  } catch (e) { refuse(e); found = []; }
  if (found.length) definition.correctResponsesPattern = found;
  return [`interaction/${n}/${ident}`, "answered", activityId(course, `${item}/${ident}`), result, definition];
}

async function commit12(cmi, { learner, course, item, attempt, timestamp }) {
  const registration = canonicalUuid(attempt);
  const context = { registration, contextActivities: { parent: [{ objectType: "Activity", id: activityId(course) }] } };
  const out = { statements: [], refused: [] };
  const refuse = (e) => { if (e instanceof Refused) out.refused.push(e.refusal); else throw e; };
  const add = async (kind, what, verb, objectId, result, definition) => {
    const id = await uuid5(registration, statementKey(what, result, definition));
    const built = statement(learner, verb, objectId, result, context, id, timestamp);
    if (definition) built.object.definition = plain(definition);
    out.statements.push([kind, built]);
  };
  let status = cmi["cmi.core.lesson_status"] ?? "";
  if (status && !own(STATUS_VERBS_12, status)) {
    refuse(new Refused("cmi.core.lesson_status", status, `cmi.core.lesson_status ${repr(status)} is not one of ` +
      Object.keys(STATUS_VERBS_12).join(", "), INCORRECT_DATA_TYPE));
    status = "";
  }
  let [verb, base] = own(STATUS_VERBS_12, status) ? STATUS_VERBS_12[status] : [null, {}];
  const result = { ...base };
  try {
    const points = score12(cmi);
    if (points !== null) result.score = points;
  } catch (e) { refuse(e); }
  if (cmi["cmi.core.session_time"]) {
    try { result.duration = duration12(cmi["cmi.core.session_time"]); } catch (e) { refuse(e); }
  }
  if (verb === null && "score" in result) verb = "scored";
  if (verb !== null) await add("progress_statement", `status/${verb}/${status}`, verb, activityId(course, item), result);
  for (const [n, fields] of interactions(cmi)) {
    let parts;
    try { parts = interaction12(n, fields, course, item, refuse); } catch (e) { refuse(e); continue; }
    await add("quiz_answer", ...parts);
  }
  return out;
}

// --- SCORM 2004 ----------------------------------------------------------------------------------------------

const SUCCESS = { passed: true, failed: false, unknown: null };
const COMPLETION = { completed: true, incomplete: false, "not attempted": null, unknown: null };
const TYPES_2004 = ["true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing",
  "likert", "numeric", "other"];
const RESULTS_2004 = { correct: true, incorrect: false, unanticipated: null, neutral: null };
const REAL = /^-?\d{1,10}(?:\.\d{1,7})?$/;
const TIMEINTERVAL = /^P(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d{1,2})?S)?)?$/;
const LONG_IDENTIFIER = /^[!-~]{1,4000}$/;

function duration2004(value, element = "cmi.session_time") {
  if (value === "P" || value === "PT" || value.endsWith("T") || !TIMEINTERVAL.test(value)) {
    throw new Refused(element, value, `${element} ${repr(value)} is not a timeinterval (ISO 8601, e.g. PT1H30M5.5S)`,
      TYPE_MISMATCH);
  }
  return value;
}

function real(cmi, element) {
  const text = cmi[element] ?? "";
  if (text === "") return null;
  if (!REAL.test(text)) throw new Refused(element, text, `${element} ${repr(text)} is not a real(10,7)`, TYPE_MISMATCH);
  return Number(text);
}

function none(n) { return n === null ? "None" : pyNum(n); }

function score2004(cmi) {
  let scaled = real(cmi, "cmi.score.scaled");
  const raw = real(cmi, "cmi.score.raw");
  const low = real(cmi, "cmi.score.min");
  const high = real(cmi, "cmi.score.max");
  if (scaled !== null && !(scaled >= -1 && scaled <= 1)) {
    throw new Refused("cmi.score.scaled", cmi["cmi.score.scaled"], `cmi.score.scaled (${pyNum(scaled)}) must be from -1 to 1`, OUT_OF_RANGE);
  }
  if (low !== null && high !== null && !(low < high)) {
    throw new Refused("cmi.score.min", cmi["cmi.score.min"], `cmi.score.min (${pyNum(low)}) must be below cmi.score.max ` +
      `(${pyNum(high)})`, OUT_OF_RANGE);
  }
  if (raw !== null && !((low === null || low <= raw) && (high === null || raw <= high))) {
    throw new Refused("cmi.score.raw", cmi["cmi.score.raw"], `cmi.score.raw (${pyNum(raw)}) must be from cmi.score.min ` +
      `(${none(low)}) to cmi.score.max (${none(high)})`, OUT_OF_RANGE);
  }
  if (scaled === null && raw !== null && low !== null && high !== null) scaled = new PyFloat(round4((raw - low) / (high - low)));
  const found = {};
  for (const [name, value] of [["scaled", scaled], ["raw", raw], ["min", low], ["max", high]]) {
    if (value !== null) found[name] = value;
  }
  return "scaled" in found || "raw" in found ? found : null;
}

function response2004(kind, value, element) {
  if (kind === "true-false" && value !== "true" && value !== "false") {
    throw new Refused(element, value, `${element} ${repr(value)} is not a true-false response (true or false)`, TYPE_MISMATCH);
  }
  return value;
}

function status2004(cmi, element, values, out) {
  const value = cmi[element] ?? "";
  if (value && !own(values, value)) {
    out.refused.push(new Refused(element, value, `${element} ${repr(value)} is not one of ${Object.keys(values).join(", ")}`,
      TYPE_MISMATCH).refusal);
    return null;
  }
  return own(values, value) ? values[value] : null;
}

function interaction2004(n, fields, course, item, out) {
  const element = `cmi.interactions.${n}`;
  const ident = fields.id ?? "";
  if (!LONG_IDENTIFIER.test(ident)) {
    throw new Refused(`${element}.id`, ident, `${element}.id ${repr([...ident].slice(0, 80).join(""))} is not a ` +
      "long_identifier_type (printable, no spaces, at most 4000 characters): the interaction is left out", TYPE_MISMATCH);
  }
  const kind = fields.type ?? "";
  if (!TYPES_2004.includes(kind)) {
    throw new Refused(`${element}.type`, kind, `${element}.type ${repr(kind)} is not one of ${TYPES_2004.join(", ")}`, TYPE_MISMATCH);
  }
  const result = { response: response2004(kind, fields.learner_response ?? "", `${element}.learner_response`) };
  const outcome = fields.result ?? "";
  if (own(RESULTS_2004, outcome)) {
    if (RESULTS_2004[outcome] !== null) result.success = RESULTS_2004[outcome];
  } else if (outcome && !REAL.test(outcome)) {
    out.refused.push(new Refused(`${element}.result`, outcome, `${element}.result ${repr(outcome)} is not one of ` +
      `${Object.keys(RESULTS_2004).join(", ")} or a real number`, TYPE_MISMATCH).refusal);
  }
  if (fields.latency) {
    try { result.duration = duration2004(fields.latency, `${element}.latency`); } catch (e) {
      if (!(e instanceof Refused)) throw e;
      out.refused.push(e.refusal);
    }
  }
  const definition = { type: CMI_INTERACTION_ACTIVITY, interactionType: kind };
  let found = [];
  try {
    found = patterns(fields).map(([i, v]) => response2004(kind, v, `${element}.correct_responses.${i}.pattern`));
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    out.refused.push(e.refusal);
    found = [];
  }
  if (found.length) definition.correctResponsesPattern = found;
  if (fields.description) definition.description = { [LANGUAGE]: fields.description };
  return [`interaction/${n}/${ident}`, "answered", activityId(course, `${item}/${ident}`), result, definition];
}

async function commit2004(cmi, { learner, course, item, attempt, timestamp }) {
  const registration = canonicalUuid(attempt);
  const context = { registration, contextActivities: { parent: [{ objectType: "Activity", id: activityId(course) }] } };
  const out = { statements: [], refused: [] };
  const add = async (kind, what, verb, objectId, result, definition) => {
    const id = await uuid5(registration, statementKey(what, result, definition));
    const built = statement(learner, verb, objectId, result, context, id, timestamp);
    if (definition) built.object.definition = plain(definition);
    out.statements.push([kind, built]);
  };
  const result = {};
  const success = status2004(cmi, "cmi.success_status", SUCCESS, out);
  const completion = status2004(cmi, "cmi.completion_status", COMPLETION, out);
  if (success !== null) result.success = success;
  if (completion !== null) result.completion = completion;
  try {
    const points = score2004(cmi);
    if (points !== null) result.score = points;
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    out.refused.push(e.refusal);
  }
  if (cmi["cmi.session_time"]) {
    try { result.duration = duration2004(cmi["cmi.session_time"]); } catch (e) {
      if (!(e instanceof Refused)) throw e;
      out.refused.push(e.refusal);
    }
  }
  const verb = (success === true ? "passed" : success === false ? "failed" : null)
    || (completion === true ? "completed" : completion === false ? "progressed" : null)
    || ("score" in result ? "scored" : null);
  if (verb !== null) {
    const status = `${cmi["cmi.success_status"] ?? ""}/${cmi["cmi.completion_status"] ?? ""}`;
    await add("progress_statement", `status/${verb}/${status}`, verb, activityId(course, item), result);
  }
  for (const [n, fields] of interactions(cmi)) {
    let parts;
    try { parts = interaction2004(n, fields, course, item, out); } catch (e) {
      if (!(e instanceof Refused)) throw e;
      out.refused.push(e.refusal);
      continue;
    }
    await add("quiz_answer", ...parts);
  }
  return out;
}

/** The statements and refusals one commit makes ("1.2" or "2004"); cmi: element -> string value. */
export function commit(version, cmi, args) {
  return version === "2004" ? commit2004(cmi, args) : commit12(cmi, args);
}
