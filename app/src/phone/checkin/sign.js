// A check-in made and signed on the phone, at once and offline (docs/checkins.md, wire/checkin.py): the document,
// its RFC 8785 canonical bytes, and a JWS (RFC 7515, compact) over them made with the device key (ES256: the
// app's key is P-256, WebCrypto's ECDSA signature is the 64 bytes r||s JWS wants). The counter is the phone's
// own, kept in IndexedDB and raised in the same transaction that reads it, so two check-ins never share one.
import { b64url, sha256, utf8 } from "../bytes.js";
import * as db from "../db.js";
import { canonical } from "./canonical.js";

export const KIND = "checkin";
export const TYP = "checkin+jws";
export const NO_NONCE = "none"; // a phone never given a nonce (phone/checkin.py says the same; the hub flags it)
const COUNTER = "checkin_counter";

/** The next value of the phone's monotonic check-in counter (1 the first time), kept before it is returned. */
export async function nextCounter() {
  const opened = await db.open();
  return new Promise((resolve, reject) => {
    const tx = opened.transaction("device", "readwrite");
    const store = tx.objectStore("device");
    let next = 1;
    const read = store.get(COUNTER);
    read.onsuccess = () => {
      next = (Number(read.result) || 0) + 1;
      store.put(next, COUNTER);
    };
    tx.oncomplete = () => resolve(next);
    tx.onerror = tx.onabort = () => reject(tx.error || new Error("the counter could not be kept"));
  });
}

/** The check-in document, every member as wire/checkin.py check_document wants it. */
export function documentOf({ checkinId, person, keyId, slot, photo, fix, deviceTime, counter, nonce }) {
  return {
    v: 1, checkin_id: checkinId, person, key_id: keyId, slot: slot || null,
    photo: { sha256: photo.sha256, type: photo.type, bytes: photo.bytes },
    gps: { lat: fix.lat, lon: fix.lon, accuracy: fix.accuracy, mock: Boolean(fix.mock) },
    device_time: deviceTime, counter, nonce: nonce || NO_NONCE,
  };
}

/** The compact JWS of the canonical document, signed with `key` ({privateKey, keyId}, device.js). */
export async function signDocument(document, key) {
  const header = b64url(utf8(JSON.stringify({ alg: "ES256", kid: key.keyId, typ: TYP })));
  const payload = b64url(canonical(document));
  const input = utf8(`${header}.${payload}`);
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key.privateKey, input);
  return `${header}.${payload}.${b64url(signature)}`;
}

/** What a WebAuthn assertion confirming this check-in is over: SHA-256 of the canonical document. */
export const challengeOf = (document) => sha256(canonical(document));
