// Requests to the hub, each signed with the device key (signing.js), and the phone's activation.
import { utf8 } from "./bytes.js";
import * as db from "./db.js";
import { activation, deviceKey, forgetKey } from "./device.js";
import { OfferError, readOffer } from "./offer.js";
import { pinOf } from "./pin.js";
import { sign } from "./signing.js";
import { N_ } from "./words.js";

// A refusal or a failure the person must know of: `code` for the app, `msgid` the words for the person
// (the hub's own reason, in English, stays in `reason` for support).
export class HubError extends Error {
  constructor(code, msgid, reason = "", status = null) {
    super(`${code}: ${reason || msgid}`);
    Object.assign(this, { code, msgid, reason, status });
  }
}

// The hub's error codes in plain words, with what to do (docs/phone-sync.md).
export const WORDS = {
  offline: N_("No connection. Nothing is lost: it is sent when you are online again."),
  code_unknown: N_("That code did not work. Check each letter and number on your letter and try again. If your code was printed in prison today, try again in a few minutes."),
  code_used: N_("This code was used already. Ask your worker for a new code."),
  code_withdrawn: N_("A newer code replaced this one. Use the newest letter, or ask your worker for a new code."),
  code_expired: N_("This code is too old: it works for 7 days. Ask your worker for a new code."),
  code_guessed: N_("Too many wrong codes were tried for this one, so it was stopped to keep your account safe. Ask your worker for a new code."),
  bad_code: N_("A code is 12 letters and numbers, like ABCD-EFGH-JKMN. Check your letter and type it again."),
  not_released: N_("This code works after your release. Try again on the day you leave."),
  too_many_tries: N_("Too many wrong codes from this phone. Wait 15 minutes, then try again, or ask your worker."),
  wrong_hub: N_("This is not the service your letter names. Do not go on, and tell your worker."),
  other_hub: N_("Your letter is for another address. Open the address on your letter on this phone."),
  phone_revoked: N_("Your worker switched this phone off. Ask them for a new code and set the phone up again."),
  unknown_key: N_("This phone is not set up any more. Ask your worker for a new code and set it up again."),
  stale: N_("Your phone's clock is wrong. Set the date and time, then try again."),
  not_activated: N_("This phone is not set up yet."),
  unknown_worker: N_("Not sent: this person is not one of your workers now."),
  unknown_team: N_("Not sent: this team is not one of your contacts now."),
  unknown_appointment: N_("Not sent: this appointment is not in your list."),
  appointment_cancelled: N_("Not sent: this appointment was cancelled."),
  bad_change: N_("Not sent: something in it was not right."),
  conflict: N_("Not sent: something different was sent with the same number."),
  refused: N_("The service said no. Try again later, or ask your worker."),
};

export const wordsFor = (code) => WORDS[code] || WORDS.refused;

// Refusals that mean this key no longer works: the screens say so, and offer to set the phone up again.
const SWITCHED_OFF = new Set(["phone_revoked", "unknown_key"]);

// Forget this phone's setup and key (not the outbox: what waits is sent once the phone is set up again).
export async function startAgain() {
  await db.write(["device", "feed", "health"], ({ device, feed, health }) => {
    device.clear();
    feed.clear();
    health.clear();
  });
}

export const TIMEOUT_MS = 60_000;

// fetch that gives up after TIMEOUT_MS (a request the network left hanging would hold the outbox's one drain);
// a network failure or a timeout is HubError "offline": nothing is lost, it is tried again.
export async function fetchWithin(url, options) {
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), TIMEOUT_MS);
  try {
    return await fetch(url, { ...options, signal: stop.signal, cache: "no-store", credentials: "omit" });
  } catch (error) {
    throw new HubError("offline", WORDS.offline, String(error));
  } finally {
    clearTimeout(timer);
  }
}

async function request(hub, method, path, body, key, extra = {}) {
  const url = `${hub}${path}`;
  const bytes = body === null || body === undefined ? null : utf8(JSON.stringify(body));
  const headers = { ...extra, ...(bytes ? { "Content-Type": "application/json" } : {}) };
  if (key) Object.assign(headers, await sign(method, url, bytes, key));
  const response = await fetchWithin(url, { method, headers, body: bytes });
  const text = await response.text().catch(() => {
    throw new HubError("offline", WORDS.offline, "the answer was cut");
  });
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  return { status: response.status, data, text, headers: response.headers };
}

function refusal({ status, data }) {
  const code = (data && data.error) || "refused";
  return new HubError(code, wordsFor(code), (data && data.reason) || `the hub answered ${status}`, status);
}

// A signed request with this phone's key: {status, data}; refusals (4xx, 5xx) throw HubError.
export async function signed(method, path, body = null, ok = [200, 201, 204]) {
  const done = await activation();
  if (!done) throw new HubError("not_activated", WORDS.not_activated);
  const answer = await request(done.hub, method, path, body, await deviceKey());
  if (!ok.includes(answer.status)) {
    const error = refusal(answer);
    if (SWITCHED_OFF.has(error.code)) await db.put("device", error.code, "switched_off");
    throw error;
  }
  return answer;
}

// Set the phone up from the letter's code or square: {person, key_id}. Throws OfferError or HubError.
export async function activate(text, label = "phone") {
  const offer = readOffer(text, location.origin);
  if (offer.hub !== location.origin) throw new HubError("other_hub", WORDS.other_hub, offer.hub);
  if (offer.ca) {
    const root = await request(offer.hub, "GET", "/v1/enrol/ca", null, null);
    let pin = "";
    try {
      pin = root.status === 200 ? await pinOf(root.text) : "";
    } catch {
      pin = "";
    }
    if (pin !== offer.ca) throw new HubError("wrong_hub", WORDS.wrong_hub);
  }
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const key = await deviceKey();
    const answer = await request(offer.hub, "POST", "/v1/phone/activate", { code: offer.code, key: key.jwk, label }, key);
    if (answer.status === 200 || answer.status === 201) {
      const done = { hub: offer.hub, person: answer.data.person, keyId: answer.data.key_id, ca: offer.ca,
                     pushKey: answer.data.application_server_key || null, at: new Date().toISOString() };
      await db.write(["device"], ({ device }) => {
        device.put(done, "activation");
        device.put(0, "cursor");
        device.delete("switched_off");
      });
      return done;
    }
    if (answer.data && answer.data.error === "phone_revoked" && attempt === 0) {
      await forgetKey(); // this key was switched off: a new key, the same code
      continue;
    }
    throw refusal(answer);
  }
  throw new HubError("refused", WORDS.refused);
}

export { OfferError };
