// Sending a check-in: the outbox's sender is wrapped so that, before the sync, the photo of each waiting `checkin`
// is uploaded with the phone's resumable uploads (uploads.js: a chunk a signed PUT from the byte the hub holds, so
// a cut costs one chunk); then the sync sends the change, signed JWS and all. A photo the hub will never take
// refuses its check-in with the hub's reason; a cut connection (or the hub away) throws and everything waits.
// Once the hub holds the check-in, the phone lets its copy of the photo go.
import * as db from "../db.js";
import { HubError } from "../hub.js";
import { upload } from "../uploads.js";
import { KIND } from "./sign.js";

const waits = (error) => !(error instanceof HubError) || error.code === "offline" || !error.status || error.status >= 500
  || [401, 429].includes(error.status);

const photosOf = (body) => ((body && body.attachments) || []).filter((ref) => ref && typeof ref.sha256 === "string");

/** The sender `send` with the check-ins' photos uploaded first. */
export function withCheckinPhotos(send) {
  return async (items) => {
    const refused = [];
    for (const item of items) {
      if (item.kind !== KIND) continue;
      for (const ref of photosOf(item.body)) {
        try {
          await upload(ref);
        } catch (error) {
          if (waits(error)) throw error;
          refused.push({ id: item.id, error: error.code, reason: error.reason });
          break;
        }
      }
    }
    const cannot = new Set(refused.map((r) => r.id));
    const answer = (await send(items.filter((item) => !cannot.has(item.id)))) || {};
    const accepted = new Set(answer.accepted || []);
    for (const item of items) {
      if (item.kind !== KIND || !accepted.has(item.id)) continue;
      for (const ref of photosOf(item.body)) await db.del("files", ref.sha256).catch(() => {});
    }
    return { accepted: answer.accepted || [], refused: [...refused, ...(answer.refused || [])] };
  };
}
