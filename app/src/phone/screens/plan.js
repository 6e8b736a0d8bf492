// The release plan after release (the feed's `plan` changes, docs/phone-sync.md "Release plan"): each of the
// nine pathways as last written, with who looks after it and the notes; a pathway never written reads "not
// started"; values that lost a conflict are shown too ("Also written"). Labels come from the hub in English and
// Welsh; the person's language picks.
import { language } from "../../shell/i18n.js";
import * as db from "../db.js";
import { PATHWAYS, plan } from "../feed.js";
import { activated, shortWhen } from "../ui.js";
import { N_ } from "../words.js";

const LABELS = {
  accommodation: N_("Accommodation"), id: N_("ID"), bank_account: N_("Bank account"), gp: N_("GP registration"),
  medicines: N_("Medicines on release"), probation: N_("First probation appointment"),
  education_work: N_("Education, skills and work"), money_benefits: N_("Money and benefits"), family: N_("Family"),
};
const STATUS = { not_started: N_("Not started"), in_progress: N_("In progress"), done: N_("Done"), not_needed: N_("Not needed") };

export async function render(main, ctx) {
  if (!(await activated(main, ctx))) return;
  const found = plan(await db.all("feed"));
  const welsh = language() === "cy";
  if (found.releaseDate) {
    const days = Math.round((Date.parse(found.releaseDate) - Date.parse(new Date().toISOString().slice(0, 10))) / 86_400_000);
    main.append(ctx.el("p", { class: "lead", text: days > 0 ? ctx.t("Release in {n} days ({date}).", { n: days, date: found.releaseDate })
      : ctx.t("Release date: {date}", { date: found.releaseDate }) }));
  }
  const written = new Map(found.pathways.map((p) => [p.pathway, p]));
  const list = ctx.el("ul", { class: "appointments" });
  for (const pathway of PATHWAYS) {
    const item = written.get(pathway);
    const name = item ? ((welsh && item.label_cy) || item.label || ctx.t(LABELS[pathway])) : ctx.t(LABELS[pathway]);
    const status = item ? ((welsh && item.status_label_cy) || ctx.t(STATUS[item.status] || item.status_label || item.status))
      : ctx.t(STATUS.not_started);
    const li = ctx.el("li", { class: "appointment", "data-pathway": pathway }, ctx.el("h2", { text: name }),
      ctx.el("p", {}, ctx.el("strong", { text: status })));
    if (item && item.owner) li.append(ctx.el("p", { text: ctx.t("Who looks after it: {owner}", { owner: item.owner }) }));
    if (item && item.notes) li.append(ctx.el("p", { text: item.notes }));
    for (const also of (item && item.also) || []) {
      li.append(ctx.el("p", { class: "hint", text: ctx.t("Also written: {value}, by {who}, {when}", { value: also.value, who: also.by, when: shortWhen(also.at) }) }));
    }
    list.append(li);
  }
  main.append(list);
}
