"""The hub's certificate authority and its own HTTPS certificate, as files in the instance:

    ca/root.key    (0600)  the root's private key: signs edge certificates and cross-certificates
    ca/root.pem            the root (self-signed, pathlen 1, 10 years); edges pin its public key
    tls/server.key (0600)  the hub's HTTPS key, kept when the certificate is re-issued
    tls/server.pem         the hub's HTTPS certificate, issued by the root for TLS_NAMES (90 days)

The root pin is `provisioning.pki.spki_sha256` of the root: `throughgate hub init` prints it and
every `throughgate edge enrol` command line carries it.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from hub.config import HubConfigError
from provisioning import pki
from provisioning.files import write_atomic, write_private

ROOT_DAYS = 3650
ROOT_CN = "Throughgate hub root CA"
SERVER_DAYS = 90


@dataclass(frozen=True)
class CaFiles:
    instance: Path

    root_key = property(lambda self: self.instance / "ca" / "root.key")
    root_cert = property(lambda self: self.instance / "ca" / "root.pem")
    server_key = property(lambda self: self.instance / "tls" / "server.key")
    server_cert = property(lambda self: self.instance / "tls" / "server.pem")


def files(instance: str | os.PathLike) -> CaFiles:
    return CaFiles(Path(instance))


def create_root(paths: CaFiles, now: dt.datetime | None = None) -> pki.Issuer:
    """Make the root key and certificate. An existing root is never replaced: every edge pins it."""
    if paths.root_key.exists() or paths.root_cert.exists():
        raise HubConfigError(f"{paths.root_key.parent} already holds a root CA: the hub keeps it (every "
                             "edge pins it); move it away only to start a new hub")
    paths.root_key.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = pki.new_key()
    root = pki.make_root(key, ROOT_CN, ROOT_DAYS, now=now, path_length=1)
    write_private(paths.root_key, pki.key_to_pem(key))
    write_atomic(paths.root_cert, pki.cert_to_pem(root.cert))
    return root


def load_root(paths: CaFiles) -> pki.Issuer:
    try:
        key = pki.load_key(paths.root_key.read_bytes())
        cert = pki.load_cert(paths.root_cert.read_bytes())
    except FileNotFoundError as exc:
        raise HubConfigError(f"no root CA at {exc.filename}: run `throughgate hub init --instance "
                             f"{paths.instance}` first") from None
    except (OSError, pki.PkiError) as exc:
        raise HubConfigError(f"cannot read the hub's root CA in {paths.root_key.parent} ({exc}): "
                             "restore it from backup") from None
    if pki.spki_sha256(key.public_key()) != pki.spki_sha256(cert):
        raise HubConfigError(f"{paths.root_key} does not belong to {paths.root_cert}: restore both from "
                             "the same backup")
    return pki.Issuer(cert, key)


def root_pin(root: pki.Issuer) -> str:
    return pki.spki_sha256(root.cert)


def server_cert_due(paths: CaFiles, names: list[str], now: dt.datetime | None = None) -> bool:
    """True when the HTTPS certificate or key is missing, unreadable or mismatched (a crash between
    the two writes), past 2/3 of its life, or made for other names."""
    try:
        cert = pki.load_cert(paths.server_cert.read_bytes())
        key = pki.load_key(paths.server_key.read_bytes())
    except (OSError, pki.PkiError):
        return True
    return pki.server_cert_due(cert, key, names, now)


def issue_server_cert(root: pki.Issuer, paths: CaFiles, names: list[str],
                      now: dt.datetime | None = None) -> x509.Certificate:
    """An HTTPS certificate for `names`, for the hub's existing key (a new one, written first, if
    it has none or an unreadable one); like the edge's server certificate, the key stays."""
    names = pki.canonical_names(names)
    key = server_key(paths)
    cert = pki.issue(root, key.public_key(), names[0], pki.SERVER, SERVER_DAYS, dns_names=names, now=now)
    write_atomic(paths.server_cert, pki.cert_to_pem(cert))
    return cert


def server_key(paths: CaFiles):
    """The hub's HTTPS key: the one in tls/server.key if it reads as a key, else a new one, written."""
    try:
        return pki.load_key(paths.server_key.read_bytes())
    except (OSError, pki.PkiError):
        pass
    paths.server_key.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = pki.new_key()
    write_private(paths.server_key, pki.key_to_pem(key), replace=True)
    return key


def ensure_server_cert(root: pki.Issuer, paths: CaFiles, names: list[str],
                       now: dt.datetime | None = None) -> bool:
    """Re-issue the HTTPS certificate when due; True if it did."""
    if not server_cert_due(paths, names, now):
        return False
    issue_server_cert(root, paths, names, now)
    return True
