// Check in (docs/checkins.md, docs/app.md "Check in"): when the next check-in is due and its window, then a photo
// (the camera), where the person is (with how exact, in words) and "Send my check-in". The check-in is made and
// signed on the phone at once, offline or not (checkin/sign.js: a JWS over the RFC 8785 document with the device
// key, the phone's clock, its counter kept in IndexedDB and the last nonce the hub gave it); where the phone has a
// fingerprint or face check (WebAuthn, checkin/owner.js) the person confirms it first; then the photo is kept on the
// phone and the check-in goes into the outbox, whose sender uploads the photo before the sync (checkin/send.js).
// What became of the latest check-ins is said in plain words, without judging: a worker looks at anything to check.
import { language } from "../../shell/i18n.js";
import { outbox, uuid } from "../../shell/outbox.js";
import { KIND, challengeOf, documentOf, nextCounter, signDocument } from "../checkin/sign.js";
import { known, refresh } from "../checkin/kept.js";
import * as owner from "../checkin/owner.js";
import * as db from "../db.js";
import { activation, deviceKey } from "../device.js";
import * as media from "../forms/media.js";
import { HubError, wordsFor } from "../hub.js";
import { MAX_PHOTO_BYTES } from "../uploads.js";
import { action, activated, icon, problem, shortWhen } from "../ui.js";
import { N_ } from "../words.js";

const PHOTO_PIXELS = 1600; // enough to see a face and a place; quick to send
const GOOD_ENOUGH_M = 20; // stop looking once a fix is this exact
const POOR_M = 100; // the hub notes a fix worse than this (hub/checkins/evidence.py poor_accuracy)
const DECLINED = "checkin_owner_declined";
const RULES = `
.checkin-photo { display: block; max-width: 100%; max-height: 14rem; margin: .5rem 0; border: 1px solid var(--line, #505a5f); }
.checkin-step { margin: 1.5rem 0; }
.checkin-step h2 { font-size: 1.3rem; }
.checkin-list { list-style: none; padding: 0; }
.checkin-step [hidden] { display: none; }
`;
let styled = false;
function addCheckinStyle() {
  if (styled || typeof CSSStyleSheet !== "function" || !("adoptedStyleSheets" in document)) return;
  styled = true;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(RULES);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}

// What the person gave so far, held while the app is open (a new language or a sync redraws the screen).
const draft = { photo: null, fix: null, signed: null };
// A new photo or place: what "Send my check-in" said before (take a photo first, say) no longer holds.
const changed = () => {
  draft.signed = null;
  const said = document.getElementById("checkin-send-said");
  if (said) said.replaceChildren();
};

const OUTCOME = {
  accepted: N_("Received. There is nothing more to do."),
  flagged: N_("Received. Your worker will look at it."),
  refused: N_("Received, but the service could not check that it came from this phone. Your worker will look at it."),
};
const REFUSED = {
  synced_passkey: N_("This phone offered a passkey that can be copied to your other devices (through a password manager or your account). That cannot show this phone was used, so it was not kept. Your check-ins still go without it."),
  webauthn_unavailable: N_("This service cannot use your fingerprint or face yet. Your check-ins still go without it."),
};

const locale = () => (language() === "cy" ? "cy-GB" : "en-GB");
// "Monday 8 March, 10:00" in the person's language, UK time.
function dayAndTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso || "");
  return new Intl.DateTimeFormat(locale(), { weekday: "long", day: "numeric", month: "long", hour: "2-digit",
                                             minute: "2-digit", timeZone: "Europe/London" }).format(date);
}

function windowWords(ctx, next) {
  if (!next) return ctx.el("p", { class: "lead", text: ctx.t("Your worker has not set any check-ins for you yet.") });
  const now = Date.now();
  const opens = Date.parse(next.opens_at);
  const closes = Date.parse(next.closes_at);
  const words = opens <= now && now < closes
    ? ctx.t("Check in now. You can check in until {end}.", { end: dayAndTime(next.closes_at) })
    : ctx.t("Check in between {start} and {end}.", { start: dayAndTime(next.opens_at), end: dayAndTime(next.closes_at) });
  return ctx.el("p", { class: "lead", "data-window": next.slot, text: words });
}

// The one-time offer to confirm check-ins with a fingerprint or face (where the phone can).
async function ownerPart(ctx, main, answer, done) {
  const box = ctx.el("section", { class: "note checkin-owner" });
  const never = ctx.t("Your fingerprint or face never leaves this phone. The phone checks it and tells the service only that it was you.");
  const kept = await owner.credential();
  if (kept) {
    box.append(ctx.el("p", { text: ctx.t("When you check in, your phone asks for your fingerprint or face to confirm it is you.") }),
      ctx.el("p", { text: never }));
    main.append(box);
    return;
  }
  if (!(await owner.supported()) || (answer.webauthn && answer.webauthn.registered) || (await db.get("device", DECLINED))) return;
  const said = ctx.el("div", { role: "status" });
  box.append(ctx.el("h2", { text: ctx.t("Confirm it is you") }),
    ctx.el("p", { text: ctx.t("You can use your fingerprint or face to show that you made each check-in, not someone else with your phone.") }),
    ctx.el("p", { text: never }), said,
    ctx.el("div", { class: "actions" },
      action(ctx, "key", ctx.t("Use your fingerprint or face to confirm it is you"), async () => {
        said.replaceChildren();
        try {
          await owner.register(done.person);
          ctx.navigate("checkin", { owner: "1" });
        } catch (error) {
          if (error instanceof HubError && REFUSED[error.code]) {
            said.append(problem(ctx, ctx.t(REFUSED[error.code])));
            if (error.code === "synced_passkey") said.dataset.refused = error.code;
          } else if (error instanceof HubError) {
            said.append(problem(ctx, ctx.t(error.code === "offline" ? "You need to be online to set this up. Try again when you are online." : wordsFor(error.code))));
          } else {
            said.append(problem(ctx, ctx.t("Your phone did not confirm it. You can try again.")));
          }
        }
      }),
      action(ctx, "stop", ctx.t("Not now"), async () => {
        await db.put("device", true, DECLINED);
        box.remove();
      }, { class: "button secondary" })));
  main.append(box);
}

function photoStep(ctx) {
  const step = ctx.el("section", { class: "checkin-step" });
  const input = ctx.el("input", { type: "file", id: "checkin-photo", name: "photo", accept: "image/*", capture: "user",
                                  "aria-describedby": "checkin-photo-hint" });
  const said = ctx.el("p", { class: "hint", role: "status" });
  const shown = ctx.el("div");
  const preview = () => {
    shown.replaceChildren(draft.photo ? ctx.el("img", { class: "checkin-photo", src: URL.createObjectURL(draft.photo.blob),
                                                        alt: ctx.t("The photo you took") }) : "");
  };
  preview();
  input.addEventListener("change", async () => {
    const file = input.files && input.files[0];
    if (!file) return;
    said.textContent = ctx.t("Getting the photo ready…");
    const made = await media.photoFor(file, PHOTO_PIXELS, MAX_PHOTO_BYTES);
    if (made.problem) {
      draft.photo = null;
      said.textContent = ctx.t(made.problem);
    } else {
      draft.photo = made;
      said.textContent = ctx.t("Photo ready.");
    }
    changed();
    preview();
  });
  step.append(ctx.el("h2", {}, ctx.el("label", { for: "checkin-photo", text: ctx.t("1. Take a photo of yourself") })),
    ctx.el("p", { id: "checkin-photo-hint", class: "hint", text: ctx.t("Your phone's camera opens. Your worker sees the photo with your check-in.") }),
    input, said, shown);
  return step;
}

function placeStep(ctx) {
  const step = ctx.el("section", { class: "checkin-step" });
  const said = ctx.el("p", { role: "status", class: "lead" });
  const warning = ctx.el("p", { class: "warning", hidden: true });
  let stopWatching = null;
  const describe = (fix, looking) => {
    const metres = Math.max(1, Math.round(fix.accuracy));
    said.textContent = ctx.t("Found where you are, to within {metres} metres.", { metres })
      + (looking ? ` ${ctx.t("Still looking for a closer fix. You can send it now, or wait.")}` : "");
    warning.hidden = fix.accuracy <= POOR_M;
    warning.textContent = warning.hidden ? "" : ctx.t("This is not very exact. If you can, go outside or near a window and wait. You can also send it as it is.");
  };
  const button = ctx.el("button", { type: "button", class: "button secondary", id: "checkin-place" }, icon("place"),
    ctx.el("span", { text: draft.fix ? ctx.t("Find where I am again") : ctx.t("Find where I am") }));
  const stop = () => {
    if (stopWatching) stopWatching();
    stopWatching = null;
    button.lastChild.textContent = ctx.t("Find where I am again");
  };
  button.addEventListener("click", () => {
    if (stopWatching) {
      stop();
      return;
    }
    said.textContent = ctx.t("Looking for where you are…");
    button.lastChild.textContent = ctx.t("Stop looking");
    addEventListener("hashchange", () => stopWatching && stop(), { once: true });
    let first = true;
    stopWatching = media.watchPlace((fix) => {
      if (!step.isConnected) return stop();
      if (first || !draft.fix || fix.accuracy < draft.fix.accuracy) {
        draft.fix = { lat: fix.lat, lon: fix.lon, accuracy: fix.accuracy, mock: false };
        changed();
      }
      first = false;
      const done = draft.fix.accuracy <= GOOD_ENOUGH_M;
      describe(draft.fix, !done);
      if (done) stop();
    }, (code) => {
      stop();
      said.textContent = code === 1
        ? ctx.t("This phone did not let the app know where you are. Allow location for this app in the phone's settings, then try again.")
        : ctx.t("Where you are could not be found. Try again outside or near a window.");
    });
  });
  if (draft.fix) describe(draft.fix, false);
  step.append(ctx.el("h2", { text: ctx.t("2. Find where you are") }),
    ctx.el("p", { class: "hint", text: ctx.t("The app uses your phone's location. Nothing is sent until you send your check-in.") }),
    button, said, warning);
  return step;
}

// Make and sign the check-in now (offline or not): {document, jws, ref}. The photo is kept on the phone first.
async function signNow() {
  const done = await activation();
  const key = await deviceKey();
  const kept = await media.keepFile(draft.photo.blob);
  if (kept.problem) return { problem: kept.problem };
  const answer = await known();
  const document = documentOf({
    checkinId: uuid(), person: done.person, keyId: key.keyId,
    slot: answer.next ? answer.next.slot : null, photo: kept.ref, fix: draft.fix, deviceTime: new Date().toISOString(),
    counter: await nextCounter(), nonce: answer.nonce,
  });
  return { document, jws: await signDocument(document, key), ref: kept.ref };
}

async function queue(ctx, made, assertion) {
  await outbox.add({ kind: KIND, id: made.document.checkin_id,
                     body: { jws: made.jws, attachments: [made.ref], ...(assertion ? { webauthn: assertion } : {}) } });
  draft.photo = draft.fix = draft.signed = null;
  ctx.navigate("checkin", { sent: "1" });
}

function sendStep(ctx) {
  const step = ctx.el("section", { class: "checkin-step" });
  const said = ctx.el("div", { role: "status", id: "checkin-send-said" });
  const send = action(ctx, "sent", ctx.t("Send my check-in"), async () => {
    said.replaceChildren();
    if (!draft.photo || !draft.fix) {
      said.append(problem(ctx, !draft.photo ? ctx.t("Take a photo first.") : ctx.t("Find where you are first.")));
      return;
    }
    if (!draft.signed) {
      const made = await signNow();
      if (made.problem) {
        said.append(problem(ctx, ctx.t(made.problem)));
        return;
      }
      draft.signed = made;
    }
    const made = draft.signed;
    if (!(await owner.credential()) || !(await owner.supported())) {
      await queue(ctx, made, null);
      return;
    }
    said.append(ctx.el("p", { text: ctx.t("Confirm it is you: use your fingerprint or face.") }));
    try {
      const assertion = await owner.confirm(await challengeOf(made.document));
      await queue(ctx, made, assertion);
    } catch (error) {
      console.warn(error);
      said.replaceChildren(problem(ctx, ctx.t("Your phone did not confirm it. Try again, or send it without confirming: your worker will see it was not confirmed.")),
        action(ctx, "sent", ctx.t("Send it without confirming"), () => queue(ctx, made, null), { class: "button secondary" }));
    }
  });
  step.append(ctx.el("h2", { text: ctx.t("3. Send it") }),
    ctx.el("p", { class: "hint", text: ctx.t("It is signed on this phone as soon as you send it, so it counts from now even with no connection.") }),
    send, said);
  return step;
}

async function waitingPart(ctx, main) {
  const waiting = (await ctx.outboxItems()).filter((item) => item.kind === KIND);
  if (!waiting.length) return;
  const list = ctx.el("ul", { class: "checkin-list" });
  for (const item of waiting) {
    const li = ctx.el("li", { class: "appointment", "data-id": item.id, "data-state": item.state },
      ctx.el("h3", { text: ctx.t("Made {when}", { when: shortWhen(item.created) }) }));
    if (item.state === "refused") {
      li.append(ctx.el("p", { class: "state refused" }, icon("refused"), ctx.el("span", { text: ctx.t(wordsFor(item.error)) })));
      if (item.reason) li.append(ctx.el("p", { class: "hint", text: ctx.t("For your worker: {reason}", { reason: item.reason }) }));
    } else {
      li.append(ctx.el("p", { class: "state" }, icon("waiting"), ctx.el("span", { text: ctx.t("Waiting to send. It goes when you are online.") })));
    }
    list.append(li);
  }
  main.append(ctx.el("h2", { text: ctx.t("Check-ins not sent yet") }), list);
}

function recentPart(ctx, main, answer) {
  const recent = answer.checkins || [];
  if (!recent.length) return;
  const list = ctx.el("ul", { class: "checkin-list" });
  for (const row of recent.slice(0, 5)) {
    const li = ctx.el("li", { class: "appointment", "data-id": row.checkin_id, "data-outcome": row.outcome },
      ctx.el("h3", { text: ctx.t("Sent {when}", { when: shortWhen(row.received_at) }) }),
      ctx.el("p", { class: "state" }, icon(row.outcome === "accepted" ? "sent" : "waiting"),
        ctx.el("span", { text: ctx.t(OUTCOME[row.outcome] || OUTCOME.flagged) })));
    for (const reason of row.outcome === "accepted" ? [] : row.reasons || []) {
      li.append(ctx.el("p", { class: "hint", text: ctx.t("For your worker: {reason}", { reason }) }));
    }
    list.append(li);
  }
  main.append(ctx.el("h2", { text: ctx.t("Your check-ins") }), list);
}

export async function render(main, ctx) {
  const done = await activated(main, ctx);
  if (!done) return;
  addCheckinStyle();
  let answer;
  let offline = false;
  try {
    answer = await refresh();
  } catch (error) {
    if (!(error instanceof HubError)) throw error;
    offline = true;
    answer = await known();
  }
  if (ctx.params.sent) {
    main.append(ctx.el("div", { class: "note", role: "status" },
      ctx.el("p", { text: ctx.t("Your check-in is signed and kept on this phone. It is sent when you are online.") })));
  }
  if (ctx.params.owner) {
    main.append(ctx.el("div", { class: "note", role: "status" },
      ctx.el("p", { text: ctx.t("Done. From now on, your phone asks for your fingerprint or face when you check in.") })));
  }
  if (offline) main.append(ctx.el("p", { class: "note", text: ctx.t("You are offline. You can still check in: it is sent when you are online.") }));
  main.append(windowWords(ctx, answer.next));
  await ownerPart(ctx, main, answer, done);
  main.append(photoStep(ctx), placeStep(ctx), sendStep(ctx));
  await waitingPart(ctx, main);
  recentPart(ctx, main, answer);
}
