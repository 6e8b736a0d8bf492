// The content origin's service worker (served by the edge as /sw.js): keeps a course version's files so a unit
// goes on offline and opens again after the browser is closed. Files are kept by course, version and path, not
// by URL: each launch's URL carries a new token, and a token that has expired still opens what is kept here.
// Only the content origin's own files are here: the app's data is in the app origin's IndexedDB.
//
// Every course shares this origin, so one course's scripts could rewrite another course's kept files (this Cache
// Storage is theirs to write too). So a kept file is served only when its SHA-256 is the one the hub signed for that
// version: the hashes come from the app's page (its manifest, in the app's origin) through the wrapper page
// (scorm-frame.js) and are held here in memory only, never in storage a course could write; after a restart the
// worker asks the open wrapper again. A kept file that does not match is dropped and fetched again; offline, or when
// no hash is known, it is refused with a page that says so (docs/courses.md, "Offline copies").
const CACHE = "throughgate-course-files-v1";
const PAGES = ["/frame.html", "/frame.js"];
const expected = new Map();  // "course/version" -> { path: sha256 }, from the app (never from storage)
// The wrapper's own two files: their hashes written into this script by the server as it serves it
// (provisioning/content_origin.py), since no course file or manifest lists them.
const WRAPPER = Object.fromEntries("__WRAPPER_SHA256__".split(";").map((p) => p.split("=")).filter((p) => p.length === 2));
const ASK_MS = 1500;

function grantOf(token) {
  try {
    const b64 = token.split(".")[0].replace(/-/g, "+").replace(/_/g, "/");
    const fields = JSON.parse(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)));
    return { course: String(fields.c), version: Number(fields.v) };
  } catch {
    return null;
  }
}

function placeOf(url) {
  const parts = url.pathname.split("/");  // "", "c", token, ...path
  const grant = grantOf(parts[2] || "");
  if (!grant) return null;
  let path;
  try { path = decodeURIComponent(parts.slice(3).join("/")); } catch { return null; }
  const key = `${self.location.origin}/kept/${encodeURIComponent(grant.course)}/${grant.version}/${encodeURIComponent(path)}`;
  return { ...grant, path, key };
}

function keyOf(url) {
  const place = placeOf(url);
  return place && place.key;
}

async function sha256Hex(response) {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", await response.arrayBuffer()));
  return [...hash].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function validListing(d) {
  return d && typeof d.course === "string" && Number.isInteger(d.version) && d.files && typeof d.files === "object";
}

/** The hashes of a version's files: held since the wrapper told them, or asked of the open wrapper pages. */
async function hashesOf(place) {
  const name = `${place.course}/${place.version}`;
  if (expected.has(name)) return expected.get(name);
  const wrappers = (await self.clients.matchAll({ type: "window", includeUncontrolled: true }))
    .filter((c) => new URL(c.url).pathname === "/frame.html");
  const answers = wrappers.map((client) => new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (ev) => resolve(ev.data);
    client.postMessage({ need: { course: place.course, version: place.version } }, [channel.port2]);
    setTimeout(() => resolve(null), ASK_MS);
  }));
  for (const d of await Promise.all(answers)) {
    if (validListing(d) && d.course === place.course && d.version === place.version) {
      expected.set(name, d.files);
      return d.files;
    }
  }
  return null;
}

// What a refusal says, in English and in Welsh (the content origin cannot know which the app shows, so both).
const SAID = {
  notKept: ["This part of the course is not kept on this tablet yet.",
    "Dydy'r rhan hon o'r cwrs ddim ar y dabled hon eto."],
  changed: ["The copy of this part kept on this tablet was changed, so it is not shown.",
    "Cafodd y copi o'r rhan hon sydd ar y dabled hon ei newid, felly dydy e ddim yn cael ei ddangos."],
  unchecked: ["The copy of this part kept on this tablet could not be checked, so it is not shown.",
    "Doedd dim modd gwirio'r copi o'r rhan hon sydd ar y dabled hon, felly dydy e ddim yn cael ei ddangos."],
  playerChanged: ["The copy of the course player kept on this tablet was changed or could not be checked, so it is "
    + "not shown.", "Cafodd y copi o chwaraewr y cwrs sydd ar y dabled hon ei newid, neu doedd dim modd ei wirio, "
    + "felly dydy e ddim yn cael ei ddangos."],
  playerNotKept: ["The course player is not kept on this tablet yet.", "Dydy chwaraewr y cwrs ddim ar y dabled hon eto."],
};
const AGAIN = ["Connect the tablet to the network and open the course again.",
  "Cysylltwch y dabled â'r rhwydwaith ac agorwch y cwrs eto."];

function notServed(request, why) {
  const [en, cy] = [0, 1].map((n) => `${SAID[why][n]} ${AGAIN[n]}`);
  if (request.mode !== "navigate") {
    return new Response(`${en}\n${cy}`, { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  const page = `<!doctype html><html lang="en"><meta charset="utf-8"><title>This part did not open</title>
<main><h1>This part did not open</h1><div role="alert"><p>${en}</p><p lang="cy">${cy}</p></div>
<h2 lang="cy">Wnaeth y rhan hon ddim agor</h2></main></html>`;
  return new Response(page, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

async function keep(token, paths) {
  const cache = await caches.open(CACHE);
  for (const page of PAGES) {  // the wrapper itself, first opened before this worker was there
    try {
      const res = await fetch(page, { cache: "no-cache" });
      if (res.ok) await cache.put(`${self.location.origin}${page}`, res);
    } catch { /* offline: kept next time */ }
  }
  for (const path of paths) {
    const url = new URL(`/c/${token}/${path.split("/").map(encodeURIComponent).join("/")}`, self.location.origin);
    const key = keyOf(url);
    if (!key || (await cache.match(key))) continue;
    try {
      const res = await fetch(url);
      if (res.ok) await cache.put(key, res);
    } catch { /* offline now: kept when it is next opened online */ }
  }
}

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("message", (event) => {
  const expect = event.data && event.data.expect;
  const fromWrapper = event.source && new URL(event.source.url).pathname === "/frame.html";
  if (fromWrapper && validListing(expect)) expected.set(`${expect.course}/${expect.version}`, expect.files);
  const want = event.data && event.data.precache;
  if (want && typeof want.token === "string" && Array.isArray(want.paths)) event.waitUntil(keep(want.token, want.paths));
});

/** A kept file, once its SHA-256 is the one the hub signed for it; else from the network (kept again), or refused. */
async function fromCacheChecked(request, place) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(place.key);
  let why = "notKept";
  if (kept) {
    const hashes = await hashesOf(place);
    const want = hashes && hashes[place.path];
    if (want && (await sha256Hex(kept.clone())) === want) return kept;
    if (want) {
      await cache.delete(place.key);  // changed since it was kept: never served, fetched again
      why = "changed";
    } else {
      why = "unchecked";
    }
  }
  let res;
  try {
    res = await fetch(request);
  } catch {
    return notServed(request, why);
  }
  if (res.ok && res.status === 200) await cache.put(place.key, res.clone());
  return res;
}

async function fromNetworkFirst(request, key, path) {
  const cache = await caches.open(CACHE);
  try {
    const res = await fetch(request);
    if (res.ok) await cache.put(key, res.clone());
    return res;
  } catch {
    const kept = await cache.match(key);
    if (kept && WRAPPER[path] && (await sha256Hex(kept.clone())) === WRAPPER[path]) return kept;
    if (kept && WRAPPER[path]) await cache.delete(key);  // changed since it was kept: never served
    return notServed(request, kept ? "playerChanged" : "playerNotKept");
  }
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/c/") && !event.request.headers.has("range")) {
    const place = placeOf(url);
    if (place) event.respondWith(fromCacheChecked(event.request, place));
  } else if (PAGES.includes(url.pathname)) {
    event.respondWith(fromNetworkFirst(event.request, `${self.location.origin}${url.pathname}`, url.pathname));
  }
});
