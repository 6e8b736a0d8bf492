"""Zeroconf (mDNS/DNS-SD) announcement of the edge on the tablet network.

    instance  <edge-id>._throughgate._tcp.local.   port = the MQTT-TLS port
    TXT       v=1  edge=<edge-id>  ca=<SHA-256 of the tablet CA's public key>  https=<tablet API port>
              name=<the TLS name on the edge's server certificate>

Only on the addresses given (IPv4, the tablet-facing interface), never on every interface: the
box also sits on the prison's own network. The announcement is a hint, not a proof: a tablet keeps
services whose edge and ca match its enrolment, then checks the TLS certificate against its pinned
CA for `name`, which a look-alike copying the TXT cannot pass.

If another responder already holds the instance name (a squatter, or a stale box), the edge takes
the next free name (`<edge-id>-2`) rather than not announcing at all: tablets go by the TXT, not
the instance name.
"""

from __future__ import annotations

import ipaddress
import logging
import socket

from zeroconf import IPVersion, ServiceInfo, Zeroconf

from wire.discovery import SERVICE_TYPE, txt_properties

log = logging.getLogger(__name__)

def service_info(edge_id: str, tls_name: str, ca_pin: str, mqtt_port: int, https_port: int,
                 addresses: list[str]) -> ServiceInfo:
    return ServiceInfo(
        SERVICE_TYPE, f"{edge_id}.{SERVICE_TYPE}",
        addresses=[socket.inet_aton(address) for address in addresses], port=mqtt_port,
        properties=txt_properties(edge_id, ca_pin, https_port, tls_name),
        server=f"{edge_id}.local.",
    )


class Advertiser:
    def __init__(self, edge_id: str, tls_name: str, ca_pin: str, mqtt_port: int, https_port: int,
                 addresses: list[str]):
        if not addresses:
            raise ValueError("give the tablet-facing IPv4 address(es) to announce the edge on")
        for address in addresses:
            if not isinstance(ipaddress.ip_address(address), ipaddress.IPv4Address):
                raise ValueError(f"{address}: zeroconf announcement is IPv4 only")
        self.addresses = list(addresses)
        self.info = service_info(edge_id, tls_name, ca_pin, mqtt_port, https_port, self.addresses)
        self._zeroconf: Zeroconf | None = None

    @property
    def name(self) -> str:
        """The instance name announced (after a name change, if a conflict forced one)."""
        return self.info.name

    def start(self) -> Advertiser:
        """Probe for the name and announce (about 2 s: the probing RFC 6762 asks for)."""
        zeroconf = Zeroconf(interfaces=self.addresses, ip_version=IPVersion.V4Only)
        try:
            zeroconf.register_service(self.info, allow_name_change=True)
        except BaseException:
            zeroconf.close()
            raise
        self._zeroconf = zeroconf
        log.info("announcing %s on %s", self.info.name, ", ".join(self.addresses))
        return self

    def stop(self) -> None:
        """Say goodbye (tablets drop the service at once) and close the sockets."""
        if self._zeroconf is None:
            return
        zeroconf, self._zeroconf = self._zeroconf, None
        try:
            zeroconf.unregister_service(self.info)
        finally:
            zeroconf.close()
