// The SCORM player page (/app/player.html?course=<course>[&learner=<learner>][&item=<id>][&side=phone]), a bundle
// of its own: scorm-again is large, and only this page needs it, so the app's first load stays small.
//
// The same page on both sides; what differs is its side's adapter (app/src/scorm/sides.js for the tablet,
// app/src/phone/courses.js for the phone after release): where the signed manifests come from (the tablet API's
// /v1/courses; the hub's signed GET /v1/phone/courses), where launches come from, and who the learner is (the
// tablet's bound learner; on the phone, the person). It finds the course's signed manifest (kept for offline),
// shows the item picker for a package of several items (the organisation tree for SCORM 2004), asks for a
// capability URL on the side's content origin (kept, so the course opens offline from the content origin's
// service worker), and runs the item (app/src/scorm/runtime.js). What the content commits goes into the outbox
// (IndexedDB) before anything else; the app sends it when it is online.
import { launchable, neighbours, pickList } from "../scorm/picker.js";
import { openItem, versionOf } from "../scorm/runtime.js";
import * as store from "../shell/store.js";
import { tablet } from "../scorm/sides.js";
import { phone } from "../phone/courses.js";
import { language, LANGUAGES, setLanguage, startLanguage, t } from "../shell/i18n.js";
import { canSpeak, screenText, speak, stop } from "../shell/speech.js";
import { el } from "../shell/dom.js";

store.declare("scorm_courses", "scorm_launches");

const params = new URLSearchParams(location.search);
const course = params.get("course") || "";
const side = params.get("side") === "phone" ? phone : tablet;
let learner = "";
const main = document.getElementById("main");
let session = null;


function problem(text) {
  main.replaceChildren(el("h1", { text: t("This course did not open") }), el("p", { class: "problem", role: "alert", text }),
    el("p", {}, el("a", { class: "button secondary", href: side.home, text: t("Back to the app") })));
}

async function manifestOf() {
  for (const m of await side.manifests()) {  // [] offline: the kept copy below
    const kept = await store.get("scorm_courses", m.course);
    await store.put("scorm_courses", { ...(kept || {}), id: m.course, manifest: m });
  }
  const kept = await store.get("scorm_courses", course);
  return kept ? kept.manifest : null;
}

async function launchOf(manifest) {
  const key = `${learner}|${manifest.course}|${manifest.version}`;
  const launch = await side.launch(manifest, learner);
  if (launch) {
    await store.put("scorm_launches", { id: key, ...launch });
    return launch;
  }
  return store.get("scorm_launches", key);  // offline: the kept link; the content origin's service worker has the files
}

async function statusOf(manifest, item) {
  const current = await store.get("scorm_current", `${learner}|${manifest.course}|${item.id}`);
  const attempt = current && (await store.get("scorm_attempts", current.attempt));
  if (!attempt) return t("Not started");
  return attempt.done ? t("Done") : t("Started: you can go on where you stopped");
}

async function isDone(manifest, item) {
  const current = await store.get("scorm_current", `${learner}|${manifest.course}|${item.id}`);
  const attempt = current && (await store.get("scorm_attempts", current.attempt));
  return Boolean(attempt && attempt.done);
}

async function showPicker(manifest) {
  const list = el("ul", { class: "scorm-items" });
  let next = null;
  for (const entry of pickList(manifest)) {
    if (entry.heading) {
      list.append(el("li", { class: "scorm-heading", "data-depth": String(entry.depth) }, el("h2", { text: entry.title })));
      continue;
    }
    if (!next && !(await isDone(manifest, entry))) next = entry;
    const state = await statusOf(manifest, entry);
    const words = [el("span", { text: entry.title }), el("span", { class: "scorm-state", text: state })];
    list.append(el("li", { "data-depth": String(entry.depth) }, entry.choice
      ? el("button", { type: "button", class: "button scorm-item", "data-item": entry.id, onclick: () => run(manifest, entry) }, ...words)
      : el("p", { class: "scorm-item-fixed", "data-item": entry.id }, ...words)));  // the package lets the course lead
  }
  const first = launchable(manifest)[0];  // every part done: a new attempt from the start
  const target = next || first;
  const go = target && el("p", {}, el("button", { type: "button", class: "button", id: "scorm-continue",
    onclick: () => run(manifest, target) }, el("span", { text: next ? t("Go on: {title}", { title: next.title })
    : t("Start again: {title}", { title: first.title }) })));
  main.replaceChildren(el("h1", { tabindex: "-1", text: manifest.title }),
    el("p", { class: "lead", text: t("Choose a part of the course to open.") }), go, list,
    el("p", {}, el("a", { class: "button secondary", href: side.home, text: t("Back to the app") })));
  main.querySelector("h1").focus();
}

async function refusalsOf(attempt) {
  return (await store.all("scorm_refusals")).filter((r) => r.attempt === attempt);
}

async function run(manifest, item) {
  const launch = await launchOf(manifest);
  if (!launch) return problem(t("The course needs the network the first time it is opened. Try again when you are connected."));
  const frame = el("iframe", { id: "scorm-frame", title: item.title, class: "scorm-frame",
    allow: "fullscreen; autoplay", referrerpolicy: "no-referrer" });
  const saved = el("p", { class: "scorm-saved", role: "status", id: "scorm-saved" });
  const support = el("details", { class: "scorm-support", id: "scorm-support", hidden: true },
    el("summary", { text: t("For support: values the course sent that were not kept") }), el("ul"));
  const back = el("button", { type: "button", class: "button secondary", id: "scorm-close", onclick: () => close(manifest) },
    el("span", { text: t("Close this part") }));
  const { previous, next } = neighbours(manifest, item.id);
  const move = (to) => async () => { if (session) await session.close(); session = null; run(manifest, to); };
  const nav = el("p", { class: "scorm-nav" },
    previous && el("button", { type: "button", class: "button secondary", id: "scorm-previous", onclick: move(previous) },
      el("span", { text: t("Previous part: {title}", { title: previous.title }) })),
    next && el("button", { type: "button", class: "button", id: "scorm-next", onclick: move(next) },
      el("span", { text: t("Next part: {title}", { title: next.title }) })), back);
  main.replaceChildren(el("h1", { class: "scorm-title", text: item.title }), saved, frame, support, nav);
  session = await openItem({ learner, manifest, item, launch, frameEl: frame, onCommitted: async ({ added, refused }, attempt) => {
    saved.textContent = side.words.saved();
    saved.dataset.added = String(Number(saved.dataset.added || 0) + added);
    saved.dataset.commits = String(Number(saved.dataset.commits || 0) + 1);
    const all = await refusalsOf(attempt.id);
    support.hidden = all.length === 0;
    support.querySelector("ul").replaceChildren(...all.map((r) => el("li", { "data-element": r.element,
      text: `${r.element}: ${r.reason} (${r.error_code})` })));
    if (refused.length) console.warn("SCORM values refused:", refused);
  }, onInitialized: () => { document.documentElement.dataset.initialized = item.id; }, side });
  document.documentElement.dataset.entry = session.entry;
  document.documentElement.dataset.attempt = session.attempt.id;
}

async function close(manifest) {
  if (session) await session.close();
  session = null;
  if (launchable(manifest).length > 1) return showPicker(manifest);
  location.href = side.home;
}

function header() {
  const langs = document.getElementById("languages");
  langs.replaceChildren(...LANGUAGES.map((l) => el("button", { type: "button", class: "lang", lang: l.code,
    "aria-pressed": String(l.code === language()), onclick: async () => { await setLanguage(l.code); location.reload(); },
    text: l.name })));
  const read = document.getElementById("read-aloud");
  read.hidden = !canSpeak();
  read.addEventListener("click", () => { stop(); speak(screenText(main)); });
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
}

function registerWorker() {  // the app's own service worker (P1's), so this page opens offline too
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" }).catch((e) => console.warn(`not kept for offline: ${e}`));
  }
}

async function start() {
  registerWorker();
  await startLanguage();
  header();
  document.documentElement.dataset.side = side.name;
  learner = await side.learner(params);
  if (!course || !learner) return problem(t("This link does not say which course to open. Open it from the app's library."));
  const manifest = await manifestOf();
  if (!manifest) return problem(side.words.missing());
  if (manifest.format !== "scorm12" && manifest.format !== "scorm2004") {
    return problem(t("This course is not a SCORM package."));
  }
  document.documentElement.dataset.scorm = versionOf(manifest);
  await side.prepare(manifest, learner);  // the phone: where the person was in prison, from the hub
  const items = launchable(manifest);
  const wanted = items.find((i) => i.id === params.get("item") && i.choice);
  if (wanted) return run(manifest, wanted);
  if (items.length === 1) return run(manifest, items[0]);
  return showPicker(manifest);
}

start().then(() => { document.documentElement.dataset.player = "ready"; }).catch((e) => {
  console.error(e);
  problem(t("Something went wrong. Close the app and open it again."));
});
