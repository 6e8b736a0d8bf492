// What the release letter gives: its code, typed, or its square (QR) code, which holds the link
// https://<hub>/app/#/activate?code=<ABCD-EFGH-JKMN>&ca=<64 hex> (provisioning/tokens.py): a phone's camera opens
// it at this app's activation screen. Letters printed before 2026-12 hold
// throughgate-activate:?hub=<https URL>&code=...&ca=..., still read here.
// Each problem is a msgid for the person, in plain words, saying what to do.
export const SCHEME = "throughgate-activate:";
const LINK = /^https?:\/\//i;
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export class OfferError extends Error {
  constructor(msgid) {
    super(msgid);
    this.msgid = msgid;
  }
}

// The code as the hub expects it (ABCD-EFGH-JKMN): spaces and dashes dropped, lower case and the
// look-alikes I, L, O read as 1, 1, 0; or null when it cannot be a code.
export function normaliseCode(text) {
  const raw = String(text).replace(/[\s-]/g, "").toUpperCase().replace(/[IL]/g, "1").replace(/O/g, "0");
  if (raw.length !== 12 || [...raw].some((ch) => !CROCKFORD.includes(ch))) return null;
  return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`;
}

// {hub, code, ca}: from a scanned square (the whole offer) or a typed code (hub: this app's own origin,
// ca: null, since the browser's own check of the hub's certificate is what the person relies on then).
export function readOffer(text, origin) {
  const typed = String(text || "").trim();
  if (!typed) throw new OfferError("Type the code from your letter.");
  if (LINK.test(typed)) return readLink(typed);
  if (!typed.toLowerCase().startsWith(SCHEME)) {
    const code = normaliseCode(typed);
    if (!code) throw new OfferError("A code is 12 letters and numbers, like ABCD-EFGH-JKMN. Check your letter and type it again.");
    return { hub: origin, code, ca: null };
  }
  const query = new URLSearchParams(typed.slice(typed.indexOf("?") + 1));
  return checked(query.get("hub") || "", query);
}

// The letter's link: the hub is the link's own origin; the app's address and screen must be the activation's.
function readLink(text) {
  let url = null;
  try {
    url = new URL(text);
  } catch {
    url = null;
  }
  const [screen, query] = url ? [url.hash.split("?")[0], url.hash.slice(url.hash.indexOf("?") + 1)] : ["", ""];
  if (!url || url.pathname !== "/app/" || screen !== "#/activate" || url.search || !url.hash.includes("?")) {
    throw new OfferError("This square code is not a whole Throughgate code. Type the code from your letter instead.");
  }
  return checked(url.origin, new URLSearchParams(query));
}

function checked(hub, query) {
  const ca = query.get("ca") || "";
  const code = normaliseCode(query.get("code") || "");
  let parsed = null;
  try {
    parsed = new URL(hub);
  } catch {
    parsed = null;
  }
  if (!parsed || parsed.protocol !== "https:" || !/^[0-9a-f]{64}$/.test(ca) || !code) {
    throw new OfferError("This square code is not a whole Throughgate code. Type the code from your letter instead.");
  }
  return { hub: parsed.origin, code, ca };
}
