// The address of a screen is the URL's hash: #/<screen id>?<params>. Only hashes that start with "#/" are
// routes, so in-page links (the skip link's #main) keep working.

/** { id, params } from a hash; the home screen where there is none. */
export function parse(hash) {
  if (!hash || !hash.startsWith("#/")) return { id: "home", params: {} };
  const [path, query = ""] = hash.slice(2).split("?", 2);
  return { id: decodeURIComponent(path) || "home", params: Object.fromEntries(new URLSearchParams(query)) };
}

/** The hash for a screen and its params. */
export function href(id, params = {}) {
  const query = new URLSearchParams(params).toString();
  return `#/${encodeURIComponent(id)}${query ? `?${query}` : ""}`;
}

/** Opens a screen (a new history entry, so Back returns). */
export function navigate(id, params = {}) {
  const next = href(id, params);
  if (location.hash === next) dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = next;
}
