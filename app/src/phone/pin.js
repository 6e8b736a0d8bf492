// The hub's root certificate pin: the SHA-256 (hex) of its SubjectPublicKeyInfo, as provisioning/pki.py
// spki_sha256 makes it. The app fetches GET /v1/enrol/ca and goes on only if the pin matches the one in the
// letter's square code: a look-alike site is refused before the code is sent.
import { hex, sha256 } from "./bytes.js";

function tlv(bytes, at) {
  const tag = bytes[at];
  let length = bytes[at + 1];
  let start = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count; i += 1) length = length * 256 + bytes[start + i];
    start += count;
  }
  if (start + length > bytes.length) throw new Error("not DER");
  return { tag, start, end: start + length };
}

function children(bytes, node) {
  const found = [];
  for (let at = node.start; at < node.end;) {
    const child = tlv(bytes, at);
    found.push({ ...child, from: at });
    at = child.end;
  }
  return found;
}

// The DER of a certificate's SubjectPublicKeyInfo (tbsCertificate's 7th element, the 6th without version).
export function spki(der) {
  const certificate = tlv(der, 0);
  const [tbs] = children(der, certificate);
  const fields = children(der, tbs);
  const offset = fields[0].tag === 0xa0 ? 1 : 0;
  const key = fields[offset + 5];
  return der.slice(key.from, key.end);
}

export function pemToDer(pem) {
  const body = String(pem).replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  return Uint8Array.from(atob(body), (ch) => ch.charCodeAt(0));
}

export async function pinOf(pem) {
  return hex(await sha256(spki(pemToDer(pem))));
}
