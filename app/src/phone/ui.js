// Small pieces the phone screens share: an icon beside words, dates in words, a problem box, a busy button.
import { language } from "../shell/i18n.js";
import * as db from "./db.js";
import { activation } from "./device.js";
import { startAgain, wordsFor } from "./hub.js";
import { ICONS } from "./icons.js";
import { N_ } from "./words.js";

export function icon(name) {
  const span = document.createElement("span");
  span.className = "icon";
  span.innerHTML = ICONS[name]; // our own inline SVG, never data from outside
  return span;
}

const locale = () => (language() === "cy" ? "cy-GB" : "en-GB");

// "Monday 11 January 2027 at 10:00" in the person's language, UK time.
export function when(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso || "");
  return new Intl.DateTimeFormat(locale(), { dateStyle: "full", timeStyle: "short", timeZone: "Europe/London" })
    .format(date);
}

export function shortWhen(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso || "");
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short", timeZone: "Europe/London" })
    .format(date);
}

// A problem, said at once to screen readers, with what to do.
export function problem(ctx, words, id = null) {
  return ctx.el("div", { class: "problem", role: "alert", ...(id ? { id } : {}) }, ctx.el("p", { text: words }));
}

// The screen's words when the phone is not set up yet: one button to set it up. Returns the activation or null.
export async function activated(main, ctx) {
  const done = await activation();
  const off = done ? await db.get("device", "switched_off") : null;
  if (off) {
    main.append(ctx.el("div", { class: "problem", role: "alert" }, ctx.el("p", { text: ctx.t(wordsFor(off)) })),
      ctx.el("p", { text: ctx.t("What you wrote and did not send yet stays on this phone, and is sent once it is set up again.") }),
      action(ctx, "key", ctx.t("Set up this phone again"), async () => {
        await startAgain();
        ctx.navigate("activate");
      }));
    return null;
  }
  if (done) return done;
  main.append(ctx.el("p", { class: "lead", text: ctx.t("This phone is not set up yet. You need the code from your release letter.") }),
    ctx.el("a", { class: "button", href: ctx.href("activate") }, icon("key"), ctx.el("span", { text: ctx.t("Set up this phone") })));
  return null;
}

// A button with an icon and words that stays pressed (aria-busy) while `work` runs.
export function action(ctx, iconName, words, work, attrs = {}) {
  const button = ctx.el("button", { type: "button", class: "button", ...attrs }, icon(iconName), ctx.el("span", { text: words }));
  button.addEventListener("click", async () => {
    if (button.getAttribute("aria-busy") === "true") return;
    button.setAttribute("aria-busy", "true");
    try {
      await work();
    } finally {
      button.removeAttribute("aria-busy");
    }
  });
  return button;
}

export const ROLES = {
  offender_manager: N_("probation officer"),
  employment_adviser: N_("employment adviser"),
  health_care: N_("health care"),
  team_manager: N_("team manager"),
  housing_officer: N_("housing officer"),
};

// Draw screen `id` again, if the person is still on it (a sync may end after they moved on).
// The address says which screen is on now (the shell marks <html data-screen> only once a render ends).
export function again(ctx, id) {
  const now = decodeURIComponent(location.hash.startsWith("#/") ? location.hash.slice(2).split("?")[0] : "") || "home";
  if (now === id) ctx.navigate(id, ctx.params);
}
