// Who looked at my record (docs/phone-sync.md): every time a worker's console showed the person's data, and
// every read of their health summary, newest first. Fetched when online (GET /v1/phone/views and
// GET /v1/phone/health/reads, signed, after the last id kept) and kept, so the list shows offline too.
import * as db from "../db.js";
import { HubError, signed } from "../hub.js";
import { ROLES, activated, shortWhen } from "../ui.js";
import { N_ } from "../words.js";

// The hub says what was looked at in English words: these are those words, to translate.
N_("your name in their list"); N_("your record"); N_("your messages"); N_("your release letter");
N_("your release plan"); N_("a photo or voice note you sent");

async function fetchAll(path, listKey, keep) {
  const kept = (await db.get("device", keep)) || [];
  let after = kept.length ? kept[kept.length - 1].id : 0;
  for (let page = 0; page < 50; page += 1) {
    const { data } = await signed("GET", `${path}?after=${after}`);
    const found = data[listKey] || [];
    kept.push(...found);
    if (!data.more || !found.length) break;
    after = found[found.length - 1].id;
  }
  await db.put("device", kept, keep);
  return kept;
}

export async function render(main, ctx) {
  if (!(await activated(main, ctx))) return;
  let views = (await db.get("device", "views")) || [];
  let reads = (await db.get("device", "health_reads")) || [];
  const note = ctx.el("p", { class: "hint" });
  try {
    views = await fetchAll("/v1/phone/views", "views", "views");
    reads = await fetchAll("/v1/phone/health/reads", "reads", "health_reads");
  } catch (error) {
    if (!(error instanceof HubError)) throw error;
    note.textContent = ctx.t("You are seeing what this phone kept. The newest shows when you are online.");
  }
  main.append(ctx.el("p", { class: "lead", text: ctx.t("Each time a worker looks at your information, it is recorded. You can see each one here.") }), note);
  const shown = [
    ...views.map((v) => ({ at: v.at, text: ctx.t("{who} ({role}) looked at {what}", {
      who: v.who, role: ROLES[v.role] ? ctx.t(ROLES[v.role]) : v.role.replace(/_/g, " "), what: ctx.t(v.what) }) })),
    ...reads.map((r) => ({ at: r.at, text: ctx.t("{who} read {what} through {how}, for: {purpose}", r) })),
  ].sort((a, b) => (a.at < b.at ? 1 : -1));
  if (!shown.length) {
    main.append(ctx.el("p", { text: ctx.t("No one has looked at your record yet.") }));
    return;
  }
  main.append(ctx.el("ul", { class: "views" }, ...shown.map((v) => ctx.el("li", {},
    ctx.el("strong", { text: shortWhen(v.at) }), ctx.el("span", { text: ` ${v.text}` })))));
}
