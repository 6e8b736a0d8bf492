// The health summary (docs/phone-sync.md, "Health summary"): kept on the phone as GET /v1/phone/health last
// answered (its `plain` part, the summary in words, is what is shown), so it reads offline. Online: check for a
// new one, make a link for a GP or pharmacy (with its square code, the hub's SVG, as an image) and stop one,
// and choose whether to carry a summary at all.
import * as db from "../db.js";
import { HubError, signed, wordsFor } from "../hub.js";
import { refreshHealth } from "../sync.js";
import { ROLES, action, activated, again, icon, problem, shortWhen } from "../ui.js";

const DAYS = [1, 3, 7, 14, 30];

function section(ctx, title, items, none) {
  const part = ctx.el("section", { class: "health-part" }, ctx.el("h2", { text: title }));
  if (!items.length) part.append(ctx.el("p", { text: none }));
  else part.append(ctx.el("ul", {}, ...items.map((text) => ctx.el("li", { text }))));
  return part;
}

const join = (...parts) => parts.filter(Boolean).join(", ");

function summary(ctx, plain) {
  const out = [];
  for (const warning of plain.warnings || []) {
    out.push(ctx.el("div", { class: "warning", role: "note" }, icon("warning"),
      ctx.el("p", {}, ctx.el("strong", { text: `${ctx.t("Warning")}: ` }), ctx.el("span", { text: warning }))));
  }
  const patient = plain.patient || {};
  if (patient.name) out.push(ctx.el("p", { class: "lead", text: patient.born ? ctx.t("{name}, born {born}", patient) : patient.name }));
  const made = plain.made || {};
  if (made.at) out.push(ctx.el("p", { text: ctx.t("Made {when} by {who}", { when: made.at, who: join(made.by, made.organisation) }) }));
  out.push(section(ctx, ctx.t("Medicines"), (plain.medicines || []).map((m) => join(m.name, m.dose,
    m.last_given && ctx.t("last given {when}", { when: m.last_given }),
    m.days_supplied && ctx.t("days supplied: {n}", { n: m.days_supplied }))), ctx.t("None recorded.")));
  const ost = plain.ost;
  if (ost) {
    out.push(section(ctx, ctx.t("Opioid substitution (OST)"), [
      join(ost.drug, ost.form, ost.daily_dose),
      ost.last_supervised_dose && ctx.t("Last supervised dose: {when}", { when: ost.last_supervised_dose }),
      ost.dosed_on_release_day && ctx.t("Dosed on the day of release: {answer}", { answer: ost.dosed_on_release_day }),
      ost.prescriber && ctx.t("Community prescriber: {name}", { name: ost.prescriber }),
      ost.pharmacy && ctx.t("Pharmacy: {name}", { name: ost.pharmacy }),
      ost.first_dose_appointment && ctx.t("First dosing appointment: {when}", { when: ost.first_dose_appointment }),
    ].filter(Boolean), ""));
  }
  if (plain.naloxone) {
    const n = plain.naloxone;
    out.push(section(ctx, ctx.t("Naloxone"), [join(ctx.t("Kits: {n}", { n: n.kits || "?" }), n.when,
      n.training_given && ctx.t("training given: {answer}", { answer: n.training_given }))], ""));
  }
  if (plain.gp) out.push(section(ctx, ctx.t("GP"), [join(plain.gp.practice, plain.gp.status)], ""));
  out.push(section(ctx, ctx.t("Allergies"), (plain.allergies || []).map((a) => join(a.what, a.reaction, a.severity)),
    plain.allergies_none || ctx.t("None recorded.")));
  out.push(section(ctx, ctx.t("Health problems"), (plain.problems || []).map((p) => join(p.what, p.since, p.status)),
    plain.problems_none || ctx.t("None recorded.")));
  out.push(section(ctx, ctx.t("Health appointments to come"), (plain.appointments || []).map((a) => join(a.when, a.what, a.where, a.with)),
    ctx.t("None.")));
  return out;
}

function qrImage(ctx, svg) {
  return ctx.el("img", { class: "qr", width: "240", height: "240", alt: ctx.t("Square code for the link: a GP or pharmacy can scan it"),
                         src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}` });
}

async function sharing(ctx, box) {
  box.replaceChildren(ctx.el("h2", { text: ctx.t("Share it with a GP or pharmacy") }),
    ctx.el("p", { text: ctx.t("Make a link for them to open. Each time it is opened is recorded. You can stop it at any time.") }));
  const shown = ctx.el("div", { "aria-live": "polite" });
  const madeFor = ctx.el("input", { id: "share-for", name: "made_for", maxlength: "100", "aria-describedby": "share-for-hint" });
  const days = ctx.el("select", { id: "share-days", name: "days" },
    ...DAYS.map((d) => ctx.el("option", { value: String(d), selected: d === 7, text: d === 1 ? ctx.t("1 day") : ctx.t("{n} days", { n: d }) })));
  const form = ctx.el("form", { novalidate: true },
    ctx.el("label", { for: "share-for", class: "label-big", text: ctx.t("Who is it for?") }),
    ctx.el("p", { id: "share-for-hint", class: "hint", text: ctx.t("Only you see this. For example: new GP.") }), madeFor,
    ctx.el("label", { for: "share-days", class: "label-big", text: ctx.t("How long should it work?") }), days,
    ctx.el("p", {}, ctx.el("button", { type: "submit", class: "button" }, icon("link"), ctx.el("span", { text: ctx.t("Make a link") }))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    shown.replaceChildren();
    const who = madeFor.value.trim();
    if (!who) {
      shown.append(problem(ctx, ctx.t("Say who the link is for.")));
      madeFor.focus();
      return;
    }
    try {
      const { data } = await signed("POST", "/v1/phone/health/shares", { made_for: who, days: Number(days.value) });
      shown.append(ctx.el("div", { class: "share-made", "data-share": data.share_id },
        ctx.el("p", { class: "lead", text: ctx.t("A link for {who}, working until {when}. It is shown only now.", { who: data.made_for, when: shortWhen(data.expires_at) }) }),
        ctx.el("p", { class: "share-url" }, /^https:\/\//.test(data.url) ? ctx.el("a", { href: data.url, text: data.url })
          : ctx.el("span", { text: data.url })),
        qrImage(ctx, data.qr_svg)));
      await listShares(ctx, list);
    } catch (error) {
      if (!(error instanceof HubError)) throw error;
      shown.append(problem(ctx, ctx.t(wordsFor(error.code))));
    }
  });
  const list = ctx.el("div", { class: "shares" });
  box.append(form, shown, list);
  await listShares(ctx, list);
}

async function listShares(ctx, list) {
  let data;
  try {
    ({ data } = await signed("GET", "/v1/phone/health/shares"));
  } catch (error) {
    if (!(error instanceof HubError)) throw error;
    list.replaceChildren(ctx.el("p", { class: "hint", text: ctx.t("Your links show here when you are online.") }));
    return;
  }
  const working = (data.shares || []).filter((s) => s.state === "working");
  list.replaceChildren(ctx.el("h3", { text: ctx.t("Links that work now") }));
  if (!working.length) list.append(ctx.el("p", { text: ctx.t("None.") }));
  for (const share of working) {
    list.append(ctx.el("div", { class: "share", "data-share": share.share_id },
      ctx.el("p", { text: ctx.t("For {who}: works until {when}. Times opened: {n}", { who: share.made_for, when: shortWhen(share.expires_at), n: share.uses }) }),
      action(ctx, "stop", ctx.t("Stop this link"), async () => {
        try {
          await signed("POST", `/v1/phone/health/shares/${encodeURIComponent(share.share_id)}/revoke`, {});
        } catch (error) {
          if (!(error instanceof HubError)) throw error;
        }
        await listShares(ctx, list);
        ctx.say(ctx.t("The link for {who} no longer works.", { who: share.made_for }));
      }, { class: "button warning" })));
  }
  // The person's own workers, and whether each may read the summary in the workers' console.
  const workers = data.workers || [];
  if (!workers.length) return;
  list.append(ctx.el("h3", { text: ctx.t("Your workers") }));
  for (const worker of workers) {
    const role = ROLES[worker.role] ? ctx.t(ROLES[worker.role]) : worker.role;
    const who = `${worker.name} (${role})`;
    list.append(ctx.el("div", { class: "share", "data-worker": worker.worker },
      ctx.el("p", { text: worker.shared ? ctx.t("{who} may read your health summary.", { who })
        : ctx.t("{who} may not read your health summary.", { who }) }),
      action(ctx, worker.shared ? "stop" : "link", worker.shared ? ctx.t("Stop {name} reading it", { name: worker.name })
        : ctx.t("Let {name} read it", { name: worker.name }), async () => {
        try {
          await signed("POST", "/v1/phone/health/workers", { worker: worker.worker, shared: !worker.shared });
        } catch (error) {
          if (!(error instanceof HubError)) throw error;
          ctx.say(ctx.t(wordsFor(error.code)));
        }
        await listShares(ctx, list);
      }, { class: worker.shared ? "button warning" : "button secondary" })));
  }
}

function choice(ctx, carried, rerender) {
  const yes = ctx.el("input", { type: "radio", name: "carry", id: "carry-yes", value: "yes", checked: carried !== false });
  const no = ctx.el("input", { type: "radio", name: "carry", id: "carry-no", value: "no", checked: carried === false });
  const said = ctx.el("div", {});
  const form = ctx.el("form", { novalidate: true },
    ctx.el("fieldset", {}, ctx.el("legend", { class: "label-big", text: ctx.t("Do you want to carry a health summary?") }),
      ctx.el("div", { class: "choice" }, yes, ctx.el("label", { for: "carry-yes", text: ctx.t("Yes, keep my health summary on this phone") })),
      ctx.el("div", { class: "choice" }, no, ctx.el("label", { for: "carry-no", text: ctx.t("No. Delete it here and at the service, and stop every link") }))),
    ctx.el("p", {}, ctx.el("button", { type: "submit", class: "button" }, ctx.el("span", { text: ctx.t("Save my choice") }))), said);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await signed("POST", "/v1/phone/health/choice", { carried: yes.checked });
      await refreshHealth();
    } catch (error) {
      if (!(error instanceof HubError)) throw error;
      said.replaceChildren(problem(ctx, ctx.t(wordsFor(error.code))));
      return;
    }
    rerender();
  });
  return ctx.el("section", { class: "health-part" }, ctx.el("h2", { text: ctx.t("Your choice") }), form);
}

export async function render(main, ctx) {
  if (!(await activated(main, ctx))) return;
  const status = ctx.el("p", { role: "status" });
  main.append(action(ctx, "refresh", ctx.t("Check for a new summary"), async () => {
    try {
      await refreshHealth();
      again(ctx, "health");
    } catch (error) {
      if (!(error instanceof HubError)) throw error;
      status.textContent = ctx.t(wordsFor(error.code));
    }
  }, { class: "button secondary" }), status);
  const kept = await db.get("health", "answer");
  if (kept && kept.carried === false) {
    main.append(ctx.el("p", { class: "lead", text: ctx.t("You chose not to carry a health summary. The service keeps none.") }));
  } else if (!kept || !kept.plain) {
    main.append(ctx.el("p", { class: "lead", text: ctx.t("No health summary yet. Health care staff add it before your release.") }));
  } else {
    main.append(ctx.el("p", { class: "hint", text: ctx.t("Kept on this phone: it works without a connection. Last checked {when}.", { when: shortWhen(kept.fetched_at) }) }),
      ...summary(ctx, kept.plain));
    const box = ctx.el("section", { class: "health-part" });
    main.append(box);
    await sharing(ctx, box);
  }
  main.append(choice(ctx, kept ? kept.carried : null, () => ctx.navigate("health")));
}
