"""X.509 for Throughgate: keys, certificate requests, certificates and revocation lists.

Pure functions over `cryptography` objects; reading and writing files is the caller's job.

Key type: ECDSA P-256 everywhere. Android's enterprise wifi and hostapd's EAP-TLS accept it,
and so do Mosquitto, Python's ssl and every browser. Private keys are made where they live and
only certificate requests (CSRs) travel.

Profiles (what a certificate may be used for):
- ROOT:      a self-signed CA (the hub's root; each edge's tablet CA).
- CROSS:     the hub's certificate for an edge's tablet CA key: pathlen 0, name-constrained to
             that edge's own DNS names and no IP address, so anyone holding the hub root can check
             an edge, and a stolen edge can vouch for nothing outside itself.
- CLIENT:    TLS client (an edge to the hub; a tablet to its edge, and EAP-TLS on the wifi).
- SERVER:    TLS server, with the planned DNS names in subjectAltName (Android 11+ refuses an
             enterprise network whose server certificate does not match a domain).

Validity starts NOT_BEFORE_SKEW before `now`, so a box whose clock runs a little behind the
issuer's still accepts a certificate fresh from it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import re
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOT_BEFORE_SKEW = dt.timedelta(hours=1)
ORGANIZATION = "Throughgate"
MIN_RSA_BITS = 2048
_PEM_CERT = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----\n?", re.S)

ROOT, CROSS, CLIENT, SERVER = "root", "cross", "client", "server"


class PkiError(ValueError):
    """A key, request or certificate that cannot be used. The message says what is wrong."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# keys ------------------------------------------------------------------------------------
def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def key_to_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def load_key(pem: bytes):
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise PkiError(f"not an unencrypted private key in PEM form ({exc})") from None
    _check_key_type(key.public_key())
    return key


def _check_key_type(public_key) -> None:
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        if public_key.curve.name != "secp256r1":
            raise PkiError(f"EC key on {public_key.curve.name}: use P-256 (secp256r1)")
    elif isinstance(public_key, rsa.RSAPublicKey):
        if public_key.key_size < MIN_RSA_BITS:
            raise PkiError(f"RSA key of {public_key.key_size} bits: use at least {MIN_RSA_BITS}")
    else:
        raise PkiError(f"{type(public_key).__name__}: use ECDSA P-256 (or RSA {MIN_RSA_BITS}+), "
                       "which Android wifi and hostapd accept")


def spki_sha256(obj) -> str:
    """Hex SHA-256 of the SubjectPublicKeyInfo of a certificate, CSR or public key: a pin that
    survives re-issuing a certificate for the same key."""
    public_key = obj.public_key() if hasattr(obj, "public_key") else obj
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


# PEM -------------------------------------------------------------------------------------
def cert_to_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def certs_to_pem(certs) -> bytes:
    return b"".join(cert_to_pem(cert) for cert in certs)


def load_cert(pem: bytes) -> x509.Certificate:
    certs = load_certs(pem)
    if len(certs) != 1:
        raise PkiError(f"expected one certificate, found {len(certs)}")
    return certs[0]


def load_certs(pem: bytes) -> list[x509.Certificate]:
    blocks = _PEM_CERT.findall(pem if isinstance(pem, bytes) else pem.encode())
    if not blocks:
        raise PkiError("no PEM certificate found (it starts with -----BEGIN CERTIFICATE-----)")
    try:
        return [x509.load_pem_x509_certificate(block) for block in blocks]
    except ValueError as exc:
        raise PkiError(f"unreadable certificate ({exc})") from None


def csr_to_pem(csr: x509.CertificateSigningRequest) -> bytes:
    return csr.public_bytes(serialization.Encoding.PEM)


def load_csr(pem: bytes | str) -> x509.CertificateSigningRequest:
    """A certificate request, checked: readable, self-signed correctly, and a key type clients accept."""
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        csr = x509.load_pem_x509_csr(data)
    except ValueError as exc:
        raise PkiError(f"not a PEM certificate request ({exc})") from None
    if not csr.is_signature_valid:
        raise PkiError("the certificate request's signature does not match its key")
    _check_key_type(csr.public_key())
    return csr


def crl_to_pem(crl: x509.CertificateRevocationList) -> bytes:
    return crl.public_bytes(serialization.Encoding.PEM)


def load_crl(pem: bytes) -> x509.CertificateRevocationList:
    try:
        return x509.load_pem_x509_crl(pem)
    except ValueError as exc:
        raise PkiError(f"not a PEM revocation list ({exc})") from None


# names -------------------------------------------------------------------------------------
def name(common_name: str, unit: str | None = None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION)]
    if unit:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def common_name(cert_or_csr) -> str:
    values = cert_or_csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if len(values) != 1:
        raise PkiError("the subject must hold exactly one common name")
    return str(values[0].value)


def make_csr(key, cn: str) -> x509.CertificateSigningRequest:
    return (x509.CertificateSigningRequestBuilder().subject_name(name(cn))
            .sign(key, hashes.SHA256()))


# issuing ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Issuer:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def name(self) -> x509.Name:
        return self.cert.subject


def make_root(key, cn: str, days: int, unit: str | None = None, now: dt.datetime | None = None,
              path_length: int = 0) -> Issuer:
    """A self-signed CA. path_length 0: it signs end-entity certificates only (an edge's tablet CA);
    1: it may also certify one level of CA below it (the hub root, for its cross-certificates)."""
    now = now or utcnow()
    subject = name(cn, unit)
    builder = _base(subject, subject, key.public_key(), now, days)
    builder = _ca_extensions(builder, key.public_key(), key.public_key(), path_length)
    return Issuer(builder.sign(key, hashes.SHA256()), key)


def cross_certify(issuer: Issuer, ca_cert: x509.Certificate, days: int, permitted_dns: list[str],
                  now: dt.datetime | None = None) -> x509.Certificate:
    """The hub's certificate for another CA's key and subject (an edge's tablet CA): pathlen 0, and
    DNS name constraints, so through the hub root it vouches only for that edge's own server names.
    Every IP address is excluded: permitted DNS subtrees alone leave IP subjectAltNames
    unconstrained, and the edge could vouch for the hub's own address.
    (No directoryName constraint: `cryptography`'s verifier refuses them, and the tablet CA's client
    certificates are only ever checked by its own edge, which trusts that CA directly.)"""
    now = now or utcnow()
    builder = _base(ca_cert.subject, issuer.name, ca_cert.public_key(), now, days)
    builder = _ca_extensions(builder, ca_cert.public_key(), issuer.key.public_key())
    builder = builder.add_extension(x509.NameConstraints(
        permitted_subtrees=[x509.DNSName(dns) for dns in permitted_dns],
        excluded_subtrees=[x509.IPAddress(ipaddress.ip_network(everything)) for everything in ("0.0.0.0/0", "::/0")]),
        critical=True)
    return builder.sign(issuer.key, hashes.SHA256())


def issue(issuer: Issuer, public_key, cn: str, profile: str, days: int, *, unit: str | None = None,
          dns_names: tuple[str, ...] | list[str] = (), now: dt.datetime | None = None) -> x509.Certificate:
    """An end-entity certificate for `public_key` (from a checked CSR), signed by `issuer`.

    A client certificate names its holder twice: CN (what Mosquitto and hostapd read) and a URI
    subjectAltName `urn:throughgate:<unit>:<cn>` (RFC 5280 clients, `cryptography`'s verifier)."""
    if profile not in (CLIENT, SERVER):
        raise PkiError(f"unknown certificate profile {profile!r}")
    _check_key_type(public_key)
    if profile == SERVER and not dns_names:
        raise PkiError("a server certificate needs at least one DNS name (Android checks the domain)")
    now = now or utcnow()
    builder = _base(name(cn, unit), issuer.name, public_key, now, days)
    builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    builder = builder.add_extension(x509.KeyUsage(
        digital_signature=True, key_encipherment=isinstance(public_key, rsa.RSAPublicKey),
        content_commitment=False, data_encipherment=False, key_agreement=False, key_cert_sign=False,
        crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
    usage = ExtendedKeyUsageOID.CLIENT_AUTH if profile == CLIENT else ExtendedKeyUsageOID.SERVER_AUTH
    builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    builder = builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    alt_names = [_general_name(n) for n in dns_names]
    if profile == CLIENT:
        alt_names.append(x509.UniformResourceIdentifier(client_uri(cn, unit)))
    builder = builder.add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
    return builder.sign(issuer.key, hashes.SHA256())


def client_uri(cn: str, unit: str | None = None) -> str:
    return f"urn:throughgate:{unit or 'hub'}:{cn}"


def _general_name(value: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(value))
    except ValueError:
        return x509.DNSName(value)


def _base(subject: x509.Name, issuer: x509.Name, public_key, now: dt.datetime, days: int) -> x509.CertificateBuilder:
    if days < 1:
        raise PkiError("a certificate must be valid for at least a day")
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - NOT_BEFORE_SKEW)
            .not_valid_after(now + dt.timedelta(days=days)))


def _ca_extensions(builder: x509.CertificateBuilder, subject_key, issuer_key,
                   path_length: int = 0) -> x509.CertificateBuilder:
    builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
    builder = builder.add_extension(x509.KeyUsage(
        digital_signature=False, key_encipherment=False, content_commitment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False),
        critical=True)
    builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(subject_key), critical=False)
    return builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key), critical=False)


# revocation ------------------------------------------------------------------------------------
def make_crl(issuer: Issuer, revoked: list[tuple[int, dt.datetime]], number: int, valid_days: float,
             now: dt.datetime | None = None) -> x509.CertificateRevocationList:
    """A CRL listing (serial, revoked_at) pairs, valid until now + valid_days (its nextUpdate)."""
    now = now or utcnow()
    builder = (x509.CertificateRevocationListBuilder().issuer_name(issuer.name)
               .last_update(now - NOT_BEFORE_SKEW).next_update(now + dt.timedelta(days=valid_days))
               .add_extension(x509.CRLNumber(number), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
                              critical=False))
    for serial, when in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build())
    return builder.sign(issuer.key, hashes.SHA256())


# checking ------------------------------------------------------------------------------------
def remaining(cert_or_crl, now: dt.datetime | None = None) -> dt.timedelta:
    """Time left before a certificate's notAfter or a CRL's nextUpdate."""
    now = now or utcnow()
    end = getattr(cert_or_crl, "not_valid_after_utc", None) or cert_or_crl.next_update_utc
    return end - now


def renew_after(cert, fraction: float = 2 / 3) -> dt.datetime:
    """When `fraction` of the certificate's validity period has passed: the time to renew it."""
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    return start + (end - start) * fraction


def due_for_renewal(cert, fraction: float = 2 / 3, now: dt.datetime | None = None) -> bool:
    """True once `fraction` of the validity period has passed."""
    return (now or utcnow()) >= renew_after(cert, fraction)


def alt_names(cert: x509.Certificate) -> set[str]:
    """The DNS names and IP addresses (as text) a certificate is for."""
    try:
        alt = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    return set(alt.get_values_for_type(x509.DNSName)) | {str(ip) for ip in alt.get_values_for_type(x509.IPAddress)}


def canonical_names(names: list[str]) -> list[str]:
    """IP addresses in their canonical text and DNS names in lower case, as a certificate holds them."""
    out = []
    for value in names:
        try:
            out.append(str(ipaddress.ip_address(value)))
        except ValueError:
            out.append(value.lower())
    return out


def server_cert_due(cert: x509.Certificate, key, names: list[str], now: dt.datetime | None = None) -> bool:
    """A server certificate needs re-issuing: its key is not `key` (a crash between two writes), it
    is past 2/3 of its life, or it is for other names than `names`."""
    return (spki_sha256(key.public_key()) != spki_sha256(cert) or due_for_renewal(cert, now=now)
            or alt_names(cert) != set(canonical_names(names)))


def verify_client(cert: x509.Certificate, chain: list[x509.Certificate], roots: list[x509.Certificate],
                  now: dt.datetime | None = None) -> None:
    """Check a client certificate up to one of `roots` (signature, validity, CA constraints,
    name constraints, clientAuth). Raises PkiError saying why not."""
    from cryptography.x509 import verification

    store = verification.Store(roots)
    builder = verification.PolicyBuilder().store(store).time(now or utcnow())
    try:
        builder.build_client_verifier().verify(cert, chain)
    except verification.VerificationError as exc:
        raise PkiError(f"certificate not accepted: {exc}") from None


def verify_server(cert: x509.Certificate, chain: list[x509.Certificate], roots: list[x509.Certificate],
                  dns_name: str, now: dt.datetime | None = None) -> None:
    from cryptography.x509 import verification

    store = verification.Store(roots)
    builder = verification.PolicyBuilder().store(store).time(now or utcnow())
    try:
        builder.build_server_verifier(x509.DNSName(dns_name)).verify(cert, chain)
    except verification.VerificationError as exc:
        raise PkiError(f"certificate not accepted for {dns_name}: {exc}") from None
