"""Tablets at this edge: enrolment codes, certificates, revocation and the CRL.

    create_code(device, learner) staff make a one-time code (and QR) for one tablet, naming its learner
    redeem(code, device, csr)    the tablet sends its CSR with the code; it gets its certificate
    renew(device, serial, csr)   a tablet with a valid certificate gets a fresh one
    revoke(device)               cut a tablet off: a new CRL at once, its session closed
    write_crl()                  re-issue the CRL (daily, and on every revocation)

Service functions over the store (call store.open_store first); files through EdgeFiles.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from edge import store
from edge.identity import EdgeFiles, tablet_ca
from edge.intake import bindings
from edge.plans import items as plan_items
from edge.transfers import tablet as transferred
from edge.wifi import eap
from provisioning import pki, tokens
from provisioning.files import write_atomic
from wire.records import RESERVED_DEVICES, parse_timestamp, timestamp, valid_device_id

log = logging.getLogger(__name__)

ACTIVE, REVOKED = "active", "revoked"
CRL_NUMBER = "crl_number"


class TabletError(ValueError):
    """A refusal a tablet or a member of staff sees. code: short word; status: HTTP status."""

    def __init__(self, code: str, reason: str, status: int = 400):
        super().__init__(reason)
        self.code, self.reason, self.status = code, reason, status


@dataclass(frozen=True)
class Issued:
    device: str
    certificate: pki.x509.Certificate
    revoked_older: int = 0  # earlier certificates of this device revoked by a re-enrolment


def _now() -> dt.datetime:
    return pki.utcnow()


def create_code(device: str, ttl_s: int, now: dt.datetime | None = None, learner: str | None = None) -> tuple[str, str]:
    """A one-time enrolment code for `device`; returns (code, expires). Only its digest is stored. With
    `learner`, redeeming it binds the tablet to that learner (edge.intake.bindings)."""
    if not valid_device_id(device):
        raise TabletError("bad_device", "device id: lower-case letters, digits and '-', at most 63 characters")
    if device in RESERVED_DEVICES:
        raise TabletError("bad_device", f"{device!r} is reserved for the records staff make at the console: "
                                        "give the tablet another device id")
    tablet = store.Tablet.get_or_none(store.Tablet.device == device)
    if tablet is not None and tablet.status == REVOKED:
        raise TabletError("device_revoked", f"{device} was revoked: give the replacement tablet a new device id",
                          403)
    try:
        learner = bindings.check_learner(learner)
        bindings.check_free(learner, device)
    except bindings.BindingError as exc:
        raise TabletError(exc.code, exc.reason, exc.status) from None
    now = now or _now()
    code = tokens.new_enrolment_code()
    expires = timestamp(now + dt.timedelta(seconds=ttl_s))
    with store.writing():
        store.EnrolmentCode.create(digest=tokens.digest(code), device=device, expires=expires, created=timestamp(now),
                                   learner=learner)
    return code, expires


def redeem(code: str, device: str, csr_pem: str, files: EdgeFiles, cert_days: int,
           now: dt.datetime | None = None, crl_days: float = 14.0) -> Issued:
    """Check the code (once, for this device, in time) and issue the tablet's certificate. If the
    device id was enrolled before, its earlier certificates are revoked (a new CRL is written; the
    caller closes the old tablet's live session, see Issued.revoked_older)."""
    now = now or _now()
    try:
        code = tokens.normalise_code(code)
    except tokens.TokenError as exc:
        raise TabletError("code_invalid", str(exc), 401) from None
    try:
        csr = pki.load_csr(csr_pem)
    except pki.PkiError as exc:
        raise TabletError("bad_csr", f"{exc}: make a new P-256 key and certificate request") from None
    with store.writing():
        row = store.EnrolmentCode.get_or_none(store.EnrolmentCode.digest == tokens.digest(code))
        if row is None or row.device != device:
            raise TabletError("code_invalid", "this code is not valid for this device: check the device id and "
                              "the code, or ask staff for a new code", 401)
        if row.used:
            raise TabletError("code_used", f"this code was already used at {row.used}: ask staff for a new code", 410)
        if row.expires <= timestamp(now):
            raise TabletError("code_expired", f"this code expired at {row.expires}: ask staff for a new code", 410)
        tablet = store.Tablet.get_or_none(store.Tablet.device == device)
        if tablet is not None and tablet.status == REVOKED:
            raise TabletError("device_revoked", f"{device} was revoked", 403)
        row.used = timestamp(now)
        row.save()
        # Re-enrolling a device id (a replacement tablet) cuts off the one it replaces.
        older = (store.TabletCert.update(revoked=timestamp(now))
                 .where(store.TabletCert.device == device, store.TabletCert.revoked.is_null()).execute())
        issued = _issue(device, csr.public_key(), files, cert_days, now)
        try:
            learner = bindings.bind(device, row.learner)
        except bindings.BindingError as exc:  # another tablet was bound to the learner since: nothing issued
            raise TabletError(exc.code, exc.reason, exc.status) from None
        if learner:
            transferred.queue_for(device, learner)  # what they brought from earlier prisons, if anything
            plan_items.queue_for(device, learner)  # their release plan, if staff wrote one before
    if learner:
        log.info("tablet %s is bound to learner %s", device, learner)
    if older:
        write_crl(files, crl_days, now)  # refreshes the wifi too
        log.info("tablet %s enrolled again: %d earlier certificate(s) revoked", device, older)
    else:
        eap.refresh(files, now)  # the wifi learns the new certificate at once
    return Issued(issued.device, issued.certificate, older)


def renew(device: str, serial: int, csr_pem: str, files: EdgeFiles, cert_days: int,
          now: dt.datetime | None = None) -> Issued:
    """A fresh certificate for a tablet that proved it holds a current, unrevoked one."""
    now = now or _now()
    try:
        csr = pki.load_csr(csr_pem)
    except pki.PkiError as exc:
        raise TabletError("bad_csr", f"{exc}: make a new P-256 key and certificate request") from None
    with store.writing():
        tablet = store.Tablet.get_or_none(store.Tablet.device == device)
        if tablet is None:
            raise TabletError("unknown_device", f"{device} is not enrolled here: ask staff for an enrolment code", 403)
        if tablet.status != ACTIVE:
            raise TabletError("device_revoked", f"{device} was revoked at {tablet.revoked}: ask staff", 403)
        cert_row = store.TabletCert.get_or_none(store.TabletCert.serial == str(serial))
        if cert_row is None or cert_row.device != device or cert_row.revoked:
            raise TabletError("unknown_certificate", "this certificate is not one this edge issued to you", 403)
        if str(serial) != tablet.serial:  # a copy of an older certificate must not fork a second identity
            raise TabletError("superseded_certificate", "this certificate was already renewed: use the newer "
                              "one, or ask staff to enrol the tablet again", 403)
        issued = _issue(device, csr.public_key(), files, cert_days, now)
    eap.refresh(files, now)
    return issued


def _issue(device: str, public_key, files: EdgeFiles, cert_days: int, now: dt.datetime) -> Issued:
    issuer = tablet_ca(files)
    cert = pki.issue(issuer, public_key, device, pki.CLIENT, cert_days, unit=_unit(issuer), now=now)
    not_after = timestamp(cert.not_valid_after_utc)
    store.TabletCert.create(serial=str(cert.serial_number), device=device, not_after=not_after,
                            issued=timestamp(now))
    tablet = store.Tablet.get_or_none(store.Tablet.device == device)
    if tablet is None:
        store.Tablet.create(device=device, status=ACTIVE, serial=str(cert.serial_number), not_after=not_after,
                            enrolled=timestamp(now))
    else:
        tablet.serial, tablet.not_after = str(cert.serial_number), not_after
        tablet.save()
    log.info("certificate for tablet %s issued, valid until %s", device, not_after)
    return Issued(device, cert)


def _unit(issuer: pki.Issuer) -> str | None:
    units = issuer.cert.subject.get_attributes_for_oid(pki.NameOID.ORGANIZATIONAL_UNIT_NAME)
    return str(units[0].value) if units else None


def revoke(device: str, files: EdgeFiles, crl_days: float, now: dt.datetime | None = None) -> int:
    """Revoke every certificate of `device` and write the new CRL. Returns how many were revoked."""
    now = now or _now()
    with store.writing():
        tablet = store.Tablet.get_or_none(store.Tablet.device == device)
        if tablet is None:
            raise TabletError("unknown_device", f"no tablet {device} is enrolled here: "
                              "`throughgate edge tablets list` shows them", 404)
        tablet.status, tablet.revoked = REVOKED, tablet.revoked or timestamp(now)
        tablet.save()
        count = (store.TabletCert.update(revoked=timestamp(now))
                 .where(store.TabletCert.device == device, store.TabletCert.revoked.is_null()).execute())
        store.EnrolmentCode.delete().where(store.EnrolmentCode.device == device,
                                           store.EnrolmentCode.used.is_null()).execute()
    write_crl(files, crl_days, now)
    log.info("tablet %s revoked (%d certificate(s))", device, count)
    return count


def write_crl(files: EdgeFiles, crl_days: float, now: dt.datetime | None = None) -> pki.x509.CertificateRevocationList:
    """Issue a new CRL (next number) listing revoked certificates that have not yet expired, and
    replace the file atomically: Mosquitto and hostapd never read half of one."""
    now = now or _now()
    stamp = timestamp(now)
    with store.writing():
        revoked = [(int(row.serial), parse_timestamp(row.revoked))
                   for row in store.TabletCert.select().where(store.TabletCert.revoked.is_null(False),
                                                              store.TabletCert.not_after > stamp)]
        setting = store.Setting.get_or_none(store.Setting.key == CRL_NUMBER)
        number = int(setting.value) + 1 if setting else 1
        store.Setting.replace(key=CRL_NUMBER, value=str(number)).execute()
    crl = pki.make_crl(tablet_ca(files), revoked, number, crl_days, now)
    pem = pki.crl_to_pem(crl)
    pki.load_crl(pem)  # Mosquitto runs with no CRL check at all if it cannot read the file at SIGHUP
    write_atomic(files.crl, pem)
    eap.refresh(files, now)  # hostapd: the allowed certificates at once, its CRL within crl_reload_interval
    return crl


def crl_remaining(files: EdgeFiles, now: dt.datetime | None = None) -> dt.timedelta | None:
    if not files.crl.exists():
        return None
    return pki.remaining(pki.load_crl(files.crl.read_bytes()), now)


def listing() -> list[dict]:
    return [{"device": t.device, "status": t.status, "serial": t.serial, "not_after": t.not_after,
             "enrolled": t.enrolled, "revoked": t.revoked, "learner": t.learner}
            for t in store.Tablet.select().order_by(store.Tablet.device)]


def active_devices() -> list[str]:
    """The enrolled, unrevoked tablets: those the broker lets in (edge.host.broker_acl)."""
    return [t.device for t in store.Tablet.select(store.Tablet.device).where(store.Tablet.status == ACTIVE)
            .order_by(store.Tablet.device)]
