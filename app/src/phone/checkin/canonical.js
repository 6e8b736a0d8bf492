// RFC 8785, the JSON Canonicalization Scheme, as wire/checkin.py `canonical` writes it, byte for byte: object
// members sorted by their names' UTF-16 code units, no whitespace, strings as JSON.stringify escapes them
// (ECMAScript's own rules, which RFC 8785 names), numbers as ECMAScript prints them (Number.prototype.toString).
// Pure: tested against the Python in Node (tests/hub/test_app_phone_checkin_node.py).
export class CanonicalError extends Error {}

function out(value) {
  if (value === null || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new CanonicalError("NaN and infinity are not JSON numbers");
    return Object.is(value, -0) ? "0" : String(value);
  }
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(out).join(",")}]`;
  if (typeof value === "object") {
    const names = Object.keys(value).filter((k) => value[k] !== undefined).sort(); // default sort: UTF-16 code units
    return `{${names.map((k) => `${JSON.stringify(k)}:${out(value[k])}`).join(",")}}`;
  }
  throw new CanonicalError(`${typeof value} is not a JSON value`);
}

/** The RFC 8785 text of a JSON value. */
export const canonicalText = (value) => out(value);

/** The RFC 8785 bytes (UTF-8) of a JSON value. */
export const canonical = (value) => new TextEncoder().encode(out(value));
