"""The `release` record: staff at the edge console marked a learner released and printed their letter.

The edge makes the one-time activation code itself (so the letter prints while the hub is away), keeps
only its SHA-256, and sends the hub this payload in its next sealed batch; the hub registers the code
for the person the learner id is linked to (hub/people/edge_release.py):

    {"code_sha256": "<64 hex>", "issued_at": "<RFC 3339>", "expires_at": "<RFC 3339>", "issued_by": "<staff>",
     "code_id": "ABCD"}

`code_id` (optional: an older edge's records lack it) is the code's first 4 characters, its public
lookup part (provisioning.tokens.code_id), not secret: with it the hub counts wrong tries per code and
withdraws a code guessed at too often; a code registered without it is limited per address only.

The code itself never travels and is never stored: only its digest (provisioning.tokens.digest of the
code in its canonical form, ABCD-EFGH-JKMN).
"""

from __future__ import annotations

from wire.records import RecordError, is_timestamp, parse_timestamp, valid_sha256

KIND = "release"
FIELDS = {"code_sha256", "issued_at", "expires_at", "issued_by"}
OPTIONAL = {"code_id"}
CODE_ID_CHARS = 4
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
MAX_BY = 80
MAX_DAYS = 28


def check_release(payload, record_id: str | None = None) -> None:
    """Raise RecordError("bad_schema") naming the first rule a release payload breaks."""

    def refuse(reason: str):
        raise RecordError("bad_schema", f"a release payload: {reason}", record_id)

    if not isinstance(payload, dict):
        refuse("it is a JSON object")
    unknown, missing = set(payload) - FIELDS - OPTIONAL, FIELDS - set(payload)
    if unknown:
        refuse(f"unknown field(s): {', '.join(sorted(map(str, unknown)))}")
    if missing:
        refuse(f"missing field(s): {', '.join(sorted(missing))}")
    if not valid_sha256(payload["code_sha256"]):
        refuse("'code_sha256' is 64 lower-case hex digits (the SHA-256 of the code, never the code)")
    for name in ("issued_at", "expires_at"):
        if not (isinstance(payload[name], str) and is_timestamp(payload[name])):
            refuse(f"'{name}' is an RFC 3339 timestamp")
    lasts = parse_timestamp(payload["expires_at"]) - parse_timestamp(payload["issued_at"])
    if not 0 < lasts.total_seconds() <= MAX_DAYS * 86400:
        refuse(f"a code expires after it is issued, within {MAX_DAYS} days")
    by = payload["issued_by"]
    if not (isinstance(by, str) and 0 < len(by) <= MAX_BY and by.isprintable()):
        refuse(f"'issued_by' is the staff member's user name, 1-{MAX_BY} printable characters")
    if "code_id" in payload and not (isinstance(payload["code_id"], str) and len(payload["code_id"]) == CODE_ID_CHARS
                                     and all(ch in _CROCKFORD for ch in payload["code_id"])):
        refuse(f"'code_id' is the code's first {CODE_ID_CHARS} characters, upper-case Crockford (like ABCD)")
