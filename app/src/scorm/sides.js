// Where the SCORM player's courses, launches and learner come from: the player page (entries/player.js) is the
// same on both sides, and asks its side through this small adapter.
//
//   side.learner(params)       the learner the attempts and statements are for: on the tablet its bound learner,
//                              on the phone the person (their person id)
//   side.manifests()           the side's signed manifests, fresh ([] offline: the player keeps its own copies)
//   side.launch(manifest, l)   a capability URL on the side's content origin, or null (offline, refused)
//   side.prepare(manifest, l)  before the picker: on the phone, the resume states from the hub become attempts
//   side.body(learner, p)      an outbox item's body (runtime.js): a record's on the tablet, a phone change's on
//                              the phone
//   side.refusals              whether refused values go to support as course_refusal records (the tablet's)
//   side.words                 what the page says that names the device; side.home where "Back" goes
//
// The tablet's adapter is here; the phone's is app/src/phone/courses.js, chosen by ?side=phone (the phone's
// Library opens the player so).
import { t } from "../shell/i18n.js";
import { recordBody, whoAmI } from "../tablet/records.js";

export const tablet = {
  name: "tablet",
  home: "/app/#/home",
  async learner(params) {
    let learner = params.get("learner") || ((await whoAmI()) || {}).learner || "";  // as the app keeps it
    if (!learner) {
      try { learner = (await (await fetch("/v1/tablets/me")).json()).learner || ""; } catch { /* offline */ }
    }
    return learner;
  },
  async manifests() {
    try {
      const res = await fetch("/v1/courses", { cache: "no-cache" });
      if (!res.ok) return [];
      const listing = await res.json();
      return (listing.courses || []).map((entry) => entry.envelope && entry.envelope.manifest).filter(Boolean);
    } catch { return []; }  // offline: the kept copy
  },
  async launch(manifest, learner) {
    try {
      const res = await fetch(`/v1/courses/${encodeURIComponent(manifest.course)}/launch`, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ learner, version: manifest.version }),
      });
      return res.ok ? res.json() : null;
    } catch { return null; }  // offline: the kept link; the content origin's service worker has the files
  },
  async prepare() {},
  body: recordBody,
  refusals: true,
  words: {
    saved: () => t("Saved on this tablet. It is sent when the tablet is connected."),
    missing: () => t("This course is not on this tablet yet. Connect to the network and try again."),
  },
};
