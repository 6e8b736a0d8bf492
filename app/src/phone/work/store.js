// Work and jobs on the phone, kept in an IndexedDB database of its own ("throughgate-work"), so it never waits on
// another screen's schema version:
//   kept      "items": the list GET /v1/phone/work last answered (job links, videos, checklists), for offline use;
//             "video_setting": when videos may download (wifi, always, ask)
//   ticks     "<item>:<step>" -> {done, at}: the person's own ticks, shown at once and sent with the next sync
//   parts     "<sha256>:<n>" -> ArrayBuffer: the pieces of a video (or captions) downloaded so far, kept as each
//             arrives, so a download cut short goes on from what is held
//   files     "<sha256>" -> Blob: a whole video or captions file whose SHA-256 was checked
const NAME = "throughgate-work";
const VERSION = 1;
const STORES = ["kept", "ticks", "parts", "files"];
let opened = null;

export function open() {
  if (!opened) {
    opened = new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => {
        for (const name of STORES) if (!request.result.objectStoreNames.contains(name)) request.result.createObjectStore(name);
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opened;
}

const result = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

const finished = (tx) => new Promise((resolve, reject) => {
  tx.oncomplete = () => resolve();
  tx.onerror = tx.onabort = () => reject(tx.error || new Error("IndexedDB transaction failed"));
});

export async function get(store, key) {
  const db = await open();
  return result(db.transaction(store).objectStore(store).get(key));
}

export async function put(store, value, key) {
  const db = await open();
  const tx = db.transaction(store, "readwrite");
  tx.objectStore(store).put(value, key);
  return finished(tx);
}

export async function keys(store) {
  const db = await open();
  return (await result(db.transaction(store).objectStore(store).getAllKeys())).map(String);
}

export async function entries(store) {
  const db = await open();
  const tx = db.transaction(store);
  const [k, v] = await Promise.all([result(tx.objectStore(store).getAllKeys()), result(tx.objectStore(store).getAll())]);
  return k.map((key, i) => [String(key), v[i]]);
}

export async function remove(store, keyList) {
  const db = await open();
  const tx = db.transaction(store, "readwrite");
  for (const key of keyList) tx.objectStore(store).delete(key);
  return finished(tx);
}
