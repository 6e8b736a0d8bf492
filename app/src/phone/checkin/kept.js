// What the hub last said about check-ins (GET /v1/phone/checkins, signed): a fresh nonce, the next window (or
// the one open now) and its expected place, whether this phone has a WebAuthn credential, and what became of its
// latest check-ins. Kept in IndexedDB ("device", "checkins"), so a check-in made offline carries the last nonce
// the phone got, and the screen shows the window with no network.
import * as db from "../db.js";
import { signed } from "../hub.js";

const KEPT = "checkins";

/** Ask the hub (throws HubError offline); the answer, kept. */
export async function refresh() {
  const { data } = await signed("GET", "/v1/phone/checkins");
  await db.put("device", { ...data, fetched_at: new Date().toISOString() }, KEPT);
  return data;
}

/** The last answer kept, or {} before the first. */
export async function known() {
  return (await db.get("device", KEPT)) || {};
}
