// What each file of the open course version must hold, told to the content origin's wrapper page when it asks, so
// that its service worker serves a kept file only when its SHA-256 is the one the hub signed (scorm-sw.js).
//
// Every course shares the content origin, so a course's scripts could rewrite another course's files in that
// origin's Cache Storage. The hashes come from here, the app's origin: the course's manifest (files: path, sha256),
// signed by the hub and kept in the app's IndexedDB, which no course script can reach.
//
//   const stop = answerFiles(manifest, launch, frameEl)   // before the frame is opened; stop() when it closes

/** path -> sha256 of every file of the manifest's version. */
export function fileHashes(manifest) {
  const out = {};
  for (const f of manifest.files || []) if (f && typeof f.path === "string" && typeof f.sha256 === "string") out[f.path] = f.sha256;
  return out;
}

/** Answers the wrapper page in `frameEl` (only it, only from the content origin) with the version's file hashes. */
export function answerFiles(manifest, launch, frameEl) {
  const answer = { throughgate: "files", course: manifest.course, version: manifest.version, files: fileHashes(manifest) };
  const listen = (ev) => {
    if (ev.origin !== launch.origin || ev.source !== frameEl.contentWindow) return;
    if (ev.data && ev.data.throughgate === "files?") ev.source.postMessage(answer, launch.origin);
  };
  window.addEventListener("message", listen);
  return () => window.removeEventListener("message", listen);
}
