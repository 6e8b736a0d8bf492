// My release plan: the release date with its countdown (days to release) and each pathway of the plan, from the
// edge's plan for this learner (GET /v1/tablets/me, kept for offline use) and the newer "plan" down messages.
import { language } from "../../shell/i18n.js";
import { store } from "../../shell/store.js";
import { whoAmI } from "../records.js";
import { INBOX, pullSoon, refreshMe } from "../sync.js";

const DAY_MS = 86_400_000;

/** Whole days from today (the tablet's local date) to an ISO date "YYYY-MM-DD"; null when there is no date. */
export function daysTo(isoDate, today = new Date()) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(isoDate || ""));
  if (!m) return null;
  const target = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const now = Date.UTC(today.getFullYear(), today.getMonth(), today.getDate());
  return Math.round((target - now) / DAY_MS);
}

/** The plan: pathway -> item, the edge's whole plan overlaid with plan messages that arrived since. */
async function planItems() {
  const me = await whoAmI();
  const items = new Map();
  if (me && me.plan) {
    if (me.plan.release) items.set("release", me.plan.release);
    for (const item of me.plan.items || []) items.set(item.pathway, item);
  }
  const messages = (await store.all(INBOX)).filter((m) => m.type === "plan" && m.pathway)
    .sort((a, b) => String(a.received).localeCompare(String(b.received)));
  for (const m of messages) items.set(m.pathway, m);
  return items;
}

export async function renderPlan(main, ctx) {
  const { el, t } = ctx;
  const welsh = language() === "cy";
  if (navigator.onLine !== false) { await refreshMe(); await pullSoon(); }
  const items = await planItems();
  const release = items.get("release");
  const days = release ? daysTo(release.release_date) : null;
  const countdown = days == null ? t("Your release date is not set yet.")
    : days > 1 ? t("{n} days to release", { n: days })
      : days === 1 ? t("1 day to release: you are released tomorrow.")
        : days === 0 ? t("You are released today.") : t("Your release date has passed.");
  main.append(el("p", { class: "lead countdown", "data-days": days == null ? "" : String(days), text: countdown }));
  if (release && release.release_date) {
    const date = new Date(`${release.release_date}T12:00:00Z`);
    main.append(el("p", { text: t("Release date: {date}", { date: new Intl.DateTimeFormat(welsh ? "cy-GB" : "en-GB", { dateStyle: "full", timeZone: "UTC" }).format(date) }) }));
  }
  // only what staff have written: nine pathways all "Not started" say nothing yet
  const pathways = [...items.values()].filter((i) => i.pathway !== "release" && i.written && Object.keys(i.written).length);
  if (!pathways.length) {
    main.append(el("p", { text: t("Your plan for release will show here when staff write it.") }));
    return;
  }
  main.append(el("h2", { text: t("Your plan") }));
  const ul = el("ul", { class: "outbox-list plan" });
  for (const item of pathways) {
    const li = el("li", { class: "outbox-item", "data-pathway": item.pathway },
      el("h3", { class: "what", text: (welsh && item.label_cy) || item.label || item.pathway }),
      el("p", { text: t("Where it is: {status}", { status: (welsh && item.status_label_cy) || item.status_label || item.status || "" }) }));
    if (item.owner) li.append(el("p", { text: t("Who is helping: {owner}", { owner: item.owner }) }));
    if (item.notes) li.append(el("p", { text: item.notes }));
    ul.append(li);
  }
  main.append(ul);
}
