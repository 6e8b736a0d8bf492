"""systemd's notify protocol (sd_notify), without a library: READY=1 once the edge serves, WATCHDOG=1
while its scheduler runs. A no-op when the edge is not run by systemd (NOTIFY_SOCKET unset).

The unit (firmware-config, `throughgate box render`) says Type=notify and WatchdogSec=; systemd
passes NOTIFY_SOCKET (an AF_UNIX datagram socket, `@` for the abstract namespace) and
WATCHDOG_USEC, and restarts the edge when the pings stop.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


def notify(state: str, env: Mapping[str, str] | None = None) -> bool:
    """Send one state line (e.g. "READY=1") to systemd. False when not run by systemd."""
    env = os.environ if env is None else env
    address = env.get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(state.encode())
    except OSError as exc:
        log.warning("could not tell systemd %s: %s", state, exc)
        return False
    return True


def ready(env: Mapping[str, str] | None = None) -> bool:
    return notify("READY=1", env)


def stopping(env: Mapping[str, str] | None = None) -> bool:
    return notify("STOPPING=1", env)


def watchdog(env: Mapping[str, str] | None = None) -> bool:
    return notify("WATCHDOG=1", env)


def watchdog_interval_s(env: Mapping[str, str] | None = None, pid: int | None = None) -> float | None:
    """How often to ping: half of WATCHDOG_USEC, as systemd advises. None when no watchdog is set
    for this process (WATCHDOG_PID, when given, must be ours)."""
    env = os.environ if env is None else env
    usec, owner = env.get("WATCHDOG_USEC", ""), env.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if owner and owner != str(pid if pid is not None else os.getpid()):
        return None
    return int(usec) / 2_000_000
