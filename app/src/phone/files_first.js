// The outbox's sender, wrapped so that the files an item names are uploaded before the item itself goes: each
// file with the phone's resumable uploads (uploads.js: a chunk a signed PUT from the byte the hub holds, so a cut
// costs one chunk), then the sync sends the change that names them. A file the hub will never take refuses its
// item with the hub's reason (the outbox shows it, kept); a cut connection or the hub away throws, and everything
// waits for the next drain. Once the hub holds the item, the phone lets its copies of the files go (a photo can be
// megabytes, on a phone short of space); sent again after a crash, the item is known by its id.
import * as db from "./db.js";
import { HubError } from "./hub.js";
import { upload } from "./uploads.js";

const waits = (error) => !(error instanceof HubError) || error.code === "offline" || !error.status || error.status >= 500
  || [401, 429].includes(error.status);

/** `send` with the files of each item of `kind` uploaded first; `filesOf(body)` lists them ({sha256, type, bytes}). */
export function withFilesFirst(kind, filesOf, send) {
  return async (items) => {
    const refused = [];
    for (const item of items) {
      if (item.kind !== kind) continue;
      for (const ref of filesOf(item.body)) {
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
      if (item.kind !== kind || !accepted.has(item.id)) continue;
      for (const ref of filesOf(item.body)) await db.del("files", ref.sha256).catch(() => {});
    }
    return { accepted: answer.accepted || [], refused: [...refused, ...(answer.refused || [])] };
  };
}
