// The phone side of the person's app: registers its screens (set up, messages, appointments, health, courses, forms,
// check in) and the outbox's sender (the signed phone sync to the hub, sync.js). Imported by app/src/entries/app.js
// on the page the hub serves (data-side="phone").
import { language } from "../shell/i18n.js";
import { label, onChange, pending, setSender } from "../shell/outbox.js";
import { screen } from "../shell/screens.js";
import { afterSync as checkinsAfterSync } from "./checkin/kept.js";
import { withCheckinPhotos } from "./checkin/send.js";
import * as db from "./db.js";
import { activation } from "./device.js";
import { withFormFiles } from "./forms/send.js";
import { ICONS } from "./icons.js";
import * as activate from "./screens/activate.js";
import * as appointments from "./screens/appointments.js";
import * as checkin from "./screens/checkin.js";
import * as forms from "./screens/forms.js";
import * as health from "./screens/health.js";
import * as library from "./screens/library.js";
import * as messages from "./screens/messages.js";
import * as plan from "./screens/plan.js";
import * as views from "./screens/views.js";
import * as work from "./screens/work.js";
import { addStyle } from "./style.js";
import { onSynced, pull, send } from "./sync.js";

label("message", "A message");
label("read", "That you read a message");
label("reschedule", "A request to move an appointment");
label("late", "That you are running late");
label("progress_statement", "Your progress in a course");
label("quiz_answer", "Your answer in a course");
label("course_state", "Where you are in a course");
label("form_submission", "A form you filled in");
label("checkin", "A check-in");
label("checklist_progress", "A tick on a checklist");

// The read receipts already queued (kept in IndexedDB, so a reload does not send them again).
const receipted = new Set();
const receiptsLoaded = (async () => {
  const db_ = await db.open();
  const keys = await new Promise((resolve, reject) => {
    const request = db_.transaction("device").objectStore("device").getAllKeys();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  for (const key of keys) if (String(key).startsWith("read:")) receipted.add(String(key).slice(5));
})();

// The shell's ctx, with what the phone screens add: the outbox's items, the receipts sent, a spoken note.
let keptLanguage = null;

function phone(render) {
  return async (main, ctx) => {
    await receiptsLoaded;
    if (language() !== keptLanguage) { // for the words of a notification the service worker shows (push_sw.js)
      keptLanguage = language();
      await db.put("device", keptLanguage, "lang");
    }
    const said = ctx.el("p", { class: "note-quiet", role: "status" });
    const extra = {
      ...ctx,
      receipted,
      outboxItems: pending,
      say: (words) => {
        said.textContent = words;
      },
    };
    main.append(said);
    await render(main, extra);
  };
}

screen({ id: "activate", side: "phone", home: false, icon: ICONS.key, title: "Set up this phone", render: phone(activate.render) });
screen({ id: "messages", side: "phone", order: 10, icon: ICONS.messages, title: "Messages", render: phone(messages.renderList) });
screen({ id: "conversation", side: "phone", home: false, icon: ICONS.messages, title: "Messages", render: phone(messages.renderConversation) });
screen({ id: "appointments", side: "phone", order: 20, icon: ICONS.appointments, title: "Appointments", render: phone(appointments.renderList) });
screen({ id: "appointment", side: "phone", home: false, icon: ICONS.appointments, title: "Appointments", render: phone(appointments.renderAsk) });
screen({ id: "plan", side: "phone", order: 25, icon: ICONS.plan, title: "My plan", render: phone(plan.render) });
screen({ id: "library", side: "phone", order: 35, icon: ICONS.course, title: "My courses", render: phone(library.render) });
screen({ id: "checkin", side: "phone", order: 15, icon: ICONS.checkin, title: "Check in", render: phone(checkin.render) });
screen({ id: "work", side: "phone", order: 36, icon: ICONS.work, title: "Work and jobs", render: phone(work.renderList) });
screen({ id: "work-item", side: "phone", home: false, icon: ICONS.work, title: "Work and jobs", render: phone(work.renderItem) });
screen({ id: "forms", side: "phone", order: 33, icon: ICONS.forms, title: "Forms", render: phone(forms.renderList) });
screen({ id: "form", side: "phone", home: false, icon: ICONS.forms, title: "Forms", render: phone(forms.renderForm) });
screen({ id: "views", side: "phone", order: 40, icon: ICONS.eye, title: "Who looked at my record", render: phone(views.render) });
screen({ id: "health", side: "phone", order: 30, icon: ICONS.health, title: "Health summary", render: phone(health.render) });

setSender(withCheckinPhotos(withFormFiles(send))); // files before their form (forms/send.js), photos before their check-in (checkin/send.js)
addStyle();

// After a sync that brought something, the screen shows it, unless the person is writing (their words stay).
const LIVE = new Set(["messages", "conversation", "appointments", "plan", "health", "home", "forms", "checkin", "work"]);
function redraw(screens) {
  const shown = document.documentElement.dataset.screen;
  const fields = [...document.querySelectorAll("#main textarea, #main input:not([type=radio]), #main select")];
  if (document.querySelector("#main [data-keep]")) return; // a recording, say
  if (document.activeElement && document.activeElement.closest && document.activeElement.closest("#main form")) return;
  if (!screens.has(shown) || fields.some((f) => (f.value && f.tagName !== "SELECT") || document.activeElement === f)) return;
  dispatchEvent(new HashChangeEvent("hashchange"));
}
// Not for a read receipt alone: it shows nowhere, and a redraw would close what the person opened.
onSynced(({ received, kinds }) => {
  if (received || [...kinds].some((kind) => kind !== "read")) redraw(LIVE);
});
// A message refused (or put back to try again): conversations show it. Sent ones show after the sync's redraw;
// fewer redraws, since each one replaces what is on screen.
let messageStates = "";
let redrawing = null;
onChange(() => {
  clearTimeout(redrawing);
  redrawing = setTimeout(async () => {
    const now = (await pending()).filter((i) => i.kind === "message" && i.state === "refused").map((i) => i.id).join();
    if (now === messageStates) return;
    messageStates = now;
    redraw(new Set(["conversation", "messages"]));
  }, 150);
});

// A sync, then (where the person has check-ins) a fresh nonce and window (checkin/kept.js).
const pullAll = () => pull().then(checkinsAfterSync);

// Start: a phone not set up opens on setting up; one set up asks the hub what is new, and again when online.
(async () => {
  if (!(await activation())) {
    if (!location.hash || location.hash === "#/home") location.hash = "#/activate";
    return;
  }
  pullAll();
})();
addEventListener("online", () => pullAll());
// A push said something changed (push_sw.js tells the open app): sync.
if (typeof navigator !== "undefined" && navigator.serviceWorker) {
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data && event.data.throughgate === "sync") pullAll();
  });
}

