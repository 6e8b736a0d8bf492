// The phone's device key: ECDSA P-256 made by WebCrypto with extractable=false, so the private key can sign
// but its bytes can never be read, not even by this app; kept in IndexedDB as a CryptoKey (structured clone),
// never exported. The hub knows it by its RFC 7638 thumbprint (provisioning/signatures.py key_id).
import { b64url, sha256, utf8 } from "./bytes.js";
import * as db from "./db.js";

export const ALG = "ecdsa-p256-sha256";

// The public JWK with only its required members, as the hub's public_jwk() writes it.
export async function publicJwk(publicKey) {
  const jwk = await crypto.subtle.exportKey("jwk", publicKey);
  return { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
}

export async function thumbprint(jwk) {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return b64url(await sha256(utf8(canonical)));
}

// The device key, made once: {privateKey, publicKey, jwk, keyId}.
export async function deviceKey() {
  const kept = await db.get("device", "key");
  if (kept) return kept;
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
  const jwk = await publicJwk(pair.publicKey);
  const key = { privateKey: pair.privateKey, publicKey: pair.publicKey, jwk, keyId: await thumbprint(jwk) };
  await db.put("device", key, "key");
  return key;
}

// A new key, after the worker switched this phone off: the old one is forgotten.
export async function forgetKey() {
  await db.del("device", "key");
}

export const activation = () => db.get("device", "activation");
