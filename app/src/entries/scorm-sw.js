// The content origin's service worker (served by the edge as /sw.js): keeps a course version's files so a unit
// goes on offline and opens again after the browser is closed. Files are kept by course, version and path, not
// by URL: each launch's URL carries a new token, and a token that has expired still opens what is kept here.
// Only the content origin's own files are here: the app's data is in the app origin's IndexedDB.
const CACHE = "throughgate-course-files-v1";
const PAGES = ["/frame.html", "/frame.js"];

function grantOf(token) {
  try {
    const b64 = token.split(".")[0].replace(/-/g, "+").replace(/_/g, "/");
    const fields = JSON.parse(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)));
    return { course: String(fields.c), version: Number(fields.v) };
  } catch {
    return null;
  }
}

function keyOf(url) {
  const parts = url.pathname.split("/");  // "", "c", token, ...path
  const grant = grantOf(parts[2] || "");
  if (!grant) return null;
  let path;
  try { path = decodeURIComponent(parts.slice(3).join("/")); } catch { return null; }
  return `${self.location.origin}/kept/${encodeURIComponent(grant.course)}/${grant.version}/${encodeURIComponent(path)}`;
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
  const want = event.data && event.data.precache;
  if (want && typeof want.token === "string" && Array.isArray(want.paths)) event.waitUntil(keep(want.token, want.paths));
});

async function fromCacheFirst(request, key) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(key);
  if (kept) return kept;
  const res = await fetch(request);
  if (res.ok && res.status === 200) await cache.put(key, res.clone());
  return res;
}

async function fromNetworkFirst(request, key) {
  const cache = await caches.open(CACHE);
  try {
    const res = await fetch(request);
    if (res.ok) await cache.put(key, res.clone());
    return res;
  } catch (e) {
    const kept = await cache.match(key);
    if (kept) return kept;
    throw e;
  }
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/c/") && !event.request.headers.has("range")) {
    const key = keyOf(url);
    if (key) event.respondWith(fromCacheFirst(event.request, key));
  } else if (PAGES.includes(url.pathname)) {
    event.respondWith(fromNetworkFirst(event.request, `${self.location.origin}${url.pathname}`));
  }
});
