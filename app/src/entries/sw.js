// The app's service worker (scope /app/). It precaches every file the build listed in asset-manifest.json,
// under a cache named from that list's SHA-256, so a new build gets a new cache and the old one is removed.
// The app shell is served from the cache first, so the app opens with no connection. Data requests (/v1/...)
// and anything outside /app/ are never cached: they go to the network untouched (data lives in IndexedDB).
//
// The browser only reinstalls a service worker whose own bytes changed, and this file does not change when
// only the app's other files do; so on each page load the worker also fetches the manifest again, and when its
// hash differs it precaches the new list into a new cache, switches to it, and deletes the old one.
import { onNotificationClick, onPush } from "../phone/push_sw.js";

const PREFIX = "throughgate-app-";
const META = `${PREFIX}meta`;
const SCOPE = new URL(self.registration.scope);
const SHELL = new URL("./", SCOPE).href;
const MANIFEST = new URL("asset-manifest.json", SCOPE).href;
const UPDATE_EVERY_MS = 5 * 60_000;
let lastCheck = 0;

async function sha256hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function integrity(hex) {
  const bytes = hex.match(/../g).map((h) => parseInt(h, 16));
  return `sha256-${btoa(String.fromCharCode(...bytes))}`;
}

async function currentName() {
  const meta = await caches.open(META);
  const res = await meta.match("current");
  return res ? res.text() : null;
}

/** Fetches the manifest and, unless its cache is there already, fills a new cache with every file in it
 *  (each checked against its SHA-256), then makes it the current one. */
async function precache() {
  const res = await fetch(MANIFEST, { cache: "no-store" });
  if (!res.ok) throw new Error(`asset-manifest.json: HTTP ${res.status}`);
  const text = await res.text();
  const name = PREFIX + (await sha256hex(text)).slice(0, 16);
  if (name === (await currentName())) return name;
  const { assets } = JSON.parse(text);
  const cache = await caches.open(name);
  await Promise.all(assets.filter((a) => a.path !== "index.html").map(async (a) => {
    const url = new URL(a.path, SCOPE).href;
    const got = await fetch(new Request(url, { cache: "no-store", integrity: integrity(a.sha256) }));
    if (!got.ok) throw new Error(`${a.path}: HTTP ${got.status}`);
    await cache.put(url, got);
  }));
  const shell = await fetch(SHELL, { cache: "no-store" });  // index.html as this server serves it (its side)
  if (!shell.ok) throw new Error(`${SHELL}: HTTP ${shell.status}`);
  await cache.put(SHELL, shell);
  await (await caches.open(META)).put("current", new Response(name));
  return name;
}

async function cleanUp() {
  const keep = new Set([META, await currentName()]);
  const names = await caches.keys();
  await Promise.all(names.filter((n) => n.startsWith(PREFIX) && !keep.has(n)).map((n) => caches.delete(n)));
}

async function checkForUpdate() {
  if (Date.now() - lastCheck < UPDATE_EVERY_MS) return;
  lastCheck = Date.now();
  try {
    await precache();
    await cleanUp();
  } catch {
    /* offline or mid-deploy: keep serving what is cached */
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  lastCheck = Date.now();
  event.waitUntil(cleanUp().then(() => self.clients.claim()));
});

function isData(url) {
  return url.origin !== SCOPE.origin || !url.pathname.startsWith(SCOPE.pathname) || url.pathname.startsWith("/v1/");
}

async function fromCache(request, url) {
  const name = await currentName();
  const cache = name && (await caches.open(name));
  const isShell = url.href === SHELL || url.pathname === `${SCOPE.pathname}index.html`;
  const hit = cache && !isShell && (await cache.match(url.href, { ignoreSearch: true }));  // a file, a page (player.html)
  if (hit) return hit;
  if (cache && (isShell || request.mode === "navigate")) {  // the app's page for /app/ and any other page address
    const shell = await cache.match(SHELL);
    if (shell) return shell;
  }
  return fetch(request);
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (isData(url) || url.href === MANIFEST) return;  // the network's, untouched and never cached
  if (request.mode === "navigate") event.waitUntil(checkForUpdate());
  event.respondWith(fromCache(request, url));
});

// Web Push on the phone (app/src/phone/push_sw.js): a wake to sync, or an appointment reminder, carrying no
// personal data. On a tablet no push arrives.
self.addEventListener("push", onPush);
self.addEventListener("notificationclick", onNotificationClick);
