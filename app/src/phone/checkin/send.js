// Sending a check-in: the outbox's sender is wrapped so that, before the sync, the photo of each waiting `checkin`
// is uploaded with the phone's resumable uploads (uploads.js: a chunk a signed PUT from the byte the hub holds, so
// a cut costs one chunk); then the sync sends the change, signed JWS and all. A photo the hub will never take
// refuses its check-in with the hub's reason; a cut connection (or the hub away) throws and everything waits.
// Once the hub holds the check-in, the phone lets its copy of the photo go.
import { withFilesFirst } from "../files_first.js";
import { KIND } from "./sign.js";

const photosOf = (body) => ((body && body.attachments) || []).filter((ref) => ref && typeof ref.sha256 === "string");

/** The sender `send` with the check-ins' photos uploaded first. */
export function withCheckinPhotos(send) {
  return withFilesFirst(KIND, photosOf, send);
}
