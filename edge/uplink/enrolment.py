"""The edge and the hub: enrolment with a bootstrap token, then renewal over mutual TLS.

    enrol:  fetch the hub root, check it against the pin  ->  POST /v1/enrol (token, CSR, signing
            key, tablet CA)  ->  keep the edge certificate, the cross-certificate, the hub keys
    renew:  POST /v1/edge/renew with the current certificate  ->  new certificate + cross-certificate
    refresh_hub_keys:  GET /v1/edge/hub-keys  ->  a rotated sealing key reaches the edge

Every failure raises EnrolmentError with what the person at the box should do.
"""

from __future__ import annotations

import hmac
import json
import logging
import ssl
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from edge.config import CONFIG_NAME, EdgeConfig, dump
from edge.identity import EdgeFiles, edge_cert, edge_key, tablet_ca
from edge.uplink.hubclient import HubClient
from provisioning import pki, tokens
from provisioning.files import write_atomic
from wire.keys import HubPublicKeys, verify_key_to_pem

log = logging.getLogger(__name__)


class EnrolmentError(RuntimeError):
    """Enrolment or renewal failed. The message says what to do."""


def fetch_hub_root(hub_url: str, pin: str, timeout: float = 30.0) -> bytes:
    """The hub's root certificate, trusted only if its public key hashes to `pin`.

    This first request cannot check the hub's certificate (the edge has no root yet); the pin,
    given by the hub's admin with the token, is what makes it safe."""
    pin = pin.strip().lower().removeprefix("sha256:")
    unverified = ssl._create_unverified_context()  # noqa: S323 (checked against the pin below)
    try:
        with urllib.request.urlopen(f"{hub_url.rstrip('/')}/v1/enrol/ca", timeout=timeout,  # noqa: S310
                                    context=unverified) as response:
            pem = response.read()
    except (OSError, urllib.error.URLError) as exc:
        raise EnrolmentError(f"cannot reach the hub at {hub_url} ({exc}): check the URL and this box's "
                             "uplink, then run the command again") from None
    try:
        root = pki.load_cert(pem)
    except pki.PkiError as exc:
        raise EnrolmentError(f"the hub at {hub_url} did not send a certificate ({exc})") from None
    if not hmac.compare_digest(pki.spki_sha256(root), pin):
        raise EnrolmentError(f"the hub at {hub_url} is not the hub you were given: its root key's SHA-256 is "
                             f"{pki.spki_sha256(root)}, the pin says {pin}. Do not go on; ask the hub's admin")
    return pki.cert_to_pem(root)


def same_hub_url(given: str, configured: str) -> bool:
    """Two spellings of one hub URL: case of scheme and host, a default port 443, a trailing slash."""
    def canonical(url: str) -> tuple:
        parts = urlsplit(url.strip())
        try:
            port = parts.port or (443 if parts.scheme.lower() == "https" else None)
        except ValueError:
            port = None
        return parts.scheme.lower(), (parts.hostname or "").lower(), port, parts.path.rstrip("/")

    return canonical(given) == canonical(configured)


def other_hub_url(given: str, config: EdgeConfig) -> str:
    """Why `edge enrol --hub-url` refuses a hub other than the configured one, and what to do."""
    return (f"--hub-url {given} is not the hub this edge was set up with: {config.uplink.hub_url} ([uplink] hub_url "
            f"in {config.instance / CONFIG_NAME}, from `edge init`). Nothing changed. The edge enrols with, and "
            "sends to, the hub in its edge.toml: leave out --hub-url to use it. To move this edge to another hub, "
            f"change [uplink] hub_url in {config.instance / CONFIG_NAME} (a box set up from a site file: hub_url in "
            "the site file, then apply the playbook again) and run this command again")


def enrol(config: EdgeConfig, hub_url: str, token: str, pin: str, verify_key) -> None:
    """Redeem a bootstrap token: afterwards every request to the hub is mutual TLS."""
    tokens.parse_bootstrap_token(token)  # a pasting mistake is caught before any network
    files = EdgeFiles(config.instance)
    root_pem = fetch_hub_root(hub_url, pin)
    write_atomic(files.hub_root, root_pem)
    key = edge_key(files)
    client = HubClient(hub_url, ca_file=files.hub_root)
    request = {
        "token": token.strip(), "edge_id": config.edge_id,
        "csr": pki.csr_to_pem(pki.make_csr(key, config.edge_id)).decode(),
        "signing_key": verify_key_to_pem(verify_key).decode(),
        "tablet_ca": files.ca_cert.read_text(), **_names(config),
    }
    status, body = _call(client, "POST", "/v1/enrol", request)
    if status != 200:
        raise EnrolmentError(f"the hub refused enrolment: {body.get('error')}: {body.get('reason')}")
    _keep(files, config, body)
    log.info("edge %s enrolled at %s", config.edge_id, hub_url)


def renew(config: EdgeConfig, client: HubClient):
    """A fresh edge certificate (same key) and cross-certificate, over the current mutual TLS."""
    files = EdgeFiles(config.instance)
    key = edge_key(files)
    request = {"csr": pki.csr_to_pem(pki.make_csr(key, config.edge_id)).decode(),
               "tablet_ca": files.ca_cert.read_text(), **_names(config)}
    status, body = _call(client, "POST", "/v1/edge/renew", request)
    if status != 200:
        raise EnrolmentError(f"the hub refused renewal: {body.get('error')}: {body.get('reason')}")
    _keep(files, config, body)
    cert = edge_cert(files)
    log.info("edge certificate renewed, valid until %s", cert.not_valid_after_utc.isoformat())
    return cert


def refresh_hub_keys(config: EdgeConfig, client: HubClient) -> HubPublicKeys | None:
    """The hub's current public keys; written and returned only when they changed."""
    status, body = _call(client, "GET", "/v1/edge/hub-keys")
    if status != 200:
        raise EnrolmentError(f"the hub refused its keys: {body.get('error')}: {body.get('reason')}")
    try:
        return _write_hub_keys(config, body)
    except ValueError as exc:
        raise EnrolmentError(f"the hub sent unreadable keys ({exc}): report this to the hub's admin") from None


def _write_hub_keys(config: EdgeConfig, document: dict) -> HubPublicKeys | None:
    """Keep the hub's public key document; the keys if they changed, None if not."""
    text = json.dumps(document, indent=1)
    keys = HubPublicKeys.from_document(text)  # refuses a malformed document before it is written
    if config.hub_keys_path.exists() and config.hub_keys_path.read_text() == text:
        return None
    write_atomic(config.hub_keys_path, text.encode())
    log.info("hub public keys: sealing key %s", keys.sealing.id)
    return keys


def _names(config: EdgeConfig) -> dict:
    """Ask for a DNS name only if the operator set one (tls_name); otherwise the hub chooses it."""
    return {"dns_names": [config.tls_name]} if config.tls_name else {}


def _call(client: HubClient, method: str, path: str, payload: dict | None = None) -> tuple[int, dict]:
    try:
        return client.call_json(method, path, payload)
    except OSError as exc:
        raise EnrolmentError(f"{exc}: check the uplink and run again") from None
    finally:
        client.close()


def _keep(files: EdgeFiles, config: EdgeConfig, body: dict) -> None:
    try:
        cert = pki.load_cert(body["certificate"].encode())
        cross = pki.load_cert(body["cross_certificate"].encode())
        HubPublicKeys.from_document(json.dumps(body["hub_keys"]))  # refuse a malformed document now
        pki.verify_client(cert, [], [pki.load_cert(files.hub_root.read_bytes())])
    except (KeyError, AttributeError, ValueError) as exc:
        raise EnrolmentError(f"the hub's answer is incomplete or its certificate does not check out ({exc}): "
                             "report this to the hub's admin") from None
    if pki.common_name(cert) != config.edge_id or pki.spki_sha256(cert) != pki.spki_sha256(edge_key(files)):
        raise EnrolmentError("the hub issued a certificate for another name or key: report this to the hub's admin")
    if pki.spki_sha256(cross) != pki.spki_sha256(tablet_ca(files).cert):
        raise EnrolmentError("the hub's cross-certificate is for another tablet CA: report this to the hub's admin")
    write_atomic(files.edge_cert, pki.cert_to_pem(cert))
    write_atomic(files.cross_cert, pki.cert_to_pem(cross))
    _write_hub_keys(config, body["hub_keys"])
    name = body.get("dns_name")
    if isinstance(name, str) and name and name != config.server_name:  # the name the hub vouches for
        config.tls_name = name
        (config.instance / CONFIG_NAME).write_text(dump(config))
        log.info("the hub vouches for this edge as %s: tls_name set", name)
