// The player's wrapper page on the content origin (served by the edge as /frame.html, edge/courses/
// content_origin.py): the SCORM runtime where a package looks for it, and the package's launch file in a frame
// below it, all on the content origin, which holds no credential.
//
//   app page (tablet API's origin)            player.js: scorm-again's real API + CrossFrameLMS(api, contentOrigin)
//     └ /frame.html#launch=…  (content origin)  window.API = window.API_1484_11 = CrossFrameAPI(appOrigin, parent)
//         └ /c/<token>/<launch file>            the package: finds window.parent.API, as SCORM's lookup does
//
// The two talk only by postMessage, each checking the other's origin (scorm-again's cross-frame pair). The app's
// origin is written into this page by the edge (meta app-origin), never taken from the URL.
import { CrossFrameAPI } from "scorm-again/cross-frame-api";

const appOrigin = document.querySelector('meta[name="app-origin"]').content;
const frame = document.getElementById("content");

function fail(text) {
  const p = document.createElement("p");
  p.setAttribute("role", "alert");
  p.textContent = text;
  frame.replaceWith(p);
}

// What each file of this course version must hold (path -> sha256), from the app's page (the hub-signed manifest in
// the app's origin, app/src/scorm/files.js): the service worker serves a kept file only when it matches, since any
// course's scripts could rewrite this origin's Cache Storage. Asked once; the worker asks again after a restart.
const expected = new Promise((resolve) => {
  window.addEventListener("message", (ev) => {
    const d = ev.data;
    if (ev.origin !== appOrigin || ev.source !== window.parent || !d || d.throughgate !== "files") return;
    if (typeof d.course === "string" && Number.isInteger(d.version) && d.files && typeof d.files === "object") {
      resolve({ course: d.course, version: d.version, files: d.files });
    }
  });
  setTimeout(() => resolve(null), 3000);  // an app page that does not answer: nothing is served from the cache
});
window.parent.postMessage({ throughgate: "files?" }, appOrigin);

async function precache(launch) {
  // The service worker keeps every file of this course version, so the unit goes on offline (scorm-sw.js).
  if (!("serviceWorker" in navigator)) return;
  try {
    navigator.serviceWorker.onmessage = async (ev) => {  // the worker, restarted, asks for the hashes again
      const want = ev.data && ev.data.need;
      const known = await expected;
      if (want && ev.ports[0]) {
        ev.ports[0].postMessage(known && known.course === want.course && known.version === want.version ? known : null);
      }
    };
    await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    const ready = await navigator.serviceWorker.ready;
    const known = await expected;
    if (known && ready.active) ready.active.postMessage({ expect: known });
    const token = launch.pathname.split("/")[2];
    const listing = await fetch(`/files/${token}`).then((r) => (r.ok ? r.json() : null)).catch(() => null);
    if (listing && ready.active) ready.active.postMessage({ precache: { token, ...listing } });
  } catch (e) {
    console.warn("content not kept for offline:", e);
  }
}

// CrossFrameAPI answers GetValue from a cache the parent's flattened data model fills, which has no `_count`
// elements: a package reading cmi.objectives._count (Rustici's golf examples look their objectives up so) got ""
// and found none. The counts are kept here, from the elements set and loaded (list.N.field -> list._count >= N+1).
const COUNTED = ["cmi.objectives", "cmi.interactions", "cmi.comments_from_learner", "cmi.comments_from_lms"];

function count(cache, key) {
  const parts = key.split(".");
  for (let i = 1; i < parts.length - 1; i++) {
    if (!/^\d+$/.test(parts[i])) continue;
    const name = `${parts.slice(0, i).join(".")}._count`;
    if (Number(cache.get(name) || 0) < Number(parts[i]) + 1) cache.set(name, String(Number(parts[i]) + 1));
  }
}

async function main() {
  const params = new URLSearchParams(location.hash.slice(1));
  let launch;
  try {
    launch = new URL(params.get("launch") || "", location.href);
  } catch {
    return fail("This course link is not complete. Go back and open the course again.");
  }
  if (launch.origin !== location.origin || !launch.pathname.startsWith("/c/")) {
    return fail("This course link is not complete. Go back and open the course again.");
  }
  await precache(launch);
  const api = new CrossFrameAPI(appOrigin, window.parent, { timeout: 15000 });
  for (const list of COUNTED) api._cache.set(`${list}._count`, "0");
  try {  // values the player loaded (resume: location, suspend data, entry) answer GetValue at once
    const all = await api._post("getFlattenedCMI", []);
    for (const [key, value] of Object.entries(all || {})) {
      api._cache.set(key, String(value));
      count(api._cache, key);
    }
  } catch (e) {
    console.warn("the player did not answer:", e);
  }
  window.API = window.API_1484_11 = new Proxy(api, {  // SCORM 1.2 and 2004 look for these
    get(target, prop) {
      const value = target[prop];
      if (prop !== "LMSSetValue" && prop !== "SetValue") return value;
      return (key, v) => {
        const result = value(key, v);
        count(target._cache, String(key));
        return result;
      };
    },
  });
  frame.src = launch.href;
}

main();
