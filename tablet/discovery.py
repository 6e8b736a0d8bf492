"""Finding the tablet's own edge on the local network with zeroconf (mDNS/DNS-SD).

The edge announces `_throughgate._tcp.local.` with TXT v=1, edge, ca (pin of its tablet CA), https
(API port) and name (its TLS name). Anyone on the network can announce the same, so:

1. find_edge() keeps only services whose `edge` and `ca` equal the tablet's enrolment, and returns
   every address they announce as a Candidate. A hostile responder can copy the TXT, or even answer
   for the edge's own instance name: every record every responder sent is kept (see _Records), so
   its addresses are just more candidates and its TXT cannot hide the edge's.
2. connectable() proves a candidate with a TLS handshake that trusts only the pinned tablet CA and
   checks the announced name. A look-alike has no certificate from that CA, and fails.

Only then does the tablet send anything (TabletClient with identity.ssl_context()).
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading
import time
from dataclasses import dataclass

from zeroconf import (
    DNSAddress,
    DNSOutgoing,
    DNSPointer,
    DNSQuestion,
    DNSService,
    DNSText,
    InterfaceChoice,
    IPVersion,
    RecordUpdate,
    RecordUpdateListener,
    Zeroconf,
)

from tablet.identity import Enrolment, TabletIdentity
from wire.discovery import SERVICE_TYPE, names_edge, parse_txt

log = logging.getLogger(__name__)

_SERVICE_KEY = SERVICE_TYPE.lower()
_FLAGS_QUERY = 0  # a standard query (RFC 1035 4.1.1)
_TYPE_A, _TYPE_PTR, _TYPE_TXT, _TYPE_SRV, _CLASS_IN = 1, 12, 16, 33, 1  # RFC 1035, RFC 2782


@dataclass(frozen=True, order=True)
class Candidate:
    """An address that claims to be the tablet's edge (not yet proven: see connectable)."""

    address: str
    port: int  # MQTT over TLS
    name: str  # the TLS name to check on its certificate
    https_port: int | None = None  # the tablet API (renewal)
    instance: str = ""


def matches(txt: dict[str, str], enrolment: Enrolment) -> bool:
    """A service that says it is the edge this tablet enrolled with, under the CA it pinned."""
    return names_edge(txt, enrolment.edge, enrolment.ca_pin)


@dataclass(frozen=True)
class Announcement:
    """Everything heard for one instance name, from every responder that answered for it."""

    instance: str
    txts: list[dict[str, str]]  # one per distinct TXT record
    services: list[tuple[str, int]]  # (host name, port) per SRV record
    addresses: dict[str, list[str]]  # host name (lower case) -> IPv4 addresses


def candidates(announcement: Announcement, enrolment: Enrolment) -> list[Candidate]:
    """Every (address, port, name) of an instance whose TXT (any of them) matches the enrolment."""
    found = set()
    for txt in announcement.txts:
        if not matches(txt, enrolment):
            continue
        https = int(txt["https"]) if txt.get("https", "").isdigit() else None
        for host, port in announcement.services:
            for address in announcement.addresses.get(host.lower(), []):
                found.add(Candidate(address, port, txt.get("name") or enrolment.broker_name, https,
                                    announcement.instance))
    return sorted(found)


def find_edge(identity: TabletIdentity, timeout: float = 3.0, *,
              interfaces: list[str] | None = None) -> list[Candidate]:
    """Browse for `timeout` seconds and return the candidates for this tablet's edge (maybe none,
    maybe a look-alike among them: try them with connectable). interfaces: addresses to browse on
    (default: every interface)."""
    enrolment = identity.state
    heard = browse(timeout, interfaces=interfaces)
    found = sorted(c for announcement in heard for c in candidates(announcement, enrolment))
    log.info("zeroconf: %d service(s), %d candidate(s) for %s", len(heard), len(found), enrolment.edge)
    return found


def browse(timeout: float, *, interfaces: list[str] | None = None) -> list[Announcement]:
    """Every `_throughgate._tcp` instance heard within `timeout` seconds, unfiltered.

    Asks itself (at 0, 1, 3, 7 s: RFC 6762 5.2 wants the interval to double) rather than with a
    ServiceBrowser, and keeps every record
    every responder sends (_Records) rather than reading the cache. Both because a responder that
    answers for the edge's own instance name would otherwise hide the edge (seen in the network
    namespace test):
    - a browser lists what it already knows in its query (known-answer suppression, RFC 6762 7.1),
      and the edge stays silent about a PTR, SRV or TXT record identical to the copy's;
    - answers carry the cache-flush bit, so the copy's A record evicts the edge's from the cache.
    Nothing heard is trusted for it: each address is a candidate until TLS proves it."""
    zeroconf = Zeroconf(interfaces=interfaces or InterfaceChoice.All, ip_version=IPVersion.V4Only)
    records = _Records()
    zeroconf.add_listener(records, None)
    try:
        start = time.monotonic()
        ask_at, interval = start, 1.0
        while (now := time.monotonic()) < start + timeout:
            if now >= ask_at:
                zeroconf.send(records.query())
                ask_at, interval = ask_at + interval, interval * 2
            time.sleep(max(0.0, min(ask_at, start + timeout) - time.monotonic()))
        return records.announcements()
    finally:
        zeroconf.remove_listener(records)
        zeroconf.close()


class _Records(RecordUpdateListener):
    """Every PTR, SRV, TXT and A record heard for the service, from every responder (goodbyes
    ignored: a look-alike could send one for the edge's records)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._instances: dict[str, str] = {}  # lower case -> as announced
        self._txt: dict[str, set[bytes]] = {}
        self._srv: dict[str, set[tuple[str, int]]] = {}
        self._a: dict[str, set[str]] = {}

    def async_update_records(self, zc, now: float, records: list[RecordUpdate]) -> None:  # zeroconf's loop
        with self._lock:
            for update in records:
                record = update.new
                if record.is_expired(now):
                    continue
                if isinstance(record, DNSPointer) and record.key == _SERVICE_KEY:
                    self._instances.setdefault(record.alias_key, record.alias)
                elif not record.key.endswith("." + _SERVICE_KEY) and not isinstance(record, DNSAddress):
                    continue  # another service's records
                elif isinstance(record, DNSText):
                    self._txt.setdefault(record.key, set()).add(record.text)
                elif isinstance(record, DNSService):
                    self._srv.setdefault(record.key, set()).add((record.server_key, record.port))
                elif isinstance(record, DNSAddress) and record.type == _TYPE_A:
                    self._a.setdefault(record.key, set()).add(socket.inet_ntoa(record.address))

    def query(self) -> DNSOutgoing:
        """The service, and SRV, TXT and A of everything heard so far, with no known answers."""
        out = DNSOutgoing(_FLAGS_QUERY, multicast=True)
        out.add_question(DNSQuestion(SERVICE_TYPE, _TYPE_PTR, _CLASS_IN))
        with self._lock:
            for instance in self._instances.values():
                out.add_question(DNSQuestion(instance, _TYPE_SRV, _CLASS_IN))
                out.add_question(DNSQuestion(instance, _TYPE_TXT, _CLASS_IN))
            for host in {host for services in self._srv.values() for host, _ in services}:
                out.add_question(DNSQuestion(host, _TYPE_A, _CLASS_IN))
        return out

    def announcements(self) -> list[Announcement]:
        with self._lock:
            found = []
            for key, instance in sorted(self._instances.items()):
                services = sorted(self._srv.get(key, ()))
                found.append(Announcement(instance, [parse_txt(text) for text in sorted(self._txt.get(key, ()))],
                                          services, {host: sorted(self._a.get(host, ())) for host, _ in services}))
            return found


OUR_CERTIFICATE_REFUSED = {
    "CERTIFICATE_REVOKED": "the edge refused this tablet's certificate: it was revoked. Ask staff to enrol the "
                           "tablet again (a new enrolment code)",
    "CERTIFICATE_EXPIRED": "the edge refused this tablet's certificate: it has expired. Ask staff for a new "
                           "enrolment code",
    "UNKNOWN_CA": "the edge does not know this tablet's certificate: it was enrolled at another edge. Ask staff "
                  "for an enrolment code here",
}


def tls_error(candidate: Candidate, identity: TabletIdentity, timeout: float = 5.0) -> str | None:
    """None if `candidate` proves, in a TLS handshake, that it holds a certificate from the pinned
    tablet CA for its name, and accepts ours; otherwise why not, in words a person can act on.

    The probe is capped at TLS 1.2: in TLS 1.3 the server judges the client's certificate after
    the client's handshake has finished, so a refusal would arrive later as a bare disconnect."""
    context = identity.ssl_context(server_name=candidate.name)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    try:
        with socket.create_connection((candidate.address, candidate.port), timeout=timeout) as sock, \
                context.wrap_socket(sock):
            return None
    except ssl.SSLCertVerificationError as exc:
        return f"its certificate is not from the pinned tablet CA for {candidate.name} ({exc.verify_message})"
    except ssl.SSLError as exc:
        for alert, meaning in OUR_CERTIFICATE_REFUSED.items():
            if alert in str(exc):
                return meaning
        return str(exc)
    except OSError as exc:  # other TLS errors, refused, unreachable, timed out
        return str(exc) or type(exc).__name__


def connectable(candidate: Candidate, identity: TabletIdentity, timeout: float = 5.0) -> bool:
    error = tls_error(candidate, identity, timeout)
    if error:
        log.warning("zeroconf candidate %s:%d refused: %s", candidate.address, candidate.port, error)
    return error is None


def locate(identity: TabletIdentity, timeout: float = 3.0, *, interfaces: list[str] | None = None) -> Candidate | None:
    """The first candidate that proves it is the tablet's edge, or None."""
    for candidate in find_edge(identity, timeout, interfaces=interfaces):
        if connectable(candidate, identity):
            return candidate
    return None
