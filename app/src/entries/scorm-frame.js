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

async function precache(launch) {
  // The service worker keeps every file of this course version, so the unit goes on offline (scorm-sw.js).
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    const ready = await navigator.serviceWorker.ready;
    const token = launch.pathname.split("/")[2];
    const listing = await fetch(`/files/${token}`).then((r) => (r.ok ? r.json() : null)).catch(() => null);
    if (listing && ready.active) ready.active.postMessage({ precache: { token, ...listing } });
  } catch (e) {
    console.warn("content not kept for offline:", e);
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
  try {  // values the player loaded (resume: location, suspend data, entry) answer GetValue at once
    const all = await api._post("getFlattenedCMI", []);
    for (const [key, value] of Object.entries(all || {})) api._cache.set(key, String(value));
  } catch (e) {
    console.warn("the player did not answer:", e);
  }
  window.API = api;          // SCORM 1.2
  window.API_1484_11 = api;  // SCORM 2004
  frame.src = launch.href;
}

main();
