"""The RADIUS proxy in front of hostapd: an Accept only for the tablet the certificate names.

    access point --Access-Request--> proxy --unchanged--> hostapd (EAP-TLS, edge/wifi/eap.py)
    access point <--unchanged, or an Access-Reject-- proxy <-- hostapd

hostapd 2.10 accepts any valid certificate under any claimed identity. It does say whose
certificate it was: edge/wifi/eap.py gives each enrolled serial the Class `tg-tablet=<device>`. The
proxy passes every packet through unchanged (one shared secret on both legs, so the encrypted
MS-MPPE keys stay valid), except that an Access-Accept becomes a signed Access-Reject unless its
Class names exactly the User-Name of the request it answers. No Class (a serial not enrolled, a
revoked one after refresh, a resumed session) is a refusal: it fails closed.

Run: python -m edge.wifi.radius_proxy --listen 0.0.0.0:1812 --upstream 127.0.0.1:18120 --secret-file F
"""

from __future__ import annotations

import argparse
import logging
import selectors
import socket
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import NamedTuple

from edge.wifi.radius import (
    ACCESS_ACCEPT,
    ACCESS_CHALLENGE,
    ACCESS_REJECT,
    ACCESS_REQUEST,
    CLASS,
    EAP_MESSAGE,
    MAX_PACKET,
    Malformed,
    Packet,
    build_reject,
    parse,
    request_ok,
    response_ok,
    text,
    user_name,
)
from provisioning.stopping import StopSignals

log = logging.getLogger("edge.wifi.radius_proxy")

CLASS_PREFIX = "tg-tablet="  # edge/wifi/eap.py writes Class = CLASS_PREFIX + device into eap_user
NOT_BOUND = "certificate not bound to this identity"


def decide(claimed: str | None, reply: Packet) -> tuple[bool, str | None]:
    """For an Access-Accept from hostapd to a request from `claimed` (its User-Name): (accept?, the
    tablet the certificate belongs to, from the Class hostapd copied from its eap_user entry; None
    when it has none)."""
    value, prefix = reply.first(CLASS) or b"", CLASS_PREFIX.encode()
    device = text(value[len(prefix):]) if value.startswith(prefix) else None
    return (claimed is not None and device == claimed), device


def _shown(name: str | None) -> str:
    """A name for a log line: the tablet chose it, so no line breaks or control characters."""
    return str(name) if name is None or name.isprintable() else ascii(name)


# the running proxy ---------------------------------------------------------------------------------
class _Pending(NamedTuple):
    authenticator: bytes
    user_name: str | None
    deadline: float


class RadiusProxy:
    """One thread: reads from access points, relays to hostapd over one socket per access point
    address (so hostapd's replies map back by RADIUS identifier), checks every Accept."""

    def __init__(self, listen: tuple[str, int], upstream: tuple[str, int], secret: bytes,
                 timeout_s: float = 30.0, max_pending: int = 4096, max_peers: int = 256):
        self.listen, self.upstream, self.secret = listen, upstream, secret
        self.timeout_s, self.max_pending, self.max_peers = timeout_s, max_pending, max_peers
        self._pending: OrderedDict[tuple, _Pending] = OrderedDict()  # (peer, ident), oldest first
        self._peers: OrderedDict[tuple, tuple[socket.socket, float]] = OrderedDict()  # peer -> (socket, last use)
        self._selector = selectors.DefaultSelector()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._down: socket.socket | None = None

    @property
    def address(self) -> tuple[str, int]:
        return self._down.getsockname()

    @property
    def waiting(self) -> int:
        """Requests relayed to hostapd and not yet answered (at most max_pending)."""
        return len(self._pending)

    def start(self) -> RadiusProxy:
        self._down = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._down.bind(self.listen)
        self._selector.register(self._down, selectors.EVENT_READ, None)
        self._thread = threading.Thread(target=self._run, name="radius-proxy", daemon=True)
        self._thread.start()
        log.info("RADIUS proxy on %s:%d, hostapd at %s:%d", *self.address, *self.upstream)
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        for sock, _ in self._peers.values():
            sock.close()
        if self._down is not None:
            self._down.close()
        self._selector.close()

    def _run(self) -> None:
        while not self._stopping.is_set():
            for key, _ in self._selector.select(timeout=0.2):
                try:
                    data, source = key.fileobj.recvfrom(MAX_PACKET)
                except OSError:
                    continue
                if key.data is None:
                    self._from_peer(data, source)
                else:
                    self._from_hostapd(data, key.data)
            self._expire(time.monotonic())

    def _from_peer(self, data: bytes, peer: tuple) -> None:
        try:
            packet = parse(data)
        except Malformed as exc:
            log.warning("drop from %s:%d: malformed (%s)", *peer, exc)
            return
        if packet.code != ACCESS_REQUEST:
            log.warning("drop from %s:%d: code %d is not an Access-Request", *peer, packet.code)
            return
        if not request_ok(packet, self.secret):
            log.warning("drop from %s:%d: no valid Message-Authenticator (wrong secret?)", *peer)
            return
        now = time.monotonic()
        self._expire(now)
        if (peer, packet.ident) not in self._pending and len(self._pending) >= self.max_pending:
            log.warning("drop from %s:%d: %d requests already waiting for hostapd", *peer, len(self._pending))
            return
        upstream = self._upstream(peer, now)
        if upstream is None:
            return
        self._pending[(peer, packet.ident)] = _Pending(packet.authenticator, user_name(packet), now + self.timeout_s)
        self._pending.move_to_end((peer, packet.ident))
        upstream.send(packet.raw)

    def _upstream(self, peer: tuple, now: float) -> socket.socket | None:
        if peer in self._peers:
            sock, _ = self._peers.pop(peer)
        elif len(self._peers) >= self.max_peers:
            log.warning("drop from %s:%d: already relaying for %d access point sockets", *peer, len(self._peers))
            return None
        else:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.connect(self.upstream)
            self._selector.register(sock, selectors.EVENT_READ, peer)
        self._peers[peer] = (sock, now)
        return sock

    def _from_hostapd(self, data: bytes, peer: tuple) -> None:
        try:
            reply = parse(data)
        except Malformed as exc:
            log.warning("drop from hostapd: malformed (%s)", exc)
            return
        pending = self._pending.pop((peer, reply.ident), None)
        if pending is None or not response_ok(reply, pending.authenticator, self.secret):
            log.warning("drop from hostapd: id %d for %s:%d %s", reply.ident, *peer,
                        "answers no waiting request" if pending is None else "is not signed for its request")
            return
        user = pending.user_name
        if reply.code == ACCESS_ACCEPT:
            accepted, device = decide(user, reply)
            if accepted:
                log.info("accept user=%s nas=%s:%d", _shown(user), *peer)
            else:
                eap = reply.first(EAP_MESSAGE) or b"\x03\x00"
                data = build_reject(reply.ident, pending.authenticator, eap[1], self.secret, NOT_BOUND)
                log.info("reject user=%s certificate-of=%s nas=%s:%d (%s; hostapd accepted)",
                         _shown(user), device, *peer, NOT_BOUND)
        elif reply.code == ACCESS_REJECT:
            log.info("reject user=%s nas=%s:%d (by hostapd: certificate refused)", _shown(user), *peer)
        elif reply.code != ACCESS_CHALLENGE:
            log.warning("drop from hostapd: unexpected code %d", reply.code)
            return
        self._down.sendto(data, peer)

    def _expire(self, now: float) -> None:
        while self._pending:
            key, oldest = next(iter(self._pending.items()))
            if oldest.deadline > now:
                break
            del self._pending[key]
        waiting = {peer for peer, _ in self._pending}
        for peer, (sock, used) in list(self._peers.items()):
            if used + self.timeout_s < now and peer not in waiting:
                self._selector.unregister(sock)
                sock.close()
                del self._peers[peer]


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host, int(port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m edge.wifi.radius_proxy", description=__doc__.splitlines()[0])
    parser.add_argument("--listen", type=_address, required=True, help="HOST:PORT the access points send to")
    parser.add_argument("--upstream", type=_address, required=True, help="hostapd's HOST:PORT (loopback)")
    parser.add_argument("--secret-file", type=Path, required=True, help="the RADIUS shared secret (wifi/radius.secret)")
    parser.add_argument("--timeout", type=float, default=30.0, help="forget an unanswered request after this (s)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    secret = args.secret_file.read_text().strip().encode()
    if not secret:
        parser.error(f"{args.secret_file} is empty")
    proxy = RadiusProxy(args.listen, args.upstream, secret, args.timeout).start()
    StopSignals().wait()
    proxy.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
