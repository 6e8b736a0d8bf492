// How the tablet side talks to its edge: the outbox's sender (records over POST /v1/tablets/records into the
// relay's commit, after any photo or voice note they name is uploaded), and the down messages (feedback, badges,
// the release plan): fetched, stored here, and only then acknowledged, so "delivered" at the edge means this
// tablet has them.
import { store } from "../shell/store.js";
import { call } from "./edge.js";
import { keepWhoAmI, toRecord } from "./records.js";
import { release, upload } from "./uploads.js";

export const INBOX = "tablet-inbox";  // down messages kept by id: {...message, received, seen}
const BATCH = 100;  // records in one POST (the edge takes at most 100)
const POLL_MS = 30_000;
const listeners = new Set();

/** fn() after new down messages were stored; returns a function that stops it. */
export function onInbox(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function attachmentsOf(item) {
  const payload = (item.body && item.body.payload) || {};
  const naming = item.kind === "assignment_submission" || item.kind === "form_submission";  // files go first
  return naming && Array.isArray(payload.attachments) ? payload.attachments : [];
}

/** The outbox's sender: {accepted, refused} for the items the edge answered; the rest stay waiting. */
export async function send(items) {
  const accepted = [];
  const refused = [];
  const ready = [];
  let away = null;
  for (const item of items) {
    try {
      for (const ref of attachmentsOf(item)) await upload(ref);
      ready.push(item);
    } catch (e) {
      if (e.final) refused.push({ id: item.id, error: e.code, reason: e.reason });
      else if (e.code === "unreachable") { away = e; break; }  // the network went: send what is ready, the rest later
      // else (the edge busy, a chunk still on its way): left waiting for the next drain
    }
  }
  if (away && !ready.length && !refused.length) throw away;  // nothing reached the edge: the outbox says so
  for (let i = 0; i < ready.length; i += BATCH) {
    const batch = ready.slice(i, i + BATCH);
    const answer = await call("POST", "/v1/tablets/records", { json: { records: batch.map(toRecord) } });
    accepted.push(...(answer.acked || []));
    for (const r of answer.refused || []) {
      if (r.retry_after != null || !r.id) continue;  // keep it and send again later (the edge's outbox is full)
      refused.push({ id: r.id, error: r.code, reason: r.reason });
    }
  }
  const done = new Set(accepted);
  for (const item of ready) if (done.has(item.id)) await release(attachmentsOf(item));
  pullSoon();
  return { accepted, refused };
}

/** Who this tablet is and its learner's plan, kept for offline use; undefined when the edge did not answer. */
export async function refreshMe() {
  try {
    const me = await call("GET", "/v1/tablets/me");
    await keepWhoAmI(me);
    return me;
  } catch {
    return undefined;
  }
}

/** Fetches the down messages, stores each (a repeat keeps its seen mark), then acknowledges them. */
export async function pull() {
  const answer = await call("GET", "/v1/tablets/down");
  const messages = (answer.messages || []).filter((m) => m && typeof m.id === "string");
  if (!messages.length) return 0;
  for (const message of messages) {
    const kept = await store.get(INBOX, message.id);
    if (!kept) await store.put(INBOX, { ...message, received: new Date().toISOString(), seen: false });
  }
  await call("POST", "/v1/tablets/down/ack", { json: { ids: messages.map((m) => m.id) } });
  for (const fn of listeners) {
    try { fn(); } catch (e) { console.error(e); }
  }
  return messages.length;
}

let pulling = null;
let pullAgain = false;
/** Pulls now; while a pull runs, one more runs after it (a message may have come since it asked), and the promise
 *  resolves after that one. Errors (offline) are left for the next poll. */
export function pullSoon() {
  if (pulling) {
    pullAgain = true;
    return pulling;
  }
  pulling = (async () => {
    do {
      pullAgain = false;
      try {
        for (let page = 0; page < 10 && (await pull()) > 0; page += 1) { /* more may wait beyond one page */ }
      } catch { /* offline or the edge away: the next poll tries again */ }
    } while (pullAgain);
  })().finally(() => { pulling = null; });
  return pulling;
}

/** Starts the polls: now, when the network comes back, and every 30 s while the app is open. */
export function startPulling() {
  refreshMe().then(pullSoon);
  addEventListener("online", () => refreshMe().then(pullSoon));
  setInterval(() => { if (navigator.onLine !== false) pullSoon(); }, POLL_MS);
}
