// The app's IndexedDB store: every object store keeps values by their `id` (keyPath "id"). A store is made the
// first time it is used (the database is reopened one version up), so a side needs no migration step of its
// own; `declare(...names)` makes them up front. Data lives here, never in the service worker's cache.
//
//   await store.put("messages", { id: "m1", text: "Hello" });
//   await store.get("messages", "m1");  await store.all("messages");  await store.del("messages", "m1");

const DB_NAME = "throughgate-app";
const declared = new Set(["outbox", "settings"]);
let opening = null;

function openDb(version) {
  return new Promise((resolve, reject) => {
    const req = version ? indexedDB.open(DB_NAME, version) : indexedDB.open(DB_NAME);
    req.onupgradeneeded = () => {
      for (const name of declared) {
        if (!req.result.objectStoreNames.contains(name)) req.result.createObjectStore(name, { keyPath: "id" });
      }
    };
    req.onsuccess = () => {
      const db = req.result;
      db.onversionchange = () => { db.close(); opening = null; };  // another tab upgrades: let it
      resolve(db);
    };
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error("the app's storage is held by another tab: close the app's other tabs"));
  });
}

async function db() {
  if (!opening) opening = openDb().catch((e) => { opening = null; throw e; });
  let d = await opening;
  const missing = [...declared].filter((n) => !d.objectStoreNames.contains(n));
  if (missing.length) {
    const next = d.version + 1;
    d.close();
    opening = openDb(next).catch((e) => { opening = null; throw e; });
    d = await opening;
  }
  return d;
}

/** Make these object stores (if they are not there yet) when the database next opens. */
export function declare(...names) {
  for (const n of names) declared.add(n);
}

async function tx(name, mode, fn) {
  declare(name);
  const d = await db();
  const t = d.transaction(name, mode, { durability: "strict" });
  const result = fn(t.objectStore(name));
  await new Promise((resolve, reject) => {
    t.oncomplete = resolve;
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error || new Error("the write was aborted"));
  });
  return result instanceof IDBRequest ? result.result : result;
}

/** The value with this id in the store, or undefined. */
export function get(name, key) {
  return tx(name, "readonly", (s) => s.get(key));
}

/** Stores the value (it needs an `id`); resolves once the write is committed to disk. */
export function put(name, value) {
  if (value == null || value.id == null) return Promise.reject(new Error(`store ${name}: a value needs an id`));
  return tx(name, "readwrite", (s) => s.put(value)).then(() => value.id);
}

/** Every value in the store, in id order. */
export function all(name) {
  return tx(name, "readonly", (s) => s.getAll());
}

/** Removes the value with this id. */
export function del(name, key) {
  return tx(name, "readwrite", (s) => s.delete(key)).then(() => undefined);
}

/** Asks the browser to keep the app's storage under storage pressure; resolves to whether it will. */
export async function persist() {
  try {
    if (!navigator.storage || !navigator.storage.persist) return false;
    return (await navigator.storage.persisted()) || (await navigator.storage.persist());
  } catch {
    return false;
  }
}

export const store = Object.freeze({ get, put, all, del, declare });
