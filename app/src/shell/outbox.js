// The outbox: whatever the person records is written here (IndexedDB, store "outbox") before anything else
// happens, and leaves only when the side's sender says the far side accepted it. It survives a reload, closing
// the app and a restart of the browser. Each item carries a UUID made here, so sending it twice is harmless:
// the far side keeps it once.
//
//   setSender(async (items) => ({ accepted: [ids], refused: [{ id, error, reason }] }))  // the side's code
//   const id = await add({ kind: "message", body: {...} })   // stored before it resolves
//   await pending()    // every item still here: state "waiting" or "refused" (with error and reason)
//   onChange(fn)       // fn() after any change; returns a function that stops it
//
// The drain runs on start, on the browser's `online` event, after each add, and every minute while items wait.
// An item neither accepted nor refused (the sender threw, or left it out) stays waiting for the next drain.
// A refused item stays, with its reason, until the person asks to try it again (retry).
import * as store from "./store.js";

const STORE = "outbox";
const BATCH = 50;
const RETRY_MS = 60_000;
let sender = null;
let draining = null;
let again = false;
let lastError = "";
const listeners = new Set();
const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("throughgate-outbox") : null;
if (channel) channel.onmessage = () => notify(false);

function notify(broadcast = true) {
  if (broadcast && channel) channel.postMessage("changed");
  for (const fn of listeners) {
    try { fn(); } catch (e) { console.error(e); }
  }
}

export function uuid() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));  // RFC 4122 version 4 where randomUUID is missing
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Registers how items leave this device (one sender per side), and drains at once. */
export function setSender(fn) {
  sender = fn;
  drain();
}

/** Stores the item and resolves to its id once it is on disk; then tries to send it. `id`, when given, is a UUID
 *  the caller made already (an xAPI statement's own id, which the edge requires as its record's id): an item
 *  with that id already here is left as it is, so adding it again records nothing twice. */
export async function add({ kind, body, id }) {
  if (!kind || typeof kind !== "string") throw new Error("outbox.add: an item needs a kind");
  if (id !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
    throw new Error("outbox.add: an id is a UUID in lower case");
  }
  if (id !== undefined && (await store.get(STORE, id))) return id;
  const item = { id: id ?? uuid(), kind, body: body ?? null, created: new Date().toISOString(), state: "waiting",
                 tries: 0, error: "", reason: "" };
  await store.put(STORE, item);
  notify();
  setTimeout(drain, 0);
  return item.id;
}

/** Every item not yet accepted, oldest first. */
export async function pending() {
  const items = await store.all(STORE);
  return items.sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0));
}

/** Calls fn after any change to the outbox (in this tab or another); returns a function that stops it. */
export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The last reason a drain could not send (empty after a drain that reached the far side). */
export function lastSendError() {
  return lastError;
}

/** Puts a refused item back in the queue and tries again. */
export async function retry(id) {
  const item = await store.get(STORE, id);
  if (!item) return;
  await store.put(STORE, { ...item, state: "waiting", error: "", reason: "" });
  notify();
  drain();
}

async function drainOnce() {
  if (!sender) return;
  const waiting = (await pending()).filter((i) => i.state === "waiting");
  for (let i = 0; i < waiting.length; i += BATCH) {
    const batch = waiting.slice(i, i + BATCH);
    let answer;
    try {
      answer = (await sender(batch.map((it) => ({ id: it.id, kind: it.kind, body: it.body, created: it.created })))) || {};
      lastError = "";
    } catch (e) {
      lastError = String((e && e.message) || e);
      for (const it of batch) await store.put(STORE, { ...it, tries: it.tries + 1 });
      notify();
      return;
    }
    const ours = new Map(batch.map((it) => [it.id, it]));
    for (const id of answer.accepted || []) {
      if (ours.has(id)) { await store.del(STORE, id); ours.delete(id); }
    }
    for (const r of answer.refused || []) {
      const it = ours.get(r.id);
      if (!it) continue;
      await store.put(STORE, { ...it, state: "refused", tries: it.tries + 1, error: String(r.error || "refused"),
                               reason: String(r.reason || "") });
      ours.delete(r.id);
    }
    notify();
  }
}

/** Sends what waits, one drain at a time (across tabs too, where the browser has Web Locks); a drain asked
 *  for while one runs runs again after it, so an item added meanwhile is not left for the next minute. */
export function drain() {
  if (draining) { again = true; return draining; }
  const run = async () => {
    do {
      again = false;
      await drainOnce().catch((e) => { lastError = String((e && e.message) || e); });
    } while (again);
  };
  draining = (navigator.locks ? navigator.locks.request("throughgate-outbox", run) : run())
    .finally(() => { draining = null; });
  return draining;
}

/** Starts the drains: now, on `online`, and every minute (the shell calls this once). */
export function startDraining() {
  addEventListener("online", () => drain());
  setInterval(() => { if (navigator.onLine !== false) drain(); }, RETRY_MS);
  drain();
}

export const outbox = Object.freeze({ add, pending, onChange });

const labels = new Map();
/** The words shown for items of this kind in the outbox list (a msgid, e.g. label("message", "A message")). */
export function label(kind, msgid) {
  labels.set(kind, msgid);
}
/** The msgid for a kind (the kind itself where no side named one). */
export function labelOf(kind) {
  return labels.get(kind) || kind;
}
