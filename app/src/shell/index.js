// The shell: header (name, language, read aloud), the home screen of this side's screens, the router, and the
// "Waiting to send" line. Sides register screens (screens.js) and a sender (outbox.js); app.js starts this.
import { getScreen, homeScreens, onSide, screen } from "./screens.js";
import * as outboxMod from "./outbox.js";
import { LANGUAGES, language, onLanguage, setLanguage, startLanguage, t } from "./i18n.js";
import { navigate, parse, href } from "./router.js";
import { canSpeak, screenText, speak, stop } from "./speech.js";
import { store, persist } from "./store.js";
import { registerShellScreens } from "./shell_screens.js";
import { el } from "./dom.js";

export { screen, t, navigate, el };

let side = "phone";
let rendering = 0;


function translateChrome() {
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  for (const node of document.querySelectorAll("[data-t-label]")) node.setAttribute("aria-label", t(node.dataset.tLabel));
  for (const b of document.querySelectorAll("[data-lang]")) b.setAttribute("aria-pressed", String(b.dataset.lang === language()));
  document.title = t("Throughgate");
}

async function updateOutboxLine() {
  const line = document.getElementById("outbox-count");
  if (!line) return;
  let items = [];
  try { items = await outboxMod.pending(); } catch (e) { console.error(e); }
  const refused = items.filter((i) => i.state === "refused").length;
  line.textContent = t("Waiting to send: {n}", { n: items.length }) +
    (refused ? ` ${t("({n} refused)", { n: refused })}` : "");
  const bar = document.getElementById("outbox-line");
  if (bar) bar.dataset.state = refused ? "refused" : items.length ? "waiting" : "empty";
  const net = document.getElementById("net-state");
  if (net) net.textContent = navigator.onLine === false ? t("You are offline. What you do is kept and sent later.") : "";
}

function context(params) {
  return { t, speak, navigate, params, side, store, outbox: outboxMod.outbox, el, href };
}

/** Draws the screen the address names. Focus moves to its heading only when the person went to a new screen
 *  (focus: true, from hashchange); a redraw for a new language or a changed outbox leaves focus where it is. */
async function render({ focus = true } = {}) {
  const ticket = ++rendering;
  const { id, params } = parse(location.hash);
  let def = getScreen(id);
  if (!def || !onSide(def, side)) def = getScreen("home");
  const main = document.getElementById("main");
  stop();
  const heading = el("h1", { id: "screen-title", tabindex: "-1", text: t(def.title) });
  const body = el("div", { class: "screen", "data-screen": def.id });
  main.replaceChildren(heading, body);
  document.title = def.id === "home" ? t("Throughgate") : `${t(def.title)} - ${t("Throughgate")}`;
  try {
    await def.render(body, context(params));
  } catch (e) {
    console.error(e);
    if (ticket === rendering) {
      body.append(el("p", { class: "problem", role: "alert",
        text: t("Something went wrong on this screen. Go back to the start and try again.") }));
    }
  }
  if (ticket === rendering && focus && main.dataset.ready) heading.focus();
  main.dataset.ready = "1";
  document.documentElement.dataset.screen = def.id;
}

function wireChrome() {
  const langs = document.getElementById("languages");
  langs.replaceChildren(...LANGUAGES.map((l) => el("button", {
    type: "button", class: "lang", "data-lang": l.code, lang: l.code, text: l.name,
    onclick: async () => { await setLanguage(l.code); },
  })));
  const read = document.getElementById("read-aloud");
  if (!canSpeak()) read.hidden = true;
  read.addEventListener("click", () => {
    if (speechSynthesis.speaking) { stop(); return; }
    const main = document.getElementById("main");
    speak(screenText(main));
  });
  document.getElementById("skip").addEventListener("click", (e) => {
    e.preventDefault();  // the hash is the router's: move focus without changing it
    document.getElementById("main").focus();
  });
}

function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  const url = new URL("sw.js", import.meta.url);
  navigator.serviceWorker.register(url, { scope: new URL("./", import.meta.url).pathname })
    .catch((e) => console.warn(`the app will not work offline: ${e}`));
}

/** Starts the app for this side ("phone" or "tablet"), after the side's module registered its screens. */
export async function start(whichSide) {
  side = whichSide === "tablet" ? "tablet" : "phone";
  document.documentElement.dataset.side = side;
  registerShellScreens({ homeScreens: () => homeScreens(side), outbox: outboxMod, el, t, href, language });
  await startLanguage();
  wireChrome();
  translateChrome();
  onLanguage(() => { translateChrome(); updateOutboxLine(); render({ focus: false }); });
  outboxMod.onChange(() => { updateOutboxLine(); if (parse(location.hash).id === "outbox") render({ focus: false }); });
  addEventListener("online", updateOutboxLine);
  addEventListener("offline", updateOutboxLine);
  addEventListener("hashchange", () => render());
  await updateOutboxLine();
  await render();
  persist();
  registerWorker();
  outboxMod.startDraining();
  // For support (the browser's console) and the tests: what any script of this origin could do through
  // IndexedDB anyway; course content runs on another origin and cannot reach it.
  globalThis.throughgate = Object.freeze({ side, outbox: Object.freeze({ add: outboxMod.add,
    pending: outboxMod.pending, drain: outboxMod.drain }) });
  document.documentElement.dataset.app = "ready";
}
