// What the hub last said about check-ins (GET /v1/phone/checkins, signed): a fresh nonce, the next window (or
// the one open now) and its expected place, whether this phone has a WebAuthn credential, and what became of its
// latest check-ins. Kept in IndexedDB ("device", "checkins"), so a check-in made offline carries the last nonce
// the phone got, and the screen shows the window with no network. Asked when the screen opens and after the
// syncs the app starts (on opening, on coming online, on a push).
import * as db from "../db.js";
import { signed } from "../hub.js";

const KEPT = "checkins";

/** Ask the hub (throws HubError offline); the answer, kept unless a newer one (a later nonce) is kept already. */
export async function refresh() {
  const { data } = await signed("GET", "/v1/phone/checkins");
  const before = await known();
  if (!(before.issued_at && before.issued_at > data.issued_at)) {
    await db.put("device", { ...data, fetched_at: new Date().toISOString() }, KEPT);
  }
  return data;
}

/** After a sync: where the person has check-ins, a fresh nonce and window, as the reference phone asks at each
 *  sync (a phone woken by the window's push then holds a nonce from inside the window). Quiet when it cannot. */
export async function afterSync() {
  try {
    const before = await known();
    const scheduled = before.schedule || (await db.all("feed")).some((change) => change.kind === "checkin_schedule");
    if (scheduled) await refresh();
  } catch (error) {
    console.warn(error);
  }
}

/** The last answer kept, or {} before the first. */
export async function known() {
  return (await db.get("device", KEPT)) || {};
}
