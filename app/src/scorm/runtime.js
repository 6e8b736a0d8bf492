// The LMS side of the SCORM player, in the app's origin: scorm-again's real API (1.2 or 2004), reached by the
// content only through CrossFrameLMS (postMessage from the content origin, its origin checked), attempts and
// resume kept in IndexedDB, and each commit turned into statements in the outbox (mapping.js).
//
//   const session = await openItem({ learner, course, manifest, item, launch, frameEl, onCommitted, side })
//
// `side` says how an outbox item's body is made where the player runs (player.js's adapter): on the tablet a
// record's body (tablet/records.js recordBody: learner, created, seq), on the phone a phone change's body.
//
// IndexedDB stores (the shell's store.js; the app's origin, which no course script can reach):
//   scorm_attempts   { id: attempt UUID, learner, course, version, item, scorm, opened, updated, done, cmi,
//                      state: { seq, digest } of the last resume state put in the outbox (course_state) }
//   scorm_current    { id: "learner|course|item", attempt }       the attempt a launch resumes
//   scorm_statements { id: statement id, attempt, outbox }         what is already in the outbox (sent once)
//   scorm_refusals   { id: "attempt|element|value", ..., reason }  refused values, shown for support and sent to it
//                                                                    once (a course_refusal record in the outbox)
import { CrossFrameLMS } from "scorm-again/cross-frame-lms";
import { Scorm12API } from "scorm-again/scorm12";
import { Scorm2004API } from "scorm-again/scorm2004";
import { commit as mapCommit, uuid5 } from "./mapping.js";
import * as store from "../shell/store.js";
import * as outbox from "../shell/outbox.js";
import { recordBody } from "../tablet/records.js";
import { answerFiles } from "./files.js";

store.declare("scorm_attempts", "scorm_current", "scorm_statements", "scorm_refusals");

const KEPT = {  // the runtime values a new session of an open attempt starts from
  "1.2": ["cmi.core.lesson_location", "cmi.suspend_data", "cmi.core.lesson_status", "cmi.core.score.raw",
    "cmi.core.score.min", "cmi.core.score.max", "cmi.core.exit"],
  "2004": ["cmi.location", "cmi.suspend_data", "cmi.completion_status", "cmi.success_status", "cmi.score.scaled",
    "cmi.score.raw", "cmi.score.min", "cmi.score.max", "cmi.progress_measure", "cmi.exit"],
};
const DONE_12 = new Set(["passed", "failed", "completed"]);
export const STATE_KIND = "course_state";
export const STATE_MAX_BYTES = 60000;  // wire/course_state.py MAX_PAYLOAD_BYTES: fits a record and a phone sync
const TABLET_SIDE = { body: recordBody, refusals: true };

export function versionOf(manifest) {
  return manifest.format === "scorm2004" ? "2004" : "1.2";
}

/** Whether an attempt is over: a new launch starts a new one (SCORM: not suspended, and finished). */
export function finished(scorm, cmi) {
  if (scorm === "2004") return cmi["cmi.completion_status"] === "completed" && cmi["cmi.exit"] !== "suspend";
  return DONE_12.has(cmi["cmi.core.lesson_status"]) && cmi["cmi.core.exit"] !== "suspend";
}

/** The attempt this launch goes on with, or a new one. */
export async function attemptFor({ learner, course, version, item, scorm }) {
  const key = `${learner}|${course}|${item}`;
  const current = await store.get("scorm_current", key);
  if (current) {
    const held = await store.get("scorm_attempts", current.attempt);
    if (held && !held.done) return held;
  }
  const now = new Date().toISOString();
  const fresh = { id: outbox.uuid(), learner, course, version, item, scorm, opened: now, updated: now, done: false,
    cmi: {} };
  await store.put("scorm_attempts", fresh);
  await store.put("scorm_current", { id: key, attempt: fresh.id });
  return fresh;
}

function flat(api) {
  const out = {};
  for (const [k, v] of Object.entries(api.getFlattenedCMI() || {})) {
    if (v !== null && v !== undefined && v !== "" && typeof v !== "object") out[k] = String(v);
  }
  return out;
}

function startingValues(attempt, learner) {
  const kept = attempt.cmi || {};
  const resume = Object.keys(kept).some((k) => /location|suspend_data/.test(k) && kept[k] !== "");
  if (attempt.scorm === "2004") {
    const values = { "cmi.learner_id": learner, "cmi.learner_name": learner };
    for (const k of KEPT["2004"]) if (kept[k] && k !== "cmi.exit") values[k] = kept[k];
    return { values, entry: resume ? "resume" : "ab-initio" };
  }
  const values = { "cmi.core.student_id": learner, "cmi.core.student_name": learner };
  for (const k of KEPT["1.2"]) if (kept[k] && k !== "cmi.core.exit") values[k] = kept[k];
  return { values, entry: resume ? "resume" : "ab-initio" };
}

/** What a SCORM 2004 manifest's signed `scorm` field says of the item (wire/course_scorm.py), set before the
 *  content starts, as the data model's read-only elements: cmi.launch_data (adlcp:dataFromLMS),
 *  cmi.completion_threshold, cmi.scaled_passing_score (the primary objective's minNormalizedMeasure when it is
 *  satisfied by measure) and cmi.objectives (their ids, so the content's objectives are the package's). */
export function fromManifest(api, manifest, itemId) {
  const item = manifest.scorm && manifest.scorm.items && manifest.scorm.items[itemId];
  if (!item) return;
  const set = (fn) => { try { fn(); } catch (e) { console.warn("not set from the manifest:", e); } };
  if (item.data_from_lms != null) set(() => { api.cmi.launch_data = String(item.data_from_lms); });
  if (item.completion_threshold != null) set(() => { api.cmi.completion_threshold = String(item.completion_threshold); });
  const primary = (item.objectives || []).find((o) => o.primary);
  if (primary && primary.satisfied_by_measure) {
    set(() => { api.cmi.scaled_passing_score = String(primary.min_normalized_measure); });
  }
  const ids = (item.objectives || []).map((o) => o.id).filter(Boolean);
  if (ids.length) set(() => api.loadFromFlattenedJSON(Object.fromEntries(ids.map((id, n) => [`cmi.objectives.${n}.id`, id]))));
}

/** Between commits, where the learner is (location, suspend data, status), so that closing the tablet's browser
 *  loses no place: many packages commit only at LMSFinish, on their page's unload, which a closing browser never
 *  delivers. Statements still come from commits alone, and only a commit can finish an attempt. */
export async function keepResume(attempt, cmi) {
  let changed = false;
  for (const k of KEPT[attempt.scorm]) {
    if (cmi[k] !== undefined && attempt.cmi[k] !== cmi[k]) { attempt.cmi[k] = cmi[k]; changed = true; }
  }
  if (!changed) return;
  attempt.updated = new Date().toISOString();
  await store.put("scorm_attempts", attempt);
}

async function sha256Hex(text) {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return [...hash].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The attempt's resume state as it travels (wire/course_state.py): xAPI's activity state for this learner, item
 *  and registration (the attempt), state id "resume", as cmi5 keeps resume data. */
export function statePayload(attempt, seq) {
  const values = {};
  for (const k of KEPT[attempt.scorm]) {
    const v = attempt.cmi[k];
    if (v !== undefined && v !== null && v !== "") values[k] = String(v);
  }
  return { course: attempt.course, version: attempt.version, item: attempt.item, attempt: attempt.id,
    scorm: attempt.scorm, seq, updated: attempt.updated, done: attempt.done, values };
}

/** Puts the attempt's resume state in the outbox when it changed since the last one put there: a new `seq`, and
 *  an id made from the attempt, that seq and the values' hash, so the same state again is the same item (kept
 *  once everywhere), and a later one a new item. A state too large to travel is refused here, with why: the part
 *  still resumes on this device. Returns that refusal, or null. */
export async function queueState(attempt, learner, side = TABLET_SIDE) {
  const probe = statePayload(attempt, 1);
  const digest = await sha256Hex(JSON.stringify({ done: probe.done, values: probe.values }));
  const last = attempt.state || { seq: 0, digest: "" };
  if (last.digest === digest) return null;
  const payload = statePayload(attempt, last.seq + 1);
  const size = new TextEncoder().encode(JSON.stringify(payload)).length;
  if (size > STATE_MAX_BYTES) {
    return { element: "cmi.suspend_data", value: `${size} bytes`, error_code: "too_large",
      reason: `the place in this part (${size} bytes) is too large to go to other devices (at most ${STATE_MAX_BYTES}): ` +
        "it resumes on this device only" };
  }
  const id = await uuid5(attempt.id, `state/${payload.seq}/${digest}`);
  await outbox.add({ id, kind: STATE_KIND, body: await side.body(learner, payload) });
  attempt.state = { seq: payload.seq, digest };
  await store.put("scorm_attempts", attempt);
  return null;
}

/** Keeps what one commit says: resume values first (never lose where the learner is), then each new statement
 *  into the outbox once, then the resume state (for the learner's other devices: their phone after release), then
 *  the refusals. Returns { added, refused }. */
export async function recordCommit(attempt, cmi, { learner, course, item, side = TABLET_SIDE }) {
  const now = new Date().toISOString();
  const kept = {};
  for (const k of KEPT[attempt.scorm]) if (cmi[k] !== undefined) kept[k] = cmi[k];
  attempt.cmi = { ...attempt.cmi, ...kept };
  attempt.updated = now;
  attempt.done = finished(attempt.scorm, attempt.cmi);
  await store.put("scorm_attempts", attempt);
  const made = await mapCommit(attempt.scorm, cmi, { learner, course, item, attempt: attempt.id, timestamp: now });
  let added = 0;
  for (const [kind, statement] of made.statements) {
    if (await store.get("scorm_statements", statement.id)) continue;  // the same values again: recorded once
    // a record as the edge takes it, whose id is the statement's own (the edge requires it)
    const id = await outbox.add({ id: statement.id, kind, body: await side.body(learner, statement) });
    await store.put("scorm_statements", { id: statement.id, attempt: attempt.id, outbox: id });
    added += 1;
  }
  const tooLarge = await queueState(attempt, learner, side);
  if (tooLarge) made.refused.push(tooLarge);
  for (const r of made.refused) {
    const key = `${attempt.id}|${r.element}|${r.value}`;
    if (await store.get("scorm_refusals", key)) continue;  // refused before in this attempt: kept and sent once
    if (side.refusals) await sendRefusal(attempt, r, { learner, course, item });
    await store.put("scorm_refusals", { id: key, attempt: attempt.id, learner, course, item, ...r, created: now });
  }
  return { added, refused: made.refused };
}

/** A refused value, to support: a course_refusal record (wire/course_refusal.py) in the outbox, its id made from the
 *  attempt, element and value, so the same refusal is one record however often it is sent. */
export async function sendRefusal(attempt, r, { learner, course, item }) {
  const id = await uuid5(attempt.id, `refusal/${r.element}/${r.value}`);
  const payload = { course, version: Number.isInteger(attempt.version) ? attempt.version : null, item,
    attempt: attempt.id, element: r.element, value: r.value, error_code: r.error_code, reason: r.reason };
  return outbox.add({ id, kind: "course_refusal", body: await recordBody(learner, payload) });
}

/** Runs one item: the API, its bridge to the content origin, and the frame. */
export async function openItem({ learner, manifest, item, launch, frameEl, onCommitted = () => {},
  onInitialized = () => {}, side = TABLET_SIDE }) {
  const scorm = versionOf(manifest);
  const attempt = await attemptFor({ learner, course: manifest.course, version: manifest.version, item: item.id, scorm });
  const settings = { autocommit: false, lmsCommitUrl: false, logLevel: 5, sendFullCommit: true };
  const api = scorm === "2004" ? new Scorm2004API(settings) : new Scorm12API(settings);
  const { values, entry } = startingValues(attempt, learner);
  api.loadFromFlattenedJSON(values);
  if (scorm === "2004") {
    api.cmi.entry = entry;
    fromManifest(api, manifest, item.id);
  } else {
    api.cmi.core.entry = entry === "resume" ? "resume" : "ab-initio";
  }
  let chain = Promise.resolve();
  // session_time is the content's to report: scorm-again renders a zero where it set none, which would claim a
  // session of no length, so it is mapped only once the content has set it (as the reference mapping sees it)
  const sessionTime = scorm === "2004" ? "cmi.session_time" : "cmi.core.session_time";
  let sessionTimeSet = false;
  api.on(`${scorm === "2004" ? "SetValue" : "LMSSetValue"}.${sessionTime}`, () => { sessionTimeSet = true; });
  const onCommit = () => {
    const cmi = flat(api);
    if (!sessionTimeSet) delete cmi[sessionTime];
    chain = chain.then(() => recordCommit(attempt, cmi, { learner, course: manifest.course, item: item.id, side }))
      .then((r) => onCommitted(r, attempt)).catch((e) => console.error("commit not kept:", e));
  };
  for (const name of scorm === "2004" ? ["Commit", "Terminate"] : ["LMSCommit", "LMSFinish"]) api.on(name, onCommit);
  api.on(scorm === "2004" ? "Initialize" : "LMSInitialize", () => onInitialized());
  let pending = null;
  api.on(`${scorm === "2004" ? "SetValue" : "LMSSetValue"}.cmi.*`, () => {
    clearTimeout(pending);
    pending = setTimeout(() => {
      chain = chain.then(() => keepResume(attempt, flat(api))).catch((e) => console.error("place not kept:", e));
    }, 250);
  });
  const bridge = new CrossFrameLMS(api, launch.origin, { rateLimit: 2000 });
  const stopFiles = answerFiles(manifest, launch, frameEl);  // the files' hashes, for the content origin (files.js)
  const href = item.href.startsWith("/") ? item.href.slice(1) : item.href;
  frameEl.src = `${launch.frame}#launch=${encodeURIComponent(launch.content + href)}`;
  return {
    api, attempt, entry,
    settled: () => chain,
    /** Unloads the content first, so that what its unload handler sends (many packages call LMSFinish there)
     *  still reaches the API; then the bridge goes. Resolves once everything is kept. */
    async close() {
      await new Promise((done) => {
        frameEl.addEventListener("load", done, { once: true });
        setTimeout(done, 2000);
        frameEl.src = "about:blank";
      });
      await new Promise((done) => setTimeout(done, 300));
      bridge.destroy();
      stopFiles();
      return chain;
    },
  };
}
