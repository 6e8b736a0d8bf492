// The Library: the courses this edge has (GET /v1/courses), kept for offline use, each marked "New" when it
// (or a new version of it) arrived since the person last opened the Library. Opening one hands over to the
// course player (P3's screen "player", by course id); where that is not on this tablet, a page says so.
import { getScreen } from "../../shell/screens.js";
import { store } from "../../shell/store.js";
import { call } from "../edge.js";
import { icon } from "../icons.js";
import { STATE } from "../records.js";

export const COURSES = "tablet-courses";

/** The course list from the edge, kept here; the kept one when the edge does not answer. */
export async function courses() {
  try {
    const answer = await call("GET", "/v1/courses");
    const found = (answer.courses || []).map((c) => c.envelope && c.envelope.manifest).filter(Boolean)
      .map((m) => ({ id: m.course, title: m.title, version: m.version, published: m.published,
                     items: (m.items || []).map((i) => ({ id: i.id, title: i.title })) }));
    const keep = new Set(found.map((c) => c.id));
    for (const old of await store.all(COURSES)) if (!keep.has(old.id)) await store.del(COURSES, old.id);
    for (const c of found) await store.put(COURSES, c);
    return found;
  } catch {
    return store.all(COURSES);
  }
}

export async function renderLibrary(main, ctx) {
  const { el, t } = ctx;
  const list = (await courses()).sort((a, b) => a.title.localeCompare(b.title));
  const seen = (await store.get(STATE, "library-seen")) || { id: "library-seen", versions: {} };
  if (!list.length) {
    main.append(el("p", { class: "lead", text: t("There are no courses on this tablet yet. Ask your tutor.") }));
    return;
  }
  const fresh = list.filter((c) => !(seen.versions[c.id] >= c.version));
  main.append(el("p", { class: "lead", text: fresh.length
    ? t("{n} new since you last looked.", { n: fresh.length }) : t("Nothing new since you last looked.") }));
  const ul = el("ul", { class: "outbox-list library" });
  for (const c of list) {
    const isNew = fresh.includes(c);
    ul.append(el("li", { class: "outbox-item", "data-course": c.id, "data-new": isNew ? "1" : "0" },
      el("p", { class: "what" }, c.title, isNew ? el("strong", { class: "new", text: ` ${t("New")}` }) : null),
      el("p", { text: t("{n} parts", { n: c.items.length }) }),
      el("a", { class: "button", href: ctx.href("player", { course: c.id }),
        onclick: (e) => { e.preventDefault(); openCourse(ctx, c.id); } },
      icon("library"), el("span", { text: t("Open {title}", { title: c.title }) }))));
  }
  main.append(ul);
  await store.put(STATE, { id: "library-seen", versions: Object.fromEntries(list.map((c) => [c.id, c.version])) });
}

export function openCourse(ctx, course) {
  if (getScreen("player")) ctx.navigate("player", { course });
  else ctx.navigate("course", { course });
}

export async function renderNoPlayer(main, ctx) {
  const { el, t } = ctx;
  const course = (await store.get(COURSES, ctx.params.course || "")) || { title: ctx.params.course || "" };
  main.append(el("p", { class: "lead", text: t("{title} cannot open yet: the course player is not on this tablet.", { title: course.title }) }),
    el("p", { text: t("Your place in the library is kept. Ask staff to update the tablet's app.") }),
    el("a", { class: "button secondary", href: ctx.href("library") }, el("span", { text: t("Back to the library") })));
}
