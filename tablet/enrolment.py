"""Enrolment: a tablet turns the QR code staff show it into a certificate from its edge.

    1. GET  {url}/v1/enrol/ca over TLS that trusts nothing yet; keep the server's certificate.
    2. Check SHA-256(public key of the CA in the answer) == the QR code's `ca`, and that the
       server's certificate chains to that CA for a DNS name on it. Otherwise it is a look-alike:
       stop before the code leaves the tablet.
    3. POST {url}/v1/tablets/enrol {"code", "device", "csr"} over TLS that trusts that CA only and
       checks that name (OpenSSL checks again, on the connection that carries the code).
    4. Check the certificate that comes back (our key, our device id, from that CA) and save
       everything in the TabletIdentity folder.

Why the name comes from the server's certificate: GET /v1/enrol/ca does not say the edge's TLS
name, and a verified connection needs one. The unverified connection's peer certificate gives it,
and it is used only after checking, with the same rules as a TLS client (pki.verify_server), that
the certificate was issued by the pinned CA for that name. A forged certificate fails that check;
a server that swaps certificates between the two connections fails OpenSSL's check on the second.
The enrolment answer then names the broker (`broker.name`), which the tablet uses from then on.

When the tablet already holds the hub's root (passed in, or hub_root.pem in its folder), it also
checks that the hub vouches for this edge: the server certificate must chain through the hub's
cross-certificate to that root, within the cross-certificate's name constraints.

A typed code (when the camera fails) carries only the code: `typed_offer` makes the offer from it
with the rest given (the device id, the edge's URL and CA pin that `edge tablets code` prints) or
known from the tablet's earlier enrolment. The pin is still checked before the code is sent; the
edge id, when not known, is the one the pinned CA's edge states.

renew(folder) gets a fresh certificate for the same key over mutual TLS.
"""

from __future__ import annotations

import http.client
import json
import ssl
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509

from provisioning import pki
from provisioning.tokens import ENROL_SCHEME, EnrolmentOffer, TokenError, normalise_code, parse_offer
from tablet.identity import Enrolment, TabletIdentity, pinned_context
from wire.records import timestamp

TIMEOUT_S = 15.0


class EnrolmentError(Exception):
    """Enrolment or renewal failed. code: the edge's error code (code_used, too_many_attempts, ...)
    or one of ours (bad_offer, unreachable, ca_mismatch, edge_mismatch, cross_invalid, bad_answer);
    reason: what to do. status: the HTTP status when the edge answered."""

    def __init__(self, code: str, reason: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(f"{code}: {reason}")
        self.code, self.reason, self.status, self.retry_after = code, reason, status, retry_after


def is_qr_text(text: str) -> bool:
    """The QR code's text (throughgate-enrol:?...), rather than a code typed by hand."""
    return text.strip().startswith(f"{ENROL_SCHEME}:")


def typed_offer(code: str, folder: str | Path, device: str | None = None, url: str | None = None,
                ca_pin: str | None = None) -> EnrolmentOffer:
    """The offer for a code typed by hand: `device`, `url` and `ca_pin` as given, else from the folder's earlier
    enrolment (a tablet enrolled again needs only the code). The edge id is left empty unless known: enrol()
    then takes the one the pinned CA's edge states."""
    try:
        code = normalise_code(code)
    except TokenError as exc:
        raise EnrolmentError("bad_offer", str(exc)) from None
    identity = TabletIdentity(folder)
    before = identity.state if identity.state_path.exists() else None
    device = device or (before.device if before else None)
    url = url or (before.url if before else None)
    ca_pin = (ca_pin or (before.ca_pin if before else "")).strip().lower().removeprefix("sha256:")
    missing = [flag for flag, value in (("--device", device), ("--url", url), ("--ca-pin", ca_pin)) if not value]
    if missing:
        raise EnrolmentError("bad_offer", "a typed code needs this tablet's device id, the edge's URL and its CA "
                             f"pin: give {', '.join(missing)} (`throughgate edge tablets code` prints them beside the "
                             "code), or scan the QR code instead")
    if len(ca_pin) != 64 or any(c not in "0123456789abcdef" for c in ca_pin):
        raise EnrolmentError("bad_offer", "--ca-pin is the 64 hex digits `throughgate edge tablets code` prints")
    same_edge = before is not None and before.ca_pin == ca_pin
    return EnrolmentOffer(before.edge if same_edge else "", device, code, url, ca_pin)


def enrol(offer: str | EnrolmentOffer, folder: str | Path, address: str | None = None, *,
          hub_root: str | None = None, timeout: float = TIMEOUT_S) -> TabletIdentity:
    """Enrol with the edge in `offer` (the QR code's text, or a parsed offer); `address` replaces
    the host in the offer's URL (an address found with zeroconf, say). `hub_root` (PEM): check
    that the hub vouches for this edge; hub_root.pem already in the folder is used likewise."""
    if isinstance(offer, str) and not is_qr_text(offer):
        offer = typed_offer(offer, folder)  # a code typed by hand; the rest from an earlier enrolment
    if isinstance(offer, str):
        try:
            offer = parse_offer(offer)
        except TokenError as exc:
            raise EnrolmentError("bad_offer", str(exc)) from None
    identity = TabletIdentity(folder)
    host, port = endpoint(offer.url, address)

    bundle, peer = _call(host, port, "GET", "/v1/enrol/ca", _unverified(), timeout=timeout)
    ca_pem = _field(bundle, "ca")
    ca = _load(ca_pem, "the tablet CA")
    if pki.spki_sha256(ca) != offer.ca:
        raise EnrolmentError("ca_mismatch", f"the server at {host}:{port} is not the edge in the QR code (its CA "
                             "does not match the code's pin): do not use this network, and tell staff")
    if not offer.edge and isinstance(bundle.get("edge"), str) and bundle["edge"]:  # a typed code: the pin vouches
        offer = EnrolmentOffer(bundle["edge"], offer.device, offer.code, offer.url, offer.ca)
    if bundle.get("edge") != offer.edge:
        raise EnrolmentError("edge_mismatch", f"the server at {host}:{port} says it is {bundle.get('edge')!r}, "
                             f"the QR code is for {offer.edge!r}: ask staff for a new code")
    server_cert = _load(peer, "the server certificate")
    name = server_name(server_cert, ca)
    configured_root = hub_root or (identity.hub_root_path.read_text() if identity.hub_root_path.exists() else None)
    if configured_root:
        check_cross(server_cert, bundle.get("cross_certificate"), configured_root, name)

    answer, _ = _call(host, port, "POST", "/v1/tablets/enrol", pinned_context(ca_pem, name),
                      {"code": offer.code, "device": offer.device, "csr": identity.csr_pem(offer.device)}, timeout)
    certificate = _check_certificate(answer, identity, offer.device, ca)
    broker = answer.get("broker")
    if not isinstance(broker, dict) or not isinstance(broker.get("name"), str) or not isinstance(broker.get("port"),
                                                                                                  int):
        raise EnrolmentError("bad_answer", "the edge's answer lacks broker.name and broker.port: update the edge")
    identity.save(
        Enrolment(edge=offer.edge, device=offer.device, broker_name=broker["name"], broker_port=broker["port"],
                  url=offer.url, ca_pin=offer.ca, renew_after=_renew_after(answer, certificate), address=host),
        certificate=answer["certificate"], ca=ca_pem, cross=answer.get("cross_certificate"),
        hub_root=configured_root or answer.get("hub_root"))
    return identity


def renew(folder: str | Path, address: str | None = None, *, timeout: float = TIMEOUT_S) -> TabletIdentity:
    """A fresh certificate for the tablet's key, over mutual TLS with its current certificate."""
    identity = TabletIdentity(folder)
    if not identity.enrolled:
        raise EnrolmentError("not_enrolled", f"{folder} holds no enrolment: enrol with a QR code first")
    state = identity.state
    host, port = endpoint(state.url, address or state.address or None)
    answer, _ = _call(host, port, "POST", "/v1/tablets/renew", identity.ssl_context(),
                      {"csr": identity.csr_pem(state.device)}, timeout)
    ca = _load(identity.ca_path.read_text(), "the pinned tablet CA")
    certificate = _check_certificate(answer, identity, state.device, ca)
    identity.save_certificate(answer["certificate"], _renew_after(answer, certificate))
    return identity


def renew_if_due(folder: str | Path, address: str | None = None) -> bool:
    identity = TabletIdentity(folder)
    if not identity.due_for_renewal():
        return False
    renew(folder, address)
    return True


# checks ------------------------------------------------------------------------------------
def endpoint(url: str, address: str | None = None) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise EnrolmentError("bad_offer", f"the edge's address {url!r} is not an https://host:port URL")
    return address or parts.hostname, parts.port or 443


def server_name(server_cert: x509.Certificate, ca: x509.Certificate) -> str:
    """The DNS name the edge's certificate is valid for under the pinned CA (the first that is)."""
    try:
        names = server_cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        names = None
    for name in names.get_values_for_type(x509.DNSName) if names else []:
        try:
            pki.verify_server(server_cert, [], [ca], name)
        except pki.PkiError:
            continue
        return name
    raise EnrolmentError("ca_mismatch", "the server's certificate was not issued by the CA in the QR code: "
                         "do not use this network, and tell staff")


def check_cross(server_cert: x509.Certificate, cross_pem: str | None, hub_root_pem: str, name: str) -> None:
    """The hub vouches for this edge: server certificate -> cross-certificate -> hub root."""
    if not cross_pem:
        raise EnrolmentError("cross_invalid", "the edge has no cross-certificate from the hub: it is not "
                             "enrolled with the hub yet (tell staff)")
    try:
        pki.verify_server(server_cert, pki.load_certs(cross_pem.encode()), pki.load_certs(hub_root_pem.encode()),
                          name)
    except pki.PkiError as exc:
        raise EnrolmentError("cross_invalid", f"the hub does not vouch for this edge ({exc}): do not use this "
                             "network, and tell staff") from None


def _check_certificate(answer: dict, identity: TabletIdentity, device: str, ca: x509.Certificate) -> x509.Certificate:
    certificate = _load(_field(answer, "certificate"), "the tablet's certificate")
    if pki.spki_sha256(certificate) != pki.spki_sha256(identity.key().public_key()):
        raise EnrolmentError("bad_answer", "the edge sent a certificate for another key")
    try:
        pki.verify_client(certificate, [], [ca])
        cn = pki.common_name(certificate)
    except pki.PkiError as exc:
        raise EnrolmentError("bad_answer", f"the edge's certificate for this tablet is not usable: {exc}") from None
    if cn != device:
        raise EnrolmentError("bad_answer", f"the edge sent a certificate for {cn!r}, not {device!r}")
    return certificate


def _renew_after(answer: dict, certificate: x509.Certificate) -> str:
    if isinstance(answer.get("renew_after"), str):
        return answer["renew_after"]
    return timestamp(pki.renew_after(certificate))


def _field(answer: dict, key: str) -> str:
    if not isinstance(answer.get(key), str):
        raise EnrolmentError("bad_answer", f"the edge's answer lacks {key!r}: update the edge")
    return answer[key]


def _load(pem_or_der: str | bytes, what: str) -> x509.Certificate:
    try:
        if isinstance(pem_or_der, bytes):
            return x509.load_der_x509_certificate(pem_or_der)
        return pki.load_cert(pem_or_der.encode())
    except (ValueError, pki.PkiError) as exc:
        raise EnrolmentError("bad_answer", f"{what} is unreadable ({exc})") from None


# HTTPS -------------------------------------------------------------------------------------
def _unverified() -> ssl.SSLContext:
    """For GET /v1/enrol/ca only: what it returns is checked against the QR code's pin."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # nosec: the answer is checked against the pin before use
    return context


def _call(host: str, port: int, method: str, path: str, context: ssl.SSLContext, body: dict | None = None,
          timeout: float = TIMEOUT_S) -> tuple[dict, bytes]:
    """One HTTPS request; returns (JSON answer, the server's certificate in DER). A refusal raises
    EnrolmentError with the edge's code and reason."""
    conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
    try:
        conn.connect()
        peer = conn.sock.getpeercert(binary_form=True)
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data, headers={"Content-Type": "application/json"} if data else {})
        response = conn.getresponse()
        raw = response.read()
    except ssl.SSLCertVerificationError as exc:
        raise EnrolmentError("ca_mismatch", f"the server at {host}:{port} did not prove it is the edge "
                             f"({exc.verify_message}): do not use this network, and tell staff") from None
    except (OSError, http.client.HTTPException) as exc:
        raise EnrolmentError("unreachable", f"cannot reach the edge at {host}:{port} ({exc}): check the wifi "
                             "and try again") from None
    finally:
        conn.close()
    try:
        answer = json.loads(raw)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise EnrolmentError("bad_answer", f"the edge answered {response.status} without JSON", response.status)
    if response.status != 200:
        retry_after = answer.get("retry_after")
        raise EnrolmentError(str(answer.get("error", "refused")), str(answer.get("reason", "")), response.status,
                             float(retry_after) if isinstance(retry_after, int | float) else None)
    return answer, peer
