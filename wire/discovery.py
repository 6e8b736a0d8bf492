"""How an edge announces itself with zeroconf (DNS-SD over mDNS), as edge and tablet both read it.

    service type   _throughgate._tcp.local.
    instance       <edge-id>._throughgate._tcp.local.   port: the MQTT-TLS listener
    TXT            v=1  edge=<edge-id>  ca=<SHA-256 hex of the tablet CA's public key>
                   https=<tablet API port>  name=<DNS name on the edge's server certificate>

Anyone on the network can announce the same: a tablet uses this only to find candidates, then
proves each with a TLS handshake against the CA it pinned at enrolment (docs/security.md).
"""

from __future__ import annotations

SERVICE_TYPE = "_throughgate._tcp.local."
TXT_VERSION = "1"


def txt_properties(edge_id: str, ca_pin: str, https_port: int, tls_name: str) -> dict[str, str]:
    return {"v": TXT_VERSION, "edge": edge_id, "ca": ca_pin, "https": str(https_port), "name": tls_name}


def parse_txt(raw: bytes) -> dict[str, str]:
    """DNS-SD TXT rdata (RFC 6763 section 6): length-prefixed `key=value` strings. The first of a
    repeated key wins; keys are case-insensitive."""
    pairs: dict[str, str] = {}
    i = 0
    while i < len(raw):
        length = raw[i]
        item = raw[i + 1:i + 1 + length]
        i += 1 + length
        key, _, value = item.decode("utf-8", "replace").partition("=")
        if key:
            pairs.setdefault(key.lower(), value)
    return pairs


def names_edge(txt: dict[str, str], edge_id: str, ca_pin: str) -> bool:
    """The announcement claims to be edge `edge_id` under the tablet CA pinned as `ca_pin`."""
    return txt.get("v") == TXT_VERSION and txt.get("edge") == edge_id and txt.get("ca") == ca_pin
