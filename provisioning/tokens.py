"""One-time secrets that start trust: the hub's bootstrap tokens for edges, the edge's
enrolment codes for tablets, and the hub's activation offers for phones after release. Pure
functions; the stores keep only a SHA-256 of each secret.

- Bootstrap token: `tgb1.<id>.<secret>` — id (8 hex) finds the row, the 256-bit secret proves
  possession. It is pasted (or passed by Ansible Vault), never typed.
- Enrolment code: 12 Crockford base32 characters shown as `ABCD-EFGH-JKMN` (60 bits) and as a QR
  code; short-lived, single-use, tied to one device id. Typed on a tablet if the camera fails,
  so it avoids I, L, O and U, and reading accepts lower case and those look-alikes.
- Activation offer: the link `https://<hub>/app/#/activate?code=<ABCD-EFGH-JKMN>&ca=<64 hex>`, printed as
  a QR code on a person's release letter, which a phone's camera opens in the browser at the person's app
  (the code rides in the fragment, which the browser never sends to a server); the code has the enrolment
  code's form. Letters printed before 2026-12 carry `throughgate-activate:?hub=<https URL>&code=…&ca=…`,
  which is still read.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

TOKEN_PREFIX = "tgb1"  # noqa: S105 (a format marker, not a secret)
_TOKEN = re.compile(r"tgb1\.([0-9a-f]{8})\.([A-Za-z0-9_-]{43})")
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_LOOKALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})
CODE_CHARS = 12
CODE_ID_CHARS = 4  # wire.release.CODE_ID_CHARS too
"""A code's first characters are its public lookup part (20 bits): the hub counts wrong tries per code by it."""
ENROL_SCHEME = "throughgate-enrol"
ACTIVATE_SCHEME = "throughgate-activate"
ACTIVATE_PATH = "/app/"
"""Where the hub serves the person's app (hub/webapp_web.py): an activation link opens its `#/activate` screen."""
ACTIVATE_SCREEN = "/activate"


class TokenError(ValueError):
    """A token or code that is not even well-formed. The message says what to do."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same(secret: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(secret), stored_digest)


# bootstrap tokens (hub -> edge) ---------------------------------------------------------------
@dataclass(frozen=True)
class BootstrapToken:
    token_id: str
    secret: str

    def __str__(self) -> str:
        return f"{TOKEN_PREFIX}.{self.token_id}.{self.secret}"


def new_bootstrap_token() -> BootstrapToken:
    return BootstrapToken(secrets.token_hex(4), secrets.token_urlsafe(32))


def parse_bootstrap_token(text: str) -> BootstrapToken:
    match = _TOKEN.fullmatch(text.strip()) if isinstance(text, str) else None
    if not match:
        raise TokenError("not a bootstrap token (it looks like tgb1.xxxxxxxx.<43 characters>): "
                         "copy the whole token that `throughgate hub tokens create` printed")
    return BootstrapToken(match.group(1), match.group(2))


# enrolment codes (edge -> tablet) ---------------------------------------------------------------
def new_enrolment_code() -> str:
    raw = "".join(secrets.choice(CROCKFORD) for _ in range(CODE_CHARS))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_CHARS, 4))


def code_id(code: str) -> str:
    """The public lookup part of a code in its canonical form (its first CODE_ID_CHARS characters): not secret,
    so the hub may keep it beside the code's digest and count wrong tries per code."""
    return code[:CODE_ID_CHARS]


def normalise_code(text: str) -> str:
    """The canonical form of a typed code; raises TokenError if it cannot be one."""
    raw = re.sub(r"[\s-]", "", str(text)).upper().translate(_LOOKALIKES)
    if len(raw) != CODE_CHARS or any(ch not in CROCKFORD for ch in raw):
        raise TokenError(f"an enrolment code is {CODE_CHARS} letters and digits, like ABCD-EFGH-JKMN: "
                         "check it on the staff console and type it again")
    return "-".join(raw[i:i + 4] for i in range(0, CODE_CHARS, 4))


@dataclass(frozen=True)
class EnrolmentOffer:
    """What a tablet needs to enrol, as carried by the QR code."""

    edge: str
    device: str
    code: str
    url: str  # the edge's enrolment service, https://host:port
    ca: str  # hex SHA-256 of the edge tablet CA's public key (SPKI): the tablet pins it

    def to_uri(self) -> str:
        query = urlencode({"edge": self.edge, "device": self.device, "code": self.code,
                           "url": self.url, "ca": self.ca})
        return f"{ENROL_SCHEME}:?{query}"


def parse_offer(uri: str) -> EnrolmentOffer:
    parts = urlsplit(uri)
    if parts.scheme != ENROL_SCHEME:
        raise TokenError(f"not a Throughgate enrolment QR code (expected {ENROL_SCHEME}:...)")
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    missing = [key for key in ("edge", "device", "code", "url", "ca") if not query.get(key)]
    if missing:
        raise TokenError(f"enrolment QR code lacks {', '.join(missing)}: make a new code at the edge")
    if not re.fullmatch(r"[0-9a-f]{64}", query["ca"]):
        raise TokenError("enrolment QR code: 'ca' must be 64 hex digits")
    return EnrolmentOffer(query["edge"], query["device"], normalise_code(query["code"]), query["url"], query["ca"])


# activation offers (hub -> a person's phone, printed on the release letter) ---------------------
@dataclass(frozen=True)
class ActivationOffer:
    """What a phone needs to activate, as carried by the release letter's QR code."""

    hub: str  # the hub's phone service, https://host[:port]
    code: str  # one-time activation code, ABCD-EFGH-JKMN
    ca: str  # hex SHA-256 of the hub root CA's public key (SPKI): the phone pins it

    def to_link(self) -> str:
        """The https link the release letter's QR code holds: a phone's camera opens it in the browser, at the
        app's activation screen with the code filled in."""
        query = urlencode({"code": self.code, "ca": self.ca})
        return f"{self.hub.rstrip('/')}{ACTIVATE_PATH}#{ACTIVATE_SCREEN}?{query}"

    def to_uri(self) -> str:
        """The offer as letters printed before 2026-12 carried it (read still; made for tests of that)."""
        return f"{ACTIVATE_SCHEME}:?{urlencode({'hub': self.hub, 'code': self.code, 'ca': self.ca})}"


def _link_query(parts) -> dict[str, str] | None:
    """The offer's fields in an activation link (https://<hub>/app/#/activate?code=…&ca=…), hub included; None
    when the address is not one."""
    screen, _, query = parts.fragment.partition("?")
    if parts.path != ACTIVATE_PATH or screen != ACTIVATE_SCREEN or parts.query:
        return None
    fields = {key: values[0] for key, values in parse_qs(query).items()}
    fields["hub"] = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    return fields


def parse_activation_offer(uri: str) -> ActivationOffer:
    """The offer in a scanned release-letter QR code, its link or an old letter's `throughgate-activate:`
    offer; raises TokenError saying what to do instead."""
    parts = urlsplit(uri.strip()) if isinstance(uri, str) else None
    query = None
    if parts is not None and parts.scheme == ACTIVATE_SCHEME:
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    elif parts is not None and parts.scheme in ("https", "http"):
        query = _link_query(parts)
    if query is None:
        raise TokenError("not a Throughgate activation QR code (expected https://<hub>/app/#/activate?code=…): "
                         "scan the square on your release letter")
    missing = [key for key in ("hub", "code", "ca") if not query.get(key)]
    if missing:
        raise TokenError(f"activation QR code lacks {', '.join(missing)}: type the code from your letter "
                         "instead, or ask your worker for a new letter")
    hub = urlsplit(query["hub"])
    if hub.scheme != "https" or not hub.hostname:
        raise TokenError("activation QR code: the hub address must start with https:// and name a host: "
                         "ask your worker for a new letter")
    if not re.fullmatch(r"[0-9a-f]{64}", query["ca"]):
        raise TokenError("activation QR code: 'ca' must be 64 hex digits: ask your worker for a new letter")
    try:
        code = normalise_code(query["code"])
    except TokenError:
        raise TokenError(f"activation QR code: the code must be {CODE_CHARS} letters and digits, like "
                         "ABCD-EFGH-JKMN: type the code from your letter instead, or ask your worker "
                         "for a new letter") from None
    return ActivationOffer(query["hub"], code, query["ca"])
