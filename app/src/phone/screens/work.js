// Work and jobs (issue 14, "Employment"): the job links, videos and checklists employment advisers publish (GET
// /v1/phone/work), kept on the phone for offline use (work/store.js). A checklist has big tick boxes; each tick is
// kept here at once and goes to the adviser with the next sync (a `checklist_progress` change with a UUID made
// here). A video downloads once, resumably, and only over a connection the person allows: the setting "Download
// videos" (on wifi only, the default; always; ask me), read against navigator.connection where the browser has
// it, asking where it cannot tell; sizes are said in MB first (work/download.js). Job links open in a new tab,
// after words saying they leave the app.
import { HubError, signed } from "../hub.js";
import { action, activated, icon, problem } from "../ui.js";
import * as download from "../work/download.js";
import * as store from "../work/store.js";
import { N_ } from "../words.js";

export const KIND = "checklist_progress";
const RULES = `
.work-list { list-style: none; padding: 0; margin: 1rem 0; display: grid; gap: .75rem; }
.work-list .tile { min-height: 5rem; flex-direction: row; justify-content: flex-start; text-align: left; }
.work-list .tile .kind { display: block; font-weight: 400; font-size: 1rem; }
.ticks { list-style: none; padding: 0; margin: 1rem 0; }
.ticks li { margin: .75rem 0; }
.tick { display: flex; align-items: center; gap: 1rem; min-height: 56px; font-size: 1.2rem; cursor: pointer; }
.tick input { width: 48px; height: 48px; min-height: 48px; flex: none; margin: 0; accent-color: var(--ok, #00703c); }
.work-video video { display: block; width: 100%; max-width: 40rem; background: #000; margin: .5rem 0; }
.video-setting .choice { font-size: 1.1rem; }
`;
let styled = false;
function addWorkStyle() {
  if (styled || typeof CSSStyleSheet !== "function" || !("adoptedStyleSheets" in document)) return;
  styled = true;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(RULES);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}

const KINDS = { job: N_("Job"), video: N_("Video"), checklist: N_("Checklist") };
const ICON = { job: "link", video: "video", checklist: "plan" };
const SETTING_WORDS = { wifi: N_("On wifi only"), always: N_("Always"), ask: N_("Ask me") };

// The list from the hub, kept; or the kept one when offline. {items, offline}.
async function refresh() {
  try {
    const { data } = await signed("GET", "/v1/phone/work");
    await store.put("kept", data.items || [], "items");
    await download.prune(data.items || []); // what was withdrawn goes from the phone too
    return { items: data.items || [], offline: false };
  } catch (error) {
    if (!(error instanceof HubError)) throw error;
    return { items: (await store.get("kept", "items")) || [], offline: error.code === "offline" };
  }
}

// A step is done if the person's own newest tick says so, else if the hub said so.
async function doneSteps(item) {
  const mine = new Map((await store.entries("ticks")).filter(([k]) => k.startsWith(`${item.item}:`))
    .map(([k, v]) => [Number(k.split(":")[1]), v.done]));
  return (item.steps || []).map((_s, n) => (mine.has(n) ? mine.get(n) : (item.done || []).includes(n)));
}

function settingBox(ctx, current) {
  const box = ctx.el("fieldset", { class: "video-setting" }, ctx.el("legend", { class: "label-big", text: ctx.t("Download videos") }),
    ctx.el("p", { class: "hint", id: "video-setting-hint", text: ctx.t("Videos can be large. Downloading them over mobile data costs you money.") }));
  for (const value of download.SETTINGS) {
    const input = ctx.el("input", { type: "radio", name: "video-setting", value, id: `video-${value}`, "aria-describedby": "video-setting-hint" });
    input.checked = value === current;
    input.addEventListener("change", async () => {
      await download.keepSetting(value);
      ctx.say(ctx.t("Saved."));
      startAllowed();
    });
    box.append(ctx.el("label", { class: "choice", for: `video-${value}` }, input, ctx.el("span", { text: ctx.t(SETTING_WORDS[value]) })));
  }
  return box;
}

// Start, in the background, the downloads the person's setting and connection allow now, one video at a time.
async function startAllowed() {
  if (download.decide(await download.setting(), download.connection()) !== "go") return;
  for (const item of (await store.get("kept", "items")) || []) {
    if (item.kind !== "video" || (await download.held(item.video.sha256))) continue;
    try {
      await fetchVideo(item);
    } catch {
      return; // said on the video's own screen when the person opens it; tried again when the list opens
    }
  }
}

async function fetchVideo(item, onProgress) {
  const { video } = item;
  if (video.captions) await download.download(video.captions.sha256, video.captions.bytes, "text/vtt");
  return download.download(video.sha256, video.bytes, video.type, onProgress);
}

let listening = false;
function listenForWifi() {
  if (listening || typeof navigator === "undefined" || !navigator.connection || !navigator.connection.addEventListener) return;
  listening = true;
  navigator.connection.addEventListener("change", () => {
    startAllowed();
    dispatchEvent(new CustomEvent("throughgate-connection"));
  });
}

export async function renderList(main, ctx) {
  if (!(await activated(main, ctx))) return;
  addWorkStyle();
  listenForWifi();
  const { items, offline } = await refresh();
  if (offline) main.append(ctx.el("p", { class: "note", text: ctx.t("You are offline. These are kept on this phone.") }));
  main.append(ctx.el("p", { class: "lead", text: ctx.t("Help to get and keep work from your employment adviser: checklists, videos and job links.") }));
  if (!items.length) {
    main.append(ctx.el("p", { text: ctx.t("Nothing here yet. When your adviser adds something, it shows here.") }));
  } else {
    const list = ctx.el("ul", { class: "work-list" });
    for (const item of items) {
      const kind = ctx.el("span", { class: "kind", text: ctx.t(KINDS[item.kind] || item.kind) });
      if (item.kind === "checklist") {
        const done = (await doneSteps(item)).filter(Boolean).length;
        kind.textContent = ctx.t("Checklist: {done} of {all} done", { done, all: item.steps.length });
      } else if (item.kind === "video") {
        const have = await download.held(item.video.sha256);
        kind.textContent = have ? ctx.t("Video: on this phone") : ctx.t("Video: {mb} MB, not downloaded yet", { mb: download.megabytes(item.video.bytes) });
      }
      list.append(ctx.el("li", {}, ctx.el("a", { class: "tile", href: ctx.href("work-item", { item: item.item }), "data-item": item.item },
        icon(ICON[item.kind] || "forms"), ctx.el("span", { class: "tile-label" }, ctx.el("span", { text: item.title }), kind))));
    }
    main.append(list);
  }
  main.append(settingBox(ctx, await download.setting()));
  startAllowed();
}

async function renderChecklist(main, ctx, item) {
  const done = await doneSteps(item);
  const count = ctx.el("p", { class: "lead", "aria-live": "polite" });
  const say = () => {
    count.textContent = ctx.t("{done} of {all} done. Your adviser sees your ticks when you are online.", { done: done.filter(Boolean).length, all: done.length });
  };
  say();
  const list = ctx.el("ul", { class: "ticks" });
  item.steps.forEach((step, n) => {
    const input = ctx.el("input", { type: "checkbox", id: `step-${n}`, "data-step": String(n) });
    input.checked = done[n];
    input.addEventListener("change", async () => {
      const at = new Date().toISOString();
      done[n] = input.checked;
      say();
      await store.put("ticks", { done: input.checked, at }, `${item.item}:${n}`);
      await ctx.outbox.add({ kind: KIND, body: { item: item.item, step: n, done: input.checked, ticked_at: at } });
    });
    list.append(ctx.el("li", {}, ctx.el("label", { class: "tick", for: `step-${n}` }, input, ctx.el("span", { text: step }))));
  });
  main.append(count, list);
}

function renderJob(main, ctx, item) {
  main.append(ctx.el("p", { class: "warning", id: "leaves-app" }, icon("warning"),
    ctx.el("span", { text: ctx.t("This link opens a website outside this app, in a new tab. It may use your data. Never give your bank details or pay money to apply for a job.") })));
  main.append(ctx.el("a", { class: "button", href: item.url, target: "_blank", rel: "noopener noreferrer", "aria-describedby": "leaves-app" },
    icon("link"), ctx.el("span", { text: ctx.t("Open the job advert (new tab)") })));
}

async function renderVideo(main, ctx, item) {
  const { video } = item;
  const box = ctx.el("div", { class: "work-video", "aria-live": "polite" });
  main.append(box);
  const show = async () => {
    box.replaceChildren();
    const blob = await download.held(video.sha256);
    if (blob) {
      const player = ctx.el("video", { controls: "", preload: "metadata", "aria-label": item.title, "data-sha256": video.sha256 });
      player.src = URL.createObjectURL(blob);
      const captions = video.captions && (await download.held(video.captions.sha256));
      if (captions) {
        player.append(ctx.el("track", { kind: "captions", src: URL.createObjectURL(captions), srclang: "en", label: ctx.t("Captions"), default: "" }));
      }
      box.append(player, ctx.el("p", { class: "hint", text: ctx.t("This video is on this phone: it plays without a connection.") }));
      return;
    }
    const mb = download.megabytes(video.bytes + ((video.captions && video.captions.bytes) || 0));
    const sofar = await download.bytesHeld(video.sha256, video.bytes);
    const progress = ctx.el("p", { "data-progress": "" });
    const report = (n) => {
      progress.textContent = ctx.t("Downloading: {have} of {mb} MB.", { have: download.megabytes(n), mb });
    };
    const go = async () => {
      report(sofar);
      box.replaceChildren(progress);
      try {
        await fetchVideo(item, report);
      } catch (error) {
        if (!(error instanceof HubError)) throw error;
        box.replaceChildren(problem(ctx, ctx.t("The download stopped. What came so far is kept: it goes on from there next time.")));
        box.append(action(ctx, "refresh", ctx.t("Try again"), go));
        return;
      }
      await show();
    };
    const decision = download.decide(await download.setting(), download.connection());
    if (decision === "go") {
      go();
      return;
    }
    if (sofar) box.append(ctx.el("p", { text: ctx.t("{have} of {mb} MB are on this phone already.", { have: download.megabytes(sofar), mb }) }));
    if (decision === "wait") {
      box.append(ctx.el("p", { "data-waiting": "wifi", text: ctx.t("This video is {mb} MB. It downloads when you are on wifi, as your setting says.", { mb }) }),
        action(ctx, "video", ctx.t("Download now using mobile data ({mb} MB)", { mb }), go, { class: "button secondary" }));
    } else {
      box.append(ctx.el("p", { "data-waiting": "ask", text: ctx.t("This video is {mb} MB. Download it now? On mobile data, that costs you money.", { mb }) }),
        action(ctx, "video", ctx.t("Download the video ({mb} MB)", { mb }), go));
    }
  };
  await show();
  // The connection changed (to wifi, say): what the screen offers may change too, while it is on screen.
  const again = () => {
    if (!document.body.contains(box)) removeEventListener("throughgate-connection", again);
    else if (!box.querySelector("video, [data-progress]")) show();
  };
  addEventListener("throughgate-connection", again);
}

export async function renderItem(main, ctx) {
  if (!(await activated(main, ctx))) return;
  addWorkStyle();
  listenForWifi();
  const items = (await store.get("kept", "items")) || [];
  const item = items.find((i) => i.item === ctx.params.item);
  if (!item) {
    main.append(problem(ctx, ctx.t("This is no longer on your list.")),
      ctx.el("a", { class: "button", href: ctx.href("work") }, icon("work"), ctx.el("span", { text: ctx.t("Back to Work and jobs") })));
    return;
  }
  main.append(ctx.el("h2", { text: item.title }));
  if (item.text) main.append(ctx.el("p", { class: "work-text", text: item.text }));
  if (item.kind === "checklist") await renderChecklist(main, ctx, item);
  else if (item.kind === "job") renderJob(main, ctx, item);
  else if (item.kind === "video") await renderVideo(main, ctx, item);
  main.append(ctx.el("p", {}, ctx.el("a", { class: "button secondary", href: ctx.href("work") }, icon("work"), ctx.el("span", { text: ctx.t("Back to Work and jobs") }))));
}
