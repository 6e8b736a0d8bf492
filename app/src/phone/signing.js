// HTTP Message Signatures (RFC 9421) as provisioning/signatures.py verifies them, byte for byte:
// label sig1; covered components "@method" "@target-uri", and "content-digest" (RFC 9530, sha-256) when
// there is a body; parameters created, keyid, alg, nonce in that order; ECDSA P-256 with SHA-256, the
// signature the 64 bytes r||s (what WebCrypto gives). The URL is signed as new URL(...).href spells it,
// which is the hub's normal form (lower-case scheme and host, no default port, path at least "/").
import { b64, b64url, sha256 } from "./bytes.js";
import { ALG } from "./device.js";

export function normalUrl(url) {
  const parsed = new URL(url);
  parsed.hash = "";
  return parsed.href;
}

export async function contentDigest(body) {
  return `sha-256=:${b64(await sha256(body))}:`;
}

// The headers to add: {"Content-Digest"?, "Signature-Input", "Signature"}. `body` is a Uint8Array or null.
export async function sign(method, url, body, key, { now = Date.now(), nonce = null } = {}) {
  const headers = {};
  const components = ['"@method"', '"@target-uri"'];
  const lines = [`"@method": ${method.toUpperCase()}`, `"@target-uri": ${normalUrl(url)}`];
  if (body && body.length) {
    headers["Content-Digest"] = await contentDigest(body);
    components.push('"content-digest"');
    lines.push(`"content-digest": ${headers["Content-Digest"]}`);
  }
  const made = nonce || b64url(crypto.getRandomValues(new Uint8Array(16)));
  const params = `(${components.join(" ")});created=${Math.floor(now / 1000)};keyid="${key.keyId}";alg="${ALG}";nonce="${made}"`;
  lines.push(`"@signature-params": ${params}`);
  const base = new TextEncoder().encode(lines.join("\n"));
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key.privateKey, base);
  headers["Signature-Input"] = `sig1=${params}`;
  headers["Signature"] = `sig1=:${b64(signature)}:`;
  return headers;
}
