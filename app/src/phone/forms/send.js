// Sending a filled form (docs/forms.md "Submissions"): the outbox's sender is wrapped so that, before the sync,
// the photos, signatures and voice notes of each waiting `form_submission` are uploaded with the phone's resumable
// uploads (uploads.js: a chunk a signed PUT from the byte the hub says it holds, so a cut costs one chunk). A
// submission whose file the hub will never take is refused with the hub's reason, and stays in the outbox, shown;
// a cut connection (or the hub away) throws, and everything waits for the next drain. The hub then checks every
// answer again and refuses a bad one naming the field, which the outbox shows too.
import { withFilesFirst } from "../files_first.js";

export const KIND = "form_submission";

// The file references among a submission's values ({sha256, type, bytes}).
export function filesOf(body) {
  const values = (body && body.values) || {};
  return Object.values(values).filter((v) => v && typeof v === "object" && !Array.isArray(v) && typeof v.sha256 === "string");
}

/** The sender `send` with the form submissions' files uploaded first. */
export function withFormFiles(send) {
  return withFilesFirst(KIND, filesOf, send);
}
