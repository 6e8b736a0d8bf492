// The phone side's own IndexedDB database ("throughgate-phone"), beside the shell's outbox:
//   device   the device key (a non-extractable CryptoKey pair, kept by structured clone), the activation,
//            the sync cursor, whether the health summary is due to be fetched, the read receipts queued
//   feed     every change of the person's feed the hub sent, by its seq (messages, appointments, contacts,
//            plan, health, read receipts): what every screen shows, online or not
//   health   the health summary as GET /v1/phone/health answered it
//   files    photos and voice notes of the person's messages, fetched when first opened, by SHA-256 (a Blob)
// Writes that belong together (a sync's changes and its new cursor) go in one transaction.
const NAME = "throughgate-phone";
const VERSION = 2;
let opened = null;

export function open() {
  if (!opened) {
    opened = new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("device")) db.createObjectStore("device");
        if (!db.objectStoreNames.contains("feed")) db.createObjectStore("feed", { keyPath: "seq" });
        if (!db.objectStoreNames.contains("health")) db.createObjectStore("health");
        if (!db.objectStoreNames.contains("files")) db.createObjectStore("files");
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opened;
}

const done = (tx) => new Promise((resolve, reject) => {
  tx.oncomplete = () => resolve();
  tx.onerror = tx.onabort = () => reject(tx.error || new Error("IndexedDB transaction failed"));
});

const result = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

export async function get(store, key) {
  const db = await open();
  return result(db.transaction(store).objectStore(store).get(key));
}

export async function all(store) {
  const db = await open();
  return result(db.transaction(store).objectStore(store).getAll());
}

export async function put(store, value, key) {
  const db = await open();
  const tx = db.transaction(store, "readwrite");
  tx.objectStore(store).put(value, key);
  return done(tx);
}

export async function del(store, key) {
  const db = await open();
  const tx = db.transaction(store, "readwrite");
  tx.objectStore(store).delete(key);
  return done(tx);
}

// Several writes in one transaction: fn(stores) gets {name: IDBObjectStore} and queues its requests.
export async function write(names, fn) {
  const db = await open();
  const tx = db.transaction(names, "readwrite");
  fn(Object.fromEntries(names.map((n) => [n, tx.objectStore(n)])));
  return done(tx);
}
