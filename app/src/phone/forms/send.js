// Sending a filled form (docs/forms.md "Submissions"): the outbox's sender is wrapped so that, before the sync,
// the photos, signatures and voice notes of each waiting `form_submission` are uploaded with the phone's resumable
// uploads (uploads.js: a chunk a signed PUT from the byte the hub says it holds, so a cut costs one chunk). A
// submission whose file the hub will never take is refused with the hub's reason, and stays in the outbox, shown;
// a cut connection (or the hub away) throws, and everything waits for the next drain. The hub then checks every
// answer again and refuses a bad one naming the field, which the outbox shows too.
import * as db from "../db.js";
import { HubError } from "../hub.js";
import { upload } from "../uploads.js";

export const KIND = "form_submission";

// The file references among a submission's values ({sha256, type, bytes}).
export function filesOf(body) {
  const values = (body && body.values) || {};
  return Object.values(values).filter((v) => v && typeof v === "object" && !Array.isArray(v) && typeof v.sha256 === "string");
}

const waits = (error) => !(error instanceof HubError) || error.code === "offline" || !error.status || error.status >= 500
  || [401, 429].includes(error.status);

/** The sender `send` with the form submissions' files uploaded first. */
export function withFormFiles(send) {
  return async (items) => {
    const refused = [];
    for (const item of items) {
      if (item.kind !== KIND) continue;
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
    // The hub holds a submission it accepted, files and all: the phone lets its copies of the files go (a photo
    // can be megabytes, on a phone short of space). Sent again after a crash, it is known by its id.
    const accepted = new Set(answer.accepted || []);
    for (const item of items) {
      if (item.kind !== KIND || !accepted.has(item.id)) continue;
      for (const ref of filesOf(item.body)) await db.del("files", ref.sha256).catch(() => {});
    }
    return { accepted: answer.accepted || [], refused: [...refused, ...(answer.refused || [])] };
  };
}
