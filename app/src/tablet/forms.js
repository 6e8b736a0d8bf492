// The Forms screen's tablet side (the adapter app/src/phone/forms/side.js describes; the screen itself is the phone's,
// app/src/phone/screens/forms.js): the forms come from the edge (GET /v1/tablets/forms, which keeps what the hub
// published), kept in IndexedDB (`tablet_forms`, `tablet_form_drafts`) to fill in with no network; a photo, signature
// or voice note is held on this tablet (uploads.js) and uploaded to the edge in resumable chunks before the
// submission goes; the submission is a `form_submission` record of the bound learner ({form_id, version, filled_at,
// values, attachments}, wire/forms.py), sent by the outbox's sender (sync.js) like an assignment. A submission the
// hub refused later comes back as a down message `form_refused` (kept in the inbox, sync.js): refusedLater() lists
// the bound learner's, newest first, for the screen to show with the hub's reason.
import { keeper } from "../phone/forms/kept.js";
import { store } from "../shell/store.js";
import { photoType, voiceType } from "../phone/uploads.js";
import { call, EdgeError } from "./edge.js";
import { recordBody, whoAmI } from "./records.js";
import { INBOX, pullSoon, refreshMe } from "./sync.js";
import { hold } from "./uploads.js";

const N_ = (msgid) => msgid;  // words shown later, through t()
const REFUSED = {
  bad_schema: N_("Not sent: the form could not be read. Fill in the form again."),
  attachment_missing: N_("Not sent: a photo or voice note is no longer on this tablet. Fill in the form again."),
  learner_mismatch: N_("Not sent: this tablet is set up for someone else now. Ask staff."),
};

export const tablet = {
  name: "tablet",
  async ready(main, ctx) {
    const me = (await whoAmI()) || (await refreshMe());
    if (me && me.learner) return me;
    main.append(ctx.el("p", { class: "lead", text: ctx.t("This tablet is not set up for you yet. Ask staff to set it up, then open this page again.") }));
    return null;
  },
  forms: keeper("tablet", () => call("GET", "/v1/tablets/forms")),
  offline: (error) => error instanceof EdgeError,
  async keepFile(blob, voice) {
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const type = voice ? voiceType(bytes) : photoType(bytes);
    if (!type) return { problem: voice ? N_("The voice note could not be kept. Record it again.") : N_("This is not a photo (JPEG, PNG or WebP). Choose a photo.") };
    const attachment = await hold(new Blob([bytes], { type }), `${voice ? "voice" : "picture"}.${type.split("/")[1]}`);
    return { value: { sha256: attachment.sha256, type, bytes: attachment.size }, attachment };
  },
  async body(submission, attachments) {
    const me = (await whoAmI()) || {};
    return recordBody(me.learner, { ...submission, attachments });
  },
  submission: (item) => (item.body && item.body.payload) || {},
  refused: (code) => REFUSED[code] || N_("Not sent. Ask staff for help."),
  async refusedLater() {
    if (navigator.onLine !== false) {
      try { await pullSoon(); } catch { /* offline: what is kept here is shown */ }
    }
    const me = (await whoAmI()) || {};
    return (await store.all(INBOX))
      .filter((m) => m.type === "form_refused" && (!m.learner || m.learner === me.learner))
      .sort((a, b) => String(b.received).localeCompare(String(a.received)));
  },
  words: {
    kept: N_("Your form is kept on this tablet. It is sent when the tablet is connected."),
    offline: N_("The tablet is not connected. These are the forms kept on this tablet."),
    missing: N_("This form is not on this tablet yet. Connect to the network and open Forms again."),
    draft: N_("Your answers so far are kept on this tablet."),
    smaller: N_("A large photo is made smaller on this tablet before it is sent."),
    waiting: N_("Waiting to send. It goes when the tablet is connected."),
    noRecording: N_("This tablet cannot record a voice note here."),
    noMicrophone: N_("This tablet could not use its microphone."),
  },
};
