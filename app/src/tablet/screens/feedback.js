// Feedback and badges: what tutors sent (down messages "feedback" and "award"), newest first, the ones not seen
// before marked "New". They arrive by themselves (sync.js polls, stores, then acknowledges each).
import { language } from "../../shell/i18n.js";
import { store } from "../../shell/store.js";
import { icon } from "../icons.js";
import { INBOX, pullSoon } from "../sync.js";

function day(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(language() === "cy" ? "cy-GB" : "en-GB", { dateStyle: "long" }).format(date);
}

export async function renderFeedback(main, ctx) {
  const { el, t } = ctx;
  if (navigator.onLine !== false) await pullSoon();  // what waits at the edge, before drawing
  const kept = (await store.all(INBOX)).filter((m) => m.type === "feedback" || m.type === "award")
    .sort((a, b) => String(b.marked || b.awarded || b.received).localeCompare(String(a.marked || a.awarded || a.received)));
  if (!kept.length) {
    main.append(el("p", { class: "lead", text: t("No feedback yet. When your tutor marks your work, it shows here.") }));
    return;
  }
  const ul = el("ul", { class: "outbox-list feedback" });
  for (const m of kept) {
    const isNew = !m.seen;
    const li = el("li", { class: "outbox-item", "data-message": m.id, "data-type": m.type });
    if (m.type === "feedback") {
      li.append(el("h2", { class: "what" }, icon("feedback"), t("Feedback on {assignment}", { assignment: m.assignment || "" }),
        isNew ? el("strong", { class: "new", text: ` ${t("New")}` }) : null));
      if (m.grade) li.append(el("p", { text: t("Grade: {grade}", { grade: m.grade }) }));
      if (m.feedback) li.append(el("p", { class: "feedback-text", text: m.feedback }));
      li.append(el("p", { text: t("From {marker}, {day}", { marker: m.marker || t("your tutor"), day: day(m.marked || m.received) }) }));
    } else {
      li.append(el("h2", { class: "what" }, icon("badge"), t("Badge: {badge}", { badge: m.badge || "" }),
        isNew ? el("strong", { class: "new", text: ` ${t("New")}` }) : null));
      if (m.rule) li.append(el("p", { text: t("You earned it for: {rule}", { rule: m.rule }) }));
      li.append(el("p", { text: day(m.awarded || m.received) }));
    }
    ul.append(li);
  }
  main.append(ul);
  for (const m of kept) if (!m.seen) await store.put(INBOX, { ...m, seen: true });
}
