// A photo or a voice note: held in IndexedDB (store "tablet-files") from the moment it is recorded, uploaded in
// chunks through the edge's attachment routes (edge/attachments/api.py) before its submission is sent, resumed
// where it stopped (GET /v1/attachments/<id> says which chunks the edge holds), and let go only once the
// submission that names it is acknowledged.
import { store } from "../shell/store.js";
import { uuid } from "../shell/outbox.js";
import { call, EdgeError } from "./edge.js";

export const FILES = "tablet-files";

async function sha256(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A media type as the edge names it: type/subtype, lower case, no parameters (audio/webm;codecs=opus -> audio/webm). */
export function mediaType(type) {
  return String(type || "application/octet-stream").split(";")[0].trim().toLowerCase();
}

/** Keeps the file on this device and returns its reference for the submission ({id, sha256, size, type, name}). */
export async function hold(blob, name) {
  const ref = { id: uuid(), sha256: await sha256(blob), size: blob.size, type: mediaType(blob.type), name };
  await store.put(FILES, { ...ref, blob, uploaded: false });
  return ref;
}

/** Uploads one held file, from where the edge's copy stopped; resolves once the edge holds it complete. */
export async function upload(ref) {
  const held = await store.get(FILES, ref.id);
  if (held && held.uploaded) return;
  if (!held) throw new EdgeError("file_missing", "the file is no longer on this tablet: record it again", 400);
  let status = null;
  try {
    status = await call("GET", `/v1/attachments/${ref.id}`);
  } catch (e) {
    if (e.status !== 404) throw e;
  }
  if (!status || status.state !== "complete") {
    const chunk = status ? status.chunk_bytes : (await call("GET", "/v1/attachments/limits")).chunk_bytes;
    const have = new Set(status ? status.chunks : []);
    for (let n = 0; n * chunk < held.size; n += 1) {
      if (have.has(n)) continue;
      await call("PUT", `/v1/attachments/${ref.id}/chunks/${n}`, { body: held.blob.slice(n * chunk, (n + 1) * chunk) });
    }
    await call("POST", `/v1/attachments/${ref.id}/finish`,
      { json: { sha256: ref.sha256, size: ref.size, type: ref.type, name: ref.name } });
  }
  await store.put(FILES, { ...held, uploaded: true });
}

/** After the submission naming these files was acknowledged: they are the edge's now. */
export async function release(refs) {
  for (const ref of refs) await store.del(FILES, ref.id);
}

/** A held file's bytes, to show or play back on this tablet. */
export async function heldBlob(id) {
  const held = await store.get(FILES, id);
  return held ? held.blob : null;
}
