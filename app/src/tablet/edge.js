// The edge's tablet API, from the app's own origin: the page is served by the edge's tablet HTTPS port, so every
// request here carries the tablet's client certificate (the browser presents it on a managed device) and the
// edge knows the device from it, never from a field. Course pages run in another origin and cannot read these
// answers; the POST routes take only application/json, which such a page cannot send without a preflight.
//
//   GET  /v1/tablets/me         who this tablet is, its bound learner and their release plan
//   POST /v1/tablets/records    the outbox's records, into the relay's commit -> {acked, refused, committed}
//   GET  /v1/tablets/down       down messages (feedback, awards, plan) not yet acknowledged
//   POST /v1/tablets/down/ack   acknowledge them, after they are stored here
//   GET  /v1/courses            the course list;  /v1/attachments/...  resumable uploads (uploads.js)

const TIMEOUT_MS = 60_000;  // one request, a 1 MiB chunk included, on slow wifi
const FINAL = new Set(["bad_request", "too_large", "type_not_allowed", "hash_mismatch", "size_mismatch",
  "already_finished", "chunk_conflict"]);

export class EdgeError extends Error {
  constructor(code, reason, status = 0, retryAfter = null) {
    super(reason || code);
    this.code = code;
    this.reason = reason || code;
    this.status = status;
    this.retryAfter = retryAfter;
  }

  /** A refusal that will not change by sending again: the item it was for is refused, with this reason. */
  get final() {
    return FINAL.has(this.code);
  }
}

/** One request to the edge; resolves to the JSON answer, throws EdgeError (status 0 when unreachable). */
export async function call(method, path, { json, body, type, headers = {} } = {}) {
  const init = { method, credentials: "same-origin", cache: "no-store", headers: { ...headers } };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["Content-Type"] = "application/json";
  } else if (body !== undefined) {
    init.body = body;
    init.headers["Content-Type"] = type || "application/octet-stream";
  }
  // a request the wifi left hanging must not hold the outbox's drain (one at a time) until the app is reloaded
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
  init.signal = abort.signal;
  let response;
  let answer = null;
  try {
    response = await fetch(path, init);
    try { answer = await response.json(); } catch (e) { if (abort.signal.aborted) throw e; answer = null; }
  } catch (e) {
    throw new EdgeError("unreachable", `the prison's network did not answer (${e.message || e})`);
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) {
    const a = answer || {};
    throw new EdgeError(a.error || `http_${response.status}`, a.reason || `the edge answered ${response.status}`,
      response.status, a.retry_after ?? null);
  }
  return answer || {};
}
