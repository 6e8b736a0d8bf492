// Appointments to come, each as the worker last set it: when, how, where, with whom; ask to move it, say you
// are running late (with minutes), join the video call when there is a link. Requests go through the outbox.
import * as db from "../db.js";
import { appointments, contacts } from "../feed.js";
import { action, activated, again, icon, when } from "../ui.js";
import { HubError, wordsFor } from "../hub.js";
import { pushState, turnOff, turnOn } from "../push.js";
import { pull } from "../sync.js";
import { N_ } from "../words.js";

const KINDS = { in_person: N_("In person"), phone: N_("By phone"), video: N_("Video call") };
const CHANGES = {
  created: "",
  moved: N_("Your worker moved it."),
  cancelled: N_("Cancelled."),
  proposed: N_("Your worker offered another time: {time}. It has not moved yet."),
  declined: N_("Your worker could not move it."),
  reschedule_asked: N_("You asked to move it."),
  running_late: N_("You said you are running late."),
};
export const LATE_MINUTES = [5, 10, 15, 20, 30, 45, 60, 90];

function card(ctx, a, names) {
  const worker = names.get(a.worker) || a.worker;
  const item = ctx.el("li", { class: "appointment", "data-id": a.id },
    ctx.el("h2", { text: when(a.starts_at) }),
    ctx.el("p", { text: `${ctx.t(KINDS[a.kind] || a.kind)} · ${ctx.t("with {name}", { name: worker })}` }));
  if (a.place) item.append(ctx.el("p", { text: ctx.t("Where: {place}", { place: a.place }) }));
  const change = a.change || {};
  if (CHANGES[change.what]) {
    item.append(ctx.el("p", { class: "note", text: ctx.t(CHANGES[change.what], { time: change.starts_at ? when(change.starts_at) : "" })
      + (change.reason ? ` ${ctx.t("Why: {reason}", { reason: change.reason })}` : "") }));
  }
  if (a.status !== "scheduled") return item;
  if (a.kind === "video" && a.video_url && /^https:\/\//.test(a.video_url)) {
    item.append(ctx.el("p", {}, ctx.el("a", { class: "button", href: a.video_url, target: "_blank", rel: "noopener noreferrer" },
      icon("video"), ctx.el("span", { text: ctx.t("Join the video call") }))));
  } else if (a.kind === "video") {
    item.append(ctx.el("p", { class: "hint", text: ctx.t("No video link yet. Your worker will tell you how to join.") }));
  }
  item.append(ctx.el("p", { class: "actions" },
    ctx.el("a", { class: "button secondary", href: ctx.href("appointment", { id: a.id, ask: "move" }) }, icon("move"),
      ctx.el("span", { text: ctx.t("Ask to move it") })),
    ctx.el("a", { class: "button secondary", href: ctx.href("appointment", { id: a.id, ask: "late" }) }, icon("late"),
      ctx.el("span", { text: ctx.t("I'm running late") }))));
  return item;
}

export async function renderList(main, ctx) {
  if (!(await activated(main, ctx))) return;
  main.append(action(ctx, "refresh", ctx.t("Check for changes"), async () => {
    await pull();
    again(ctx, "appointments");
  }, { class: "button secondary" }));
  main.append(await reminders(ctx));
  const changes = await db.all("feed");
  const names = new Map(contacts(changes).map((c) => [c.to, c.name]));
  const coming = appointments(changes);
  if (!coming.length) {
    main.append(ctx.el("p", { class: "lead", text: ctx.t("No appointments to come.") }));
    return;
  }
  main.append(ctx.el("ul", { class: "appointments" }, ...coming.map((a) => card(ctx, a, names))));
}

const REMINDERS = {
  off: N_("Get a reminder on this phone the day before and an hour before each appointment."),
  on: N_("This phone reminds you the day before and an hour before each appointment."),
  blocked: N_("Notifications are blocked for this app, so there are no reminders. You can allow them in your browser's settings."),
};

// Reminders by Web Push: their state in words, and a button to turn them on or off (none where the browser
// has no Web Push).
async function reminders(ctx) {
  const box = ctx.el("section", { class: "reminders", "aria-labelledby": "reminders-title" });
  const state = await pushState().catch(() => "none");
  if (state === "none") return box;
  const said = ctx.el("p", { role: "status" });
  box.append(ctx.el("h2", { id: "reminders-title", text: ctx.t("Reminders") }), ctx.el("p", { text: ctx.t(REMINDERS[state]) }));
  const turn = async (fn) => {
    try {
      await fn();
      again(ctx, "appointments");
    } catch (error) {
      said.textContent = ctx.t("Reminders could not be changed: {why}. Try again later.", { why: error instanceof HubError ? ctx.t(wordsFor(error.code)) : ctx.t("this phone's browser did not allow it") });
    }
  };
  if (state === "off") box.append(action(ctx, "bell", ctx.t("Turn on reminders"), () => turn(turnOn)));
  if (state === "on") box.append(action(ctx, "stop", ctx.t("Stop reminders"), () => turn(turnOff), { class: "button secondary" }));
  box.append(said);
  return box;
}

function field(ctx, id, label, hint, control) {
  control.id = id;
  if (hint) control.setAttribute("aria-describedby", `${id}-hint`);
  return ctx.el("div", { class: "field" }, ctx.el("label", { for: id, class: "label-big", text: label }),
    hint ? ctx.el("p", { id: `${id}-hint`, class: "hint", text: hint }) : null, control);
}

export async function renderAsk(main, ctx) {
  if (!(await activated(main, ctx))) return;
  const a = appointments(await db.all("feed"), 0, true).find((x) => x.id === ctx.params.id);
  if (!a) {
    main.append(ctx.el("p", { class: "lead", text: ctx.t("This appointment is not on this phone.") }));
    return;
  }
  const late = ctx.params.ask === "late";
  main.append(ctx.el("h2", { text: late ? ctx.t("I'm running late") : ctx.t("Ask to move it") }),
    ctx.el("p", { class: "lead", text: `${when(a.starts_at)}, ${ctx.t("with {name}", { name: a.worker })}` }));
  const errors = ctx.el("div", {});
  const reason = ctx.el("textarea", { name: "reason", maxlength: late ? "500" : "500" });
  const form = ctx.el("form", { novalidate: true }, errors);
  let minutes = null;
  let wanted = null;
  if (late) {
    minutes = ctx.el("select", { name: "minutes" },
      ...LATE_MINUTES.map((m) => ctx.el("option", { value: String(m), text: ctx.t("{n} minutes", { n: m }) })));
    form.append(field(ctx, "late-minutes", ctx.t("How late will you be?"), "", minutes),
      field(ctx, "late-reason", ctx.t("Why? (you can leave this empty)"), "", reason));
  } else {
    wanted = ctx.el("input", { name: "wanted", maxlength: "200" });
    form.append(field(ctx, "move-reason", ctx.t("Why do you need to move it?"), ctx.t("For example: I start a new job that morning."), reason),
      field(ctx, "move-wanted", ctx.t("When would suit you? (you can leave this empty)"), ctx.t("For example: any afternoon that week."), wanted));
  }
  form.append(ctx.el("p", {}, ctx.el("button", { type: "submit", class: "button" }, icon(late ? "late" : "move"),
    ctx.el("span", { text: late ? ctx.t("Tell my worker") : ctx.t("Ask my worker") }))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.replaceChildren();
    const why = reason.value.trim();
    if (!late && !why) {
      errors.append(ctx.el("div", { class: "problem", role: "alert" }, ctx.el("p", { text: ctx.t("Say why you need to move it.") })));
      reason.setAttribute("aria-invalid", "true");
      reason.focus();
      return;
    }
    const body = late
      ? { appointment: a.id, minutes: Number(minutes.value), ...(why ? { reason: why } : {}) }
      : { appointment: a.id, reason: why, ...(wanted.value.trim() ? { wanted: wanted.value.trim() } : {}) };
    await ctx.outbox.add({ kind: late ? "late" : "reschedule", body });
    main.replaceChildren(ctx.el("p", { class: "lead", role: "status", text: late
      ? ctx.t("Kept. Your worker sees that you are running late once this phone is online.")
      : ctx.t("Kept. Your worker sees your request once this phone is online.") }),
    ctx.el("a", { class: "button", href: ctx.href("appointments") }, icon("appointments"), ctx.el("span", { text: ctx.t("Back to appointments") })));
  });
  main.append(form);
}
