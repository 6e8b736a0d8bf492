// The owner, not just the phone (docs/checkins.md "WebAuthn"): where the browser has a platform authenticator with
// user verification (a fingerprint, face or PIN on the phone), the person registers a credential for this phone
// once (POST /v1/phone/checkins/credential, its challenge a fresh nonce from GET /v1/phone/checkins) and confirms
// each check-in with an assertion whose challenge is the SHA-256 of the canonical document. The fingerprint or face
// is matched by the phone; the hub gets the authenticator's signature and flags, nothing else. A credential the
// authenticator says can be synced to other devices (a passkey, backup eligible) is refused by the hub (422
// synced_passkey). The credential id is kept in IndexedDB ("device", "checkin_credential").
import { b64url, utf8 } from "../bytes.js";
import * as db from "../db.js";
import { signed } from "../hub.js";
import { refresh } from "./kept.js";

const KEPT = "checkin_credential";
const WAIT_MS = 120_000;

const unb64url = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

// WebAuthn's relying party is a domain name: an app opened at an IP address cannot make a credential.
const onDomain = () => !/^[\d.]+$|:|^\[/.test(location.hostname);

/** Whether this browser can confirm with a platform authenticator that verifies the user. */
export async function supported() {
  try {
    return onDomain() && typeof PublicKeyCredential === "function" && typeof navigator.credentials === "object"
      && Boolean(await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable());
  } catch {
    return false;
  }
}

/** The credential this phone registered ({id, registered_at}), or null. */
export const credential = () => db.get("device", KEPT);

function common(made) {
  return { id: made.id, rawId: b64url(made.rawId), type: made.type, clientExtensionResults: {},
           ...(made.authenticatorAttachment ? { authenticatorAttachment: made.authenticatorAttachment } : {}) };
}

/** Make a credential on this phone and give it to the hub. Throws HubError (the hub's refusal, synced_passkey
 *  among them) or a DOMException (the person stopped, or the phone could not). */
export async function register(person) {
  const { nonce } = await refresh();
  const made = await navigator.credentials.create({ publicKey: {
    challenge: utf8(nonce),
    rp: { id: location.hostname, name: "Throughgate" },
    user: { id: utf8(person), name: person, displayName: person },
    pubKeyCredParams: [{ type: "public-key", alg: -7 }, { type: "public-key", alg: -257 }],
    authenticatorSelection: { authenticatorAttachment: "platform", userVerification: "required", residentKey: "discouraged" },
    attestation: "none",
    timeout: WAIT_MS,
  } });
  const response = { clientDataJSON: b64url(made.response.clientDataJSON),
                     attestationObject: b64url(made.response.attestationObject) };
  if (typeof made.response.getTransports === "function") response.transports = made.response.getTransports();
  const { data } = await signed("POST", "/v1/phone/checkins/credential", { nonce, credential: { ...common(made), response } });
  const kept = { id: data.credential_id, registered_at: data.registered_at };
  await db.put("device", kept, KEPT);
  return kept;
}

/** The person confirms a check-in: an assertion over `challenge` (bytes) with the kept credential, as the hub
 *  reads it. Throws a DOMException when they stop or the phone cannot. */
export async function confirm(challenge) {
  const kept = await credential();
  const made = await navigator.credentials.get({ publicKey: {
    challenge,
    rpId: location.hostname,
    allowCredentials: kept ? [{ type: "public-key", id: unb64url(kept.id) }] : [],
    userVerification: "required",
    timeout: WAIT_MS,
  } });
  const response = { clientDataJSON: b64url(made.response.clientDataJSON),
                     authenticatorData: b64url(made.response.authenticatorData),
                     signature: b64url(made.response.signature) };
  if (made.response.userHandle && made.response.userHandle.byteLength) response.userHandle = b64url(made.response.userHandle);
  return { ...common(made), response };
}
