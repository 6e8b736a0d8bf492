// Sending a photo with a message (docs/phone-sync.md, "Photos and voice notes"). The photo is kept in IndexedDB
// ("files", by its SHA-256) before its message goes into the outbox; before each sync the sender uploads what
// the waiting messages carry, a chunk a signed PUT /v1/phone/uploads/<sha256> from the byte the hub says it holds
// (GET first), so a cut costs at most one chunk. A message whose photo the hub will never take is refused with
// the reason; one whose upload was cut stays waiting.
import { hex, sha256 } from "./bytes.js";
import * as db from "./db.js";
import { activation, deviceKey } from "./device.js";
import { HubError, WORDS, fetchWithin, signed } from "./hub.js";
import { sign } from "./signing.js";
import { N_ } from "./words.js";

export const MAX_PHOTO_BYTES = 10 * 1024 * 1024; // PHONE_PHOTO_MAX_BYTES
export const MAX_VOICE_BYTES = 5 * 1024 * 1024; // PHONE_VOICE_MAX_BYTES
const MP4_AUDIO = ["M4A ", "M4B ", "mp42", "mp41", "isom", "iso2", "dash", "3gp4", "3gp5", "3gp6"];

// A voice note's media type from its first 64 bytes (as wire/media.py sniff reads them), or null.
export function voiceType(bytes) {
  const head = String.fromCharCode(...bytes.slice(0, 64));
  if (head.startsWith("OggS") && head.includes("OpusHead")) return "audio/ogg";
  if (head.startsWith("\x1a\x45\xdf\xa3") && head.includes("webm")) return "audio/webm";
  if (head.slice(4, 8) === "ftyp" && MP4_AUDIO.includes(head.slice(8, 12))) return "audio/mp4";
  if (head.startsWith("#!AMR\n")) return "audio/amr";
  return null;
}

// The photo's media type from its first bytes (as wire/media.py sniff reads them), or null.
export function photoType(bytes) {
  const at = (i, list) => list.every((b, n) => bytes[i + n] === b);
  if (at(0, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (at(0, [0x52, 0x49, 0x46, 0x46]) && at(8, [0x57, 0x45, 0x42, 0x50])) return "image/webp";
  return null;
}

// Keep a chosen photo (or, with voice, a recorded voice note) on the phone: its reference for the message,
// {sha256, type, bytes}; or a msgid saying why not.
export async function keepPhoto(file, voice = false) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const type = voice ? voiceType(bytes) : photoType(bytes);
  if (!type) {
    return { problem: voice ? N_("The voice note could not be kept. Record it again.")
      : N_("This is not a photo (JPEG, PNG or WebP). Choose a photo.") };
  }
  if (voice && bytes.length > MAX_VOICE_BYTES) return { problem: N_("This voice note is too long: the most is 5 MB. Record a shorter one.") };
  if (!voice && bytes.length > MAX_PHOTO_BYTES) return { problem: N_("This photo is too large: the most is 10 MB. Choose a smaller one.") };
  const ref = { sha256: hex(await sha256(bytes)), type, bytes: bytes.length };
  await db.put("files", new Blob([bytes], { type }), ref.sha256);
  return { ref };
}

async function putChunk(ref, first, chunk) {
  const done = await activation();
  const url = `${done.hub}/v1/phone/uploads/${ref.sha256}`;
  const headers = { "Content-Type": ref.type, "Content-Range": `bytes ${first}-${first + chunk.length - 1}/${ref.bytes}`,
                    ...(await sign("PUT", url, chunk, await deviceKey())) };
  const response = await fetchWithin(url, { method: "PUT", headers, body: chunk });
  const answer = await response.json().catch(() => ({}));
  return { status: response.status, answer };
}

// Upload the rest of one photo; HubError when the hub refuses it (its code and reason).
export async function upload(ref) {
  if (await db.get("device", `up:${ref.sha256}`)) return;
  let { data: state } = await signed("GET", `/v1/phone/uploads/${ref.sha256}`);
  const kept = await db.get("files", ref.sha256);
  if (!state.complete && !kept) throw new HubError("attachment_missing", WORDS.refused, "the photo is no longer on this phone: write the message again with it", 410);
  const bytes = kept ? new Uint8Array(await kept.arrayBuffer()) : null;
  for (let tries = 0; !state.complete && tries < 1000; tries += 1) {
    const first = state.received;
    const { status, answer } = await putChunk(ref, first, bytes.slice(first, first + state.chunk_bytes));
    if (status === 409 && answer.error === "range_mismatch") {
      state = { ...state, received: answer.received };
      continue;
    }
    if (status !== 200) throw new HubError(answer.error || "refused", WORDS.refused, answer.reason || `the hub answered ${status}`, status);
    state = answer;
  }
  await db.put("device", true, `up:${ref.sha256}`);
}

// Before a sync: upload what the waiting messages carry. The items whose photo the hub will never take, as
// refusals ({id, error, reason}); a cut connection (or the hub away) throws, and everything waits.
export async function uploadPending(items) {
  const refused = [];
  for (const item of items) {
    if (item.kind !== "message" || !(item.body && item.body.attachments)) continue;
    for (const ref of item.body.attachments) {
      try {
        await upload(ref);
      } catch (error) {
        if (!(error instanceof HubError) || error.code === "offline" || !error.status || error.status >= 500
            || [401, 429].includes(error.status)) throw error;
        refused.push({ id: item.id, error: error.code, reason: error.reason });
        break;
      }
    }
  }
  return refused;
}
