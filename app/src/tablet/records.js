// Records as the edge takes them (docs/protocol.md): {v, id, kind, learner, created, seq, payload}. The id is the
// outbox item's UUID, made on this device, so a resend is acknowledged again and stored once. learner, created and
// seq are fixed when the person records something (recordBody), so every resend is the same record.
import { store } from "../shell/store.js";

const STATE = "tablet";  // this side's own small values: {id: "me" | "seq" | "library-seen" | ...}

/** The next sequence number of this device's records (1, 2, 3, ... kept in IndexedDB). */
export async function nextSeq() {
  const kept = await store.get(STATE, "seq");
  const seq = (kept ? kept.value : 0) + 1;
  await store.put(STATE, { id: "seq", value: seq });
  return seq;
}

/** What the tablet knows of itself: {device, edge, learner, plan} from the edge, or undefined before it asked. */
export async function whoAmI() {
  return store.get(STATE, "me");
}

export async function keepWhoAmI(me) {
  await store.put(STATE, { ...me, id: "me" });
}

/** The outbox item's body for a record of this kind: everything but the id, fixed now. */
export async function recordBody(learner, payload) {
  return { learner, created: new Date().toISOString(), seq: await nextSeq(), payload };
}

/** The record the edge takes for an outbox item ({id, kind, body}). */
export function toRecord(item) {
  const b = item.body || {};
  return { v: 1, id: item.id, kind: item.kind, learner: b.learner, created: b.created, seq: b.seq, payload: b.payload };
}

export { STATE };
