// Videos (and their captions) for offline use: downloaded once, in pieces of PIECE bytes, each a signed GET
// /v1/phone/work/files/<sha256> with Range, kept in IndexedDB as it arrives (store.js "parts"); after a drop the
// next try asks only for the pieces not held. The whole is checked against its SHA-256 before it is kept as one
// file (store.js "files") and the pieces let go. Only over a connection the person allows (`decide`): data costs
// them money.
import { fetchWithin, HubError, WORDS } from "../hub.js";
import { activation, deviceKey } from "../device.js";
import { sign } from "../signing.js";
import * as store from "./store.js";

export const PIECE = 1024 * 1024;
export const SETTINGS = ["wifi", "always", "ask"];
export const DEFAULT_SETTING = "wifi";

export async function setting() {
  const kept = await store.get("kept", "video_setting");
  return SETTINGS.includes(kept) ? kept : DEFAULT_SETTING;
}

export const keepSetting = (value) => store.put("kept", SETTINGS.includes(value) ? value : DEFAULT_SETTING, "video_setting");

// What the browser says of the connection (navigator.connection, where it has it): {known, wifi, saveData}.
export function connection() {
  const c = typeof navigator !== "undefined" ? navigator.connection : null;
  const saveData = Boolean(c && c.saveData);
  if (!c || !c.type || c.type === "unknown" || c.type === "other") return { known: false, wifi: false, saveData };
  return { known: true, wifi: c.type === "wifi" || c.type === "ethernet", saveData };
}

// "go" (download now), "ask" (say the size and ask), or "wait" (for wifi; the person may still say go).
export function decide(choice, conn) {
  if (choice === "always") return "go";
  if (choice === "ask") return "ask";
  if (conn.known) return conn.wifi ? "go" : "wait";
  return conn.saveData ? "wait" : "ask"; // the browser cannot tell: ask, unless the person asked it to save data
}

export const megabytes = (bytes) => (bytes / (1024 * 1024)).toFixed(1);

export const held = (sha256) => store.get("files", sha256);

async function piecesHeld(sha256) {
  const prefix = `${sha256}:`;
  return (await store.keys("parts")).filter((k) => k.startsWith(prefix)).map((k) => Number(k.slice(prefix.length)));
}

// Bytes of this file on the phone so far (whole, or pieces).
export async function bytesHeld(sha256, size) {
  if (await held(sha256)) return size;
  const count = (await piecesHeld(sha256)).length;
  return Math.min(size, count * PIECE);
}

async function piece(sha256, start, stop) {
  const done = await activation();
  if (!done) throw new HubError("not_activated", WORDS.not_activated);
  const url = `${done.hub}/v1/phone/work/files/${sha256}`;
  const headers = { Range: `bytes=${start}-${stop - 1}`, "If-Range": `"${sha256}"`,
                    ...(await sign("GET", url, null, await deviceKey())) };
  const response = await fetchWithin(url, { method: "GET", headers });
  let data;
  try {
    data = await response.arrayBuffer();
  } catch (error) {
    throw new HubError("offline", WORDS.offline, String(error));
  }
  if (response.status === 206 && data.byteLength === stop - start) return data;
  if (response.status === 200 && data.byteLength > start) return data.slice(start, stop); // a hub that sent it all
  throw new HubError(response.status === 404 ? "not_found" : "refused", WORDS.refused, `the hub answered ${response.status}`,
    response.status);
}

const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");

const running = new Map();

// Let go of the videos and captions (whole or in pieces) no item on the list holds now: one the adviser withdrew.
export async function prune(items) {
  const wanted = new Set();
  for (const item of items) {
    if (item.kind !== "video") continue;
    wanted.add(item.video.sha256);
    if (item.video.captions) wanted.add(item.video.captions.sha256);
  }
  const gone = (await store.keys("files")).filter((sha) => !wanted.has(sha) && !running.has(sha));
  if (gone.length) await store.remove("files", gone);
  const parts = (await store.keys("parts")).filter((key) => !wanted.has(key.split(":")[0]) && !running.has(key.split(":")[0]));
  if (parts.length) await store.remove("parts", parts);
}

// Download the file (a video or its captions) the rest of the way; onProgress(bytesHeld). Resolves to its Blob.
// One download of a file at a time: a second call waits on the first.
export function download(sha256, size, type, onProgress = () => {}) {
  if (!running.has(sha256)) {
    running.set(sha256, fetchRest(sha256, size, type, onProgress).finally(() => running.delete(sha256)));
  }
  return running.get(sha256);
}

async function fetchRest(sha256, size, type, onProgress) {
  const kept = await held(sha256);
  if (kept) return kept;
  const count = Math.max(1, Math.ceil(size / PIECE));
  const have = new Set(await piecesHeld(sha256));
  for (let n = 0; n < count; n += 1) {
    if (have.has(n)) continue;
    const data = await piece(sha256, n * PIECE, Math.min(size, (n + 1) * PIECE));
    await store.put("parts", data, `${sha256}:${n}`);
    have.add(n);
    onProgress(Math.min(size, have.size * PIECE));
  }
  const parts = [];
  for (let n = 0; n < count; n += 1) parts.push(await store.get("parts", `${sha256}:${n}`));
  const blob = new Blob(parts, { type });
  const drop = [...Array(count).keys()].map((n) => `${sha256}:${n}`);
  if (hex(await crypto.subtle.digest("SHA-256", await blob.arrayBuffer())) !== sha256) {
    await store.remove("parts", drop); // not whole, or not what was published: start again next time
    throw new HubError("damaged", WORDS.refused, "the downloaded file's SHA-256 is not the one the hub listed");
  }
  await store.put("files", blob, sha256);
  await store.remove("parts", drop);
  return blob;
}
