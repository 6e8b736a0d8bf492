"""A site (edge.box.site) rendered into the box's configuration: {relative path: text}. Pure.

The pieces that the edge already owns are rendered by the edge's own code: Mosquitto by
edge.host.broker (render_conf) and edge.host.broker_acl (its permissions' first state), hostapd by
edge.wifi.eap, the edge's settings by edge.config.
Where each file goes on the box: INSTALL (firmware-config/README.md).
"""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

from edge import config as edge_config
from edge.box.site import INSTANCE, Site
from edge.host import broker, broker_acl
from edge.identity import EdgeFiles
from edge.wifi import eap

ETC = Path("/etc/throughgate")
VENV = Path("/opt/throughgate/venv")  # the edge installed into a virtualenv
USER = "throughgate"  # the edge, Mosquitto, hostapd and the RADIUS proxy run as this user
RELAY_PORT = 1883
RADIUS_PORT = 1812
WATCHDOG_S = 60
MDNS_GROUP = "224.0.0.251"

HOSTAPD_AP, HOSTAPD_RADIUS = "hostapd.conf", "hostapd-radius.conf"
# In HOSTAPD_AP where the RADIUS secret goes: the unit writes wifi/hostapd-ap.conf with the secret
# of wifi/radius.secret in its place (python -m edge.box.apconf) before starting hostapd.
SECRET_PLACEHOLDER = "@radius.secret@"  # noqa: S105 (a placeholder, not a secret)
AP_CONF, AP_PID = "hostapd-ap.conf", "hostapd-ap.pid"  # in the instance's wifi/ folder

# Where each rendered file is installed (the rest of DIR's files go to ETC).
INSTALL = {
    "mosquitto.conf": ETC / "mosquitto.conf",
    # mosquitto.conf names it there (edge.host.broker.BrokerFiles). Installed only where missing: the plugin
    # keeps its state in it, and the edge adds each tablet as it enrols (edge.host.broker_control).
    broker_acl.CONFIG_NAME: INSTANCE / "broker" / broker_acl.CONFIG_NAME,
    "edge.toml": INSTANCE / edge_config.CONFIG_NAME,
    "nftables.conf": Path("/etc/nftables.conf"),
    "systemd/": Path("/etc/systemd/system/"),
}


def header(source: str) -> str:
    return f"# generated from {source}; do not edit (throughgate box render)\n"


def render(site: Site, source: str) -> dict[str, str]:
    """Every file of the box for `site`; `source` is the site file's name for the headers."""
    files = {
        **render_hostapd(site),
        "dnsmasq.conf": render_dnsmasq(site),
        "nftables.conf": render_nftables(site),
        "mosquitto.conf": render_mosquitto(site),
        "edge.toml": render_edge_config(site),
        **{f"systemd/{name}": text for name, text in render_units(site).items()},
    }
    top = header(source)
    return {**{path: top + text for path, text in files.items()},
            broker_acl.CONFIG_NAME: render_broker_permissions(top)}


# the edge's own configurations ------------------------------------------------------------------
def render_hostapd(site: Site) -> dict[str, str]:
    """Both modes: the RADIUS-server hostapd (driver=none) behind edge.wifi.radius_proxy. "ap" adds the
    radio's hostapd, an 802.1X authenticator that asks the proxy on loopback, so the identity
    binding applies to the box's own radio as to separate access points."""
    edge, wifi = EdgeFiles(INSTANCE), eap.EapFiles.of(EdgeFiles(INSTANCE))
    files = {HOSTAPD_RADIUS: eap.render_radius_server(edge, wifi)}
    if site.wifi.mode == "ap":
        text = eap.render_access_point(site.wifi.interface, site.wifi.ssid, site.wifi.country, site.wifi.channel,
                                       RADIUS_PORT, SECRET_PLACEHOLDER)
        # The radio joins the tablet network's bridge: wired and wireless tablets share one network.
        files[HOSTAPD_AP] = text.replace(f"interface={site.wifi.interface}\n",
                                         f"interface={site.wifi.interface}\nbridge={site.tablet.interface}\n", 1)
    return files


def fill_secret(template: str, secret: str) -> str:
    """The AP's hostapd.conf with the edge's RADIUS secret in place of SECRET_PLACEHOLDER (the
    secret is made on the box, after rendering; the unit does this before each start)."""
    line = eap.RADIUS_SECRET_LINE + SECRET_PLACEHOLDER + "\n"
    if template.count(line) != 1:
        raise ValueError(f"expected one line {line.strip()!r}")
    if not secret or any(ch in secret for ch in "\n\r\0"):
        raise ValueError("the RADIUS secret is empty or holds a line break")
    return template.replace(line, eap.RADIUS_SECRET_LINE + secret + "\n")


def render_mosquitto(site: Site) -> str:
    """As the edge renders it (edge.host.broker), with the edge's own settings for this site: the relay
    on loopback, tablets on the edge's address."""
    ids = EdgeFiles(INSTANCE)
    settings = edge_config_for(site, INSTANCE).broker
    tablets = broker.TabletListener(site.tablet.address, site.enrolment.mqtt_port, ids.ca_cert, ids.server_cert,
                                    ids.server_key, ids.crl)
    return broker.render_conf(broker.BrokerFiles(INSTANCE / "broker"), settings, USER, tablets)


def render_broker_permissions(top: str) -> str:
    """The dynamic security plugin's first state: the relay and console roles, no tablet yet. JSON has no
    comments: the header is a key the plugin passes over (and drops when it first saves its state)."""
    permissions = {"comment": top.lstrip("# ").strip(), **broker_acl.render(edge_config.BrokerConfig.username, [])}
    return json.dumps(permissions, indent=1) + "\n"


def render_edge_config(site: Site) -> str:
    """The edge's edge.toml for this site (what `throughgate edge init --site` writes)."""
    return edge_config.dump(edge_config_for(site, INSTANCE))


def edge_config_for(site: Site, instance: Path) -> edge_config.EdgeConfig:
    """The edge's settings for this site, with its instance folder at `instance`."""
    cfg = edge_config.EdgeConfig(instance=instance, edge_id=site.site_id, quota_bytes=site.limits.quota_bytes)
    cfg.tls_name = site.edge_name
    cfg.uplink.hub_url = site.hub_url
    cfg.broker.port, cfg.broker.dev = RELAY_PORT, False
    cfg.tablets.mqtt_host = cfg.tablets.api_host = site.tablet.address
    cfg.tablets.mqtt_port, cfg.tablets.api_port = site.enrolment.mqtt_port, site.enrolment.api_port
    cfg.courses.content_port = site.enrolment.content_port  # on tablets.api_host, the tablet network's address
    cfg.tablets.advertise_on = site.tablet.address
    if site.console.address:
        cfg.console.host = site.console.address
    cfg.console.port, cfg.console.time_zone = site.console.port, site.console.time_zone
    cfg.metrics.port = site.console.metrics_port  # on console.host: the management network, or loopback
    return cfg


# dnsmasq ---------------------------------------------------------------------------------------
def render_dnsmasq(site: Site) -> str:
    net = ipaddress.IPv4Network(site.tablet.cidr)
    first, last = site.tablet.dhcp_range
    return f"""\
# DHCP and DNS for the tablet network only. DNS answers the edge's own names and nothing else.
interface={site.tablet.interface}
except-interface=lo
bind-interfaces
listen-address={site.tablet.address}

# No upstream: no resolv.conf, no server=, nothing from /etc/hosts.
no-resolv
no-poll
no-hosts
domain-needed
bogus-priv
local=/throughgate.internal/
domain=throughgate.internal
address=/{site.edge_name}/{site.tablet.address}

dhcp-authoritative
dhcp-range={site.tablet.interface},{first},{last},{net.netmask},{site.tablet.lease}
# No default route: tablets reach the edge and nothing else.
dhcp-option=option:router
dhcp-option=option:dns-server,{site.tablet.address}
dhcp-leasefile=/var/lib/throughgate-dnsmasq/dnsmasq.leases
"""


# nftables --------------------------------------------------------------------------------------
def _set(values) -> str:
    return "{ " + ", ".join(str(v) for v in values) + " }"


def render_nftables(site: Site) -> str:
    t, m, up = site.tablet, site.management, site.uplink
    edge_ports = _set((site.enrolment.mqtt_port, site.enrolment.api_port, site.enrolment.content_port, 53))
    radius = (f'        ip saddr {_set(site.wifi.radius_clients)} udp dport {RADIUS_PORT} accept '
              'comment "access points ask the RADIUS proxy"\n') if site.wifi.mode == "radius" else ""
    console = (f'        iifname "{m.interface}" ip saddr {m.cidr} ip daddr {site.console.address} tcp dport '
               f'{_set((site.console.port, site.console.metrics_port))} accept comment "the staff console and the '
               'edge\'s metrics, from the management network only"\n' if site.console.address else "")
    out_dns = (f'        oifname "{up.interface}" ip daddr {_set(up.dns_servers)} meta l4proto {{ tcp, udp }} '
               'th dport 53 accept\n') if up.dns_servers else ""
    out_ntp = (f'        oifname "{up.interface}" ip daddr {_set(up.ntp_servers)} udp dport 123 accept\n'
               if up.ntp_servers else "")
    return f"""\
#!/usr/sbin/nft -f
# Default drop everywhere, with named counters on every drop (`nft list counters`).
flush ruleset

table inet throughgate {{
    counter input_dropped {{ comment "to the edge, from anywhere: not allowed" }}
    counter tablet_dropped {{ comment "from the tablet network to the edge: not allowed" }}
    counter forward_dropped {{ comment "through the edge: nothing is forwarded" }}
    counter output_dropped {{ comment "from the edge: anywhere but the hub" }}

    chain input {{
        type filter hook input priority filter; policy drop;
        ct state established,related accept
        ct state invalid counter name "input_dropped" drop
        iif "lo" accept
        iifname "{t.interface}" jump from_tablets
        iifname "{m.interface}" ip saddr {m.cidr} tcp dport 22 accept comment "SSH from the management network only"
{console}{radius}        counter name "input_dropped" drop
    }}

    chain from_tablets {{
        ip daddr {t.address} tcp dport {edge_ports} accept comment "MQTT-TLS, HTTPS (enrolment), DNS"
        ip daddr {t.address} udp dport 53 accept comment "DNS"
        udp sport 68 udp dport 67 accept comment "DHCP"
        ip daddr {{ {t.address}, {MDNS_GROUP} }} udp dport 5353 accept comment "mDNS (finding the edge)"
        counter name "tablet_dropped" drop
    }}

    chain forward {{
        type filter hook forward priority filter; policy drop;
        counter name "forward_dropped" drop
    }}

    chain output {{
        type filter hook output priority filter; policy drop;
        ct state established,related accept
        oif "lo" accept
        oifname "{up.interface}" ip daddr {_set(up.hub_addresses)} tcp dport {up.hub_port} accept comment "the hub"
{out_dns}{out_ntp}        oifname "{t.interface}" udp sport 67 udp dport 68 accept comment "DHCP offers"
        oifname "{t.interface}" icmp type echo-request accept comment "dnsmasq pings an address before offering it"
        oifname "{t.interface}" ip daddr {MDNS_GROUP} udp dport 5353 accept comment "mDNS announcements"
        counter name "output_dropped" drop
    }}
}}
"""


# systemd ---------------------------------------------------------------------------------------
HARDENING = """\
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~@privileged @resources
UMask=0077
"""


def _caps(*caps: str) -> str:
    joined = " ".join(caps)
    return f"CapabilityBoundingSet={joined}\nAmbientCapabilities={joined}\n"


def _unit(description: str, service: str, after: str = "network-online.target",
          wants: str = "network-online.target") -> str:
    return f"""\
[Unit]
Description={description}
After={after}
Wants={wants}

[Service]
{service}Restart=on-failure
RestartSec=5
{HARDENING}
[Install]
WantedBy=multi-user.target
"""


def render_units(site: Site) -> dict[str, str]:
    instance, wifi = INSTANCE, eap.EapFiles.of(EdgeFiles(INSTANCE))
    units = {
        "throughgate-edge.service": _unit("Throughgate edge: relay, store and uplink", f"""\
Type=notify
NotifyAccess=main
ExecStart={VENV}/bin/throughgate edge run --instance {instance}
WatchdogSec={WATCHDOG_S}
User={USER}
Group={USER}
ReadWritePaths={instance}
MemoryMax={site.limits.memory_max}
CPUQuota={site.limits.cpu_quota}
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK
{_caps("")}""", after="network-online.target throughgate-mosquitto.service",
                                             wants="network-online.target throughgate-mosquitto.service"),
        "throughgate-mosquitto.service": _unit("Throughgate edge: Mosquitto (tablets' MQTT-TLS)", f"""\
Type=simple
ExecStart=/usr/sbin/mosquitto -c {ETC / "mosquitto.conf"}
ExecReload=/bin/kill -HUP $MAINPID
User={USER}
Group={USER}
ReadWritePaths={instance / "broker"}
MemoryMax={site.limits.broker_memory_max}
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
{_caps("")}"""),
        "throughgate-dnsmasq.service": _unit("Throughgate edge: DHCP and local DNS for tablets", f"""\
Type=simple
ExecStart=/usr/sbin/dnsmasq --keep-in-foreground --conf-file={ETC / "dnsmasq.conf"} --pid-file=
ExecReload=/bin/kill -HUP $MAINPID
DynamicUser=yes
StateDirectory=throughgate-dnsmasq
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK AF_PACKET
{_caps("CAP_NET_ADMIN", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW")}"""),
    }
    needs_edge = "network-online.target throughgate-mosquitto.service throughgate-edge.service"
    units["throughgate-console.service"] = _unit("Throughgate edge: the staff console (HTTPS)", f"""\
Type=simple
ExecStart={VENV}/bin/throughgate edge console --instance {instance}
User={USER}
Group={USER}
ReadWritePaths={instance}
MemoryMax=256M
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
{_caps("")}""", after=needs_edge, wants=needs_edge)
    units["throughgate-hostapd.service"] = _unit("Throughgate edge: hostapd, the RADIUS/EAP-TLS server", f"""\
Type=forking
PIDFile={wifi.pid}
ExecStart=/usr/sbin/hostapd -B -P {wifi.pid} {ETC / HOSTAPD_RADIUS}
ExecReload=/bin/kill -HUP $MAINPID
User={USER}
Group={USER}
ReadWritePaths={wifi.folder}
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
{_caps("")}""")
    # "ap": the proxy answers the box's own hostapd on loopback; "radius": the access points.
    listen = "127.0.0.1" if site.wifi.mode == "ap" else "0.0.0.0"
    needs_hostapd = "network-online.target throughgate-hostapd.service"
    units["throughgate-radius-proxy.service"] = _unit("Throughgate edge: RADIUS proxy in front of hostapd", f"""\
Type=simple
ExecStart={VENV}/bin/python -m edge.wifi.radius_proxy --listen {listen}:{RADIUS_PORT} \
--upstream 127.0.0.1:{eap.HOSTAPD_PORT} --secret-file {wifi.secret}
User={USER}
Group={USER}
ReadOnlyPaths={wifi.folder}
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
{_caps("CAP_NET_BIND_SERVICE")}""", after=needs_hostapd, wants=needs_hostapd)
    if site.wifi.mode == "ap":
        conf, pid = wifi.folder / AP_CONF, wifi.folder / AP_PID
        needs_proxy = "network-online.target throughgate-radius-proxy.service"
        units["throughgate-hostapd-ap.service"] = _unit("Throughgate edge: hostapd on the radio (802.1X)", f"""\
Type=forking
PIDFile={pid}
ExecStartPre={VENV}/bin/python -m edge.box.apconf {ETC / HOSTAPD_AP} {wifi.secret} {conf}
ExecStart=/usr/sbin/hostapd -B -P {pid} {conf}
User={USER}
Group={USER}
ReadWritePaths={wifi.folder}
RuntimeDirectory=hostapd
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK AF_PACKET
{_caps("CAP_NET_ADMIN", "CAP_NET_RAW")}""", after=needs_proxy, wants=needs_proxy)
    return units
