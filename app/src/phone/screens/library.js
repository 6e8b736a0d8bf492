// My courses after release: the courses the person had in prison, with how far they got (from the hub, GET
// /v1/phone/courses, kept for offline use), each marked New when it, or a newer version of it, arrived since the
// Library was last shown. "Go on" or "Open" hands over to the course player page (/app/player.html?side=phone),
// which starts each part where the person stopped, on the tablet in prison or on this phone.
import { HubError, wordsFor } from "../hub.js";
import { kept, refresh, whatIsNew } from "../courses.js";
import { action, activated, icon, problem } from "../ui.js";

function progressWords(ctx, course) {
  const items = course.items || [];
  const parts = (course.manifest.items || []).length || items.length;
  const done = items.filter((i) => i.done).length;
  if (parts && done >= parts) return ctx.t("Done: all {n} parts.", { n: parts });
  if (items.some((i) => i.started)) return ctx.t("Started: {done} of {n} parts done. You can go on where you stopped.", { done, n: parts });
  return ctx.t("Not started. {n} parts.", { n: parts });
}

function scoreWords(ctx, course) {
  const scored = (course.items || []).filter((i) => i.score && typeof i.score.scaled === "number");
  if (!scored.length) return null;
  const best = Math.round(100 * Math.max(...scored.map((i) => i.score.scaled)));
  return ctx.t("Best score: {score}%", { score: best });
}

export async function render(main, ctx) {
  if (!(await activated(main, ctx))) return;
  let offline = null;
  try {
    await refresh();
  } catch (error) {
    offline = error instanceof HubError ? error : new HubError("offline", wordsFor("offline"));
  }
  const courses = await kept();
  if (offline) main.append(problem(ctx, ctx.t("You are offline. These are the courses kept on this phone.")));
  main.append(action(ctx, "refresh", ctx.t("Check for new courses"), async () => ctx.navigate("library")));
  if (!courses.length) {
    main.append(ctx.el("p", { class: "lead", text: ctx.t("You have no courses yet. Courses you started in prison show here.") }));
    return;
  }
  const fresh = await whatIsNew(courses);
  main.append(ctx.el("p", { class: "lead", text: fresh.size
    ? ctx.t("{n} new since you last looked.", { n: fresh.size }) : ctx.t("Nothing new since you last looked.") }));
  const list = ctx.el("ul", { class: "appointments library" });
  for (const course of courses) {
    const isNew = fresh.has(course.id);
    const started = (course.items || []).some((i) => i.started);
    const score = scoreWords(ctx, course);
    const open = ctx.el("a", { class: "button", href: `/app/player.html?${new URLSearchParams({ side: "phone", course: course.id })}`,
      "data-open": course.id }, icon("course"),
    ctx.el("span", { text: started ? ctx.t("Go on with {title}", { title: course.manifest.title })
      : ctx.t("Open {title}", { title: course.manifest.title }) }));
    list.append(ctx.el("li", { class: "appointment", "data-course": course.id, "data-new": isNew ? "1" : "0" },
      ctx.el("h2", {}, course.manifest.title, isNew ? ctx.el("strong", { class: "new", text: ` ${ctx.t("New")}` }) : null),
      ctx.el("p", { "data-progress": course.id, text: progressWords(ctx, course) }),
      score && ctx.el("p", { text: score }), open));
  }
  main.append(list);
}
