// Photos and voice notes on a message (docs/phone-sync.md, "Photos and voice notes"): fetched only when the
// person opens one (data costs them money), with a signed GET /v1/phone/attachments/<sha256>, checked against
// that SHA-256, and kept in IndexedDB ("files") so it opens again offline.
import { hex, sha256 } from "./bytes.js";
import * as db from "./db.js";
import { activation, deviceKey } from "./device.js";
import { HubError, WORDS, fetchWithin, wordsFor } from "./hub.js";
import { sign } from "./signing.js";

export const isPhoto = (ref) => String(ref.type || "").startsWith("image/");

// A blob: URL for the attachment, fetched once; HubError when it cannot be had.
export async function attachmentUrl(ref) {
  let kept = await db.get("files", ref.sha256);
  if (!kept) {
    const done = await activation();
    const url = `${done.hub}/v1/phone/attachments/${encodeURIComponent(ref.sha256)}`;
    const headers = await sign("GET", url, null, await deviceKey());
    const response = await fetchWithin(url, { headers });
    if (!response.ok) {
      const answer = await response.json().catch(() => ({}));
      throw new HubError(answer.error || "refused", wordsFor(answer.error), answer.reason || "", response.status);
    }
    const bytes = new Uint8Array(await response.arrayBuffer().catch(() => {
      throw new HubError("offline", WORDS.offline, "the download was cut");
    }));
    if (hex(await sha256(bytes)) !== ref.sha256) throw new HubError("refused", WORDS.refused, "hash_mismatch");
    kept = new Blob([bytes], { type: ref.type });
    await db.put("files", kept, ref.sha256);
  }
  return URL.createObjectURL(kept);
}
