// The phone sync (docs/phone-sync.md) as the outbox's sender: one signed POST /v1/phone/sync a round with
// the outbox's items as changes and the kept cursor; each answer's changes and its new cursor are kept in one
// IndexedDB transaction before the outbox hears which items were accepted, so a crash in between only sends
// them again (the hub acknowledges a change id it holds without storing it twice). `more` asks again at once;
// 204 means nothing changed. A feed change of kind `health` marks the summary due, in that same transaction;
// it is fetched after the sync, and again at the next sync if that fetch was cut short.
import * as db from "./db.js";
import { HubError, signed } from "./hub.js";
import { uploadPending } from "./uploads.js";

export const BATCH = 100;
export const MAX_BYTES = 60 * 1024; // the hub takes at most 64 KiB of JSON a request (hub/limits.py)
const encoder = new TextEncoder();

// The next changes that fit in one request: at most BATCH, and at most MAX_BYTES of JSON (one change always goes).
export function nextBatch(queue) {
  let size = 40;
  let count = 0;
  while (count < queue.length && count < BATCH) {
    size += encoder.encode(JSON.stringify(queue[count])).length + 1;
    if (count && size > MAX_BYTES) break;
    count += 1;
  }
  return queue.slice(0, count);
}
const MAX_ROUNDS = 100;
const KEEP = "attachment_incomplete"; // refused but kept in the outbox: sent again after its upload

let running = Promise.resolve();
const listeners = new Set();

// fn({received, kinds}) after each sync that changed what the phone holds (how many feed changes came, the kinds
// of the outbox's items it settled); returns a function that stops it.
export function onSynced(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function serial(fn) {
  const next = running.then(fn, fn);
  running = next.catch(() => {});
  return next;
}

async function keep(answer) {
  const health = (answer.changes || []).some((c) => c.kind === "health");
  await db.write(["device", "feed"], ({ device, feed }) => {
    for (const change of answer.changes || []) feed.put(change);
    device.put(answer.cursor, "cursor");
    if (health) device.put(true, "health_due");
  });
}

async function round(changes) {
  const cursor = (await db.get("device", "cursor")) || 0;
  const { status, data } = await signed("POST", "/v1/phone/sync", { cursor, ...(changes.length ? { changes } : {}) });
  if (status === 204) return null;
  await keep(data);
  return data;
}

async function run(items) {
  const accepted = [];
  const refused = await uploadPending(items);
  const cannot = new Set(refused.map((r) => r.id));
  let queue = items.filter((item) => !cannot.has(item.id)).map(({ id, kind, body }) => ({ id, kind, body }));
  let received = 0;
  for (let rounds = 0; rounds < MAX_ROUNDS; rounds += 1) {
    const batch = nextBatch(queue);
    const answer = await round(batch);
    queue = queue.slice(batch.length);
    if (!answer) {
      if (!queue.length) break;
      continue;
    }
    received += (answer.changes || []).length;
    accepted.push(...(answer.accepted || []));
    refused.push(...(answer.refused || []).filter((r) => r.error !== KEEP));
    if (!answer.more && !queue.length) break;
  }
  if (await db.get("device", "health_due")) await refreshHealth().catch((e) => console.warn(e));
  const settled = new Set([...accepted, ...refused.map((r) => r.id)]);
  const kinds = new Set(items.filter((item) => settled.has(item.id)).map((item) => item.kind));
  if (received || kinds.size) for (const fn of listeners) fn({ received, kinds });
  return { accepted, refused };
}

// The outbox's sender (outbox.setSender): what leaves, and what the hub said of each.
export function send(items) {
  return serial(() => run(items));
}

// A sync with nothing to send: what the hub has for this phone (on opening a screen, on coming online).
// Quiet when offline or not set up: the screens show what was kept.
export function pull() {
  return serial(() => run([])).catch((error) => {
    if (!(error instanceof HubError)) throw error;
    return { accepted: [], refused: [], error };
  });
}

// GET /v1/phone/health?record=<what the phone holds>: 204 when it holds the newest; the answer kept whole
// (the summary in plain words is in it) or deleted when the person no longer carries one.
export async function refreshHealth() {
  const held = await db.get("health", "answer");
  const record = held ? held.record || "" : null;
  const path = "/v1/phone/health" + (record !== null ? `?record=${encodeURIComponent(record)}` : "");
  const { status, data } = await signed("GET", path);
  await db.write(["device", "health"], ({ device, health }) => {
    if (status === 200) {
      if (data.carried && data.summary) health.put({ ...data, fetched_at: new Date().toISOString() }, "answer");
      else health.put({ carried: data.carried, record: data.record || "", summary: null, plain: null }, "answer");
    }
    device.put(false, "health_due");
  });
  if (status === 200) for (const fn of listeners) fn({ received: 1, kinds: new Set(["health"]) });
  return status === 200;
}
