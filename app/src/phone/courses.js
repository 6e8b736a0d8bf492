// The person's courses after release (docs/phone-sync.md "Courses"): the hub's signed GET /v1/phone/courses, kept
// in the app's IndexedDB for offline use (store `scorm_courses`, the player's own: {id: course, manifest, items,
// version}), and the player's adapter for the phone (app/src/scorm/sides.js says what an adapter is).
//
// The heart of it: where the person was in prison goes on here. Each item's newest resume state at the hub (the
// tablet's course_state records, wire/course_state.py) becomes the player's attempt for that item (the same
// attempt id, location, suspend data and statuses), unless this phone holds a newer one of its own; the player
// then opens it with entry "resume", as the tablet would have.
import { t } from "../shell/i18n.js";
import * as store from "../shell/store.js";
import { activation } from "./device.js";
import { signed } from "./hub.js";

store.declare("scorm_courses", "scorm_attempts", "scorm_current");
const SEEN = "phone-courses-seen";  // {id: "seen", versions: {course: version}}: what the Library showed last

/** GET /v1/phone/courses, kept: the listing's courses ([] with nothing kept). Throws HubError offline. */
export async function refresh() {
  const { data } = await signed("GET", "/v1/phone/courses");
  const courses = (data && data.courses) || [];
  for (const c of courses) {
    await store.put("scorm_courses", { id: c.course, manifest: c.envelope.manifest, items: c.items, version: c.version,
      title: c.title, format: c.format });
  }
  return courses;
}

/** The courses kept on this phone, by title. */
export async function kept() {
  const all = (await store.all("scorm_courses")).filter((c) => c.manifest && c.items);
  return all.sort((a, b) => String(a.manifest.title).localeCompare(String(b.manifest.title)));
}

const newHere = new Set();  // new when first shown on this page: they stay New while the app is open (redraws too)

/** Which courses are new since the Library was shown in an earlier visit (a course, or a newer version of it);
 *  then marks them seen. */
export async function whatIsNew(courses) {
  const seen = (await store.get("settings", SEEN)) || { id: SEEN, versions: {} };
  for (const c of courses) if ((seen.versions[c.id] || 0) < c.manifest.version) newHere.add(c.id);
  const fresh = new Set(courses.filter((c) => newHere.has(c.id)).map((c) => c.id));
  for (const c of courses) seen.versions[c.id] = Math.max(seen.versions[c.id] || 0, c.manifest.version);
  await store.put("settings", seen);
  return fresh;
}

function older(held, state) {
  if (held.id === state.attempt) return ((held.state && held.state.seq) || 0) < state.seq;
  return String(held.updated || "") < state.updated;
}

/** The hub's resume state becomes this item's attempt here, unless this phone holds a newer one. */
export async function adoptState(learner, state) {
  const key = `${learner}|${state.course}|${state.item}`;
  const current = await store.get("scorm_current", key);
  const held = current && (await store.get("scorm_attempts", current.attempt));
  if (held && !older(held, state)) return false;
  await store.put("scorm_attempts", { id: state.attempt, learner, course: state.course, version: state.version,
    item: state.item, scorm: state.scorm, opened: state.updated, updated: state.updated, done: state.done,
    cmi: { ...state.values }, state: { seq: state.seq, digest: "" }, from: "hub" });
  await store.put("scorm_current", { id: key, attempt: state.attempt });
  return true;
}

export const phone = {
  name: "phone",
  home: "/app/#/library",
  async learner() {
    const done = await activation();
    return done ? done.person : "";
  },
  async manifests() {
    try {
      return (await refresh()).map((c) => c.envelope.manifest);
    } catch { return []; }  // offline, or not set up: the kept copy
  },
  async launch(manifest) {
    try {
      const { data } = await signed("POST", `/v1/phone/courses/${encodeURIComponent(manifest.course)}/launch`,
        { version: manifest.version });
      return data;
    } catch { return null; }
  },
  async prepare(manifest, learner) {
    const entry = await store.get("scorm_courses", manifest.course);
    for (const item of (entry && entry.items) || []) {
      if (item.state && item.state.course === manifest.course) await adoptState(learner, item.state);
    }
  },
  body: async (_learner, payload) => ({ created: new Date().toISOString(), payload }),
  refusals: false,  // shown on the player, for support; the hub keeps no refusals from phones
  words: {
    saved: () => t("Saved on this phone. It is sent when you are online."),
    missing: () => t("This course is not on this phone yet. Connect to the internet and open your courses again."),
  },
};
