"""Where edges reach this hub: the address `hub run` serves on, and what is wrong with PUBLIC_URL.

`hub run` records the address it serves on in the instance (SERVING_FILE) and removes it when it
stops. `hub tokens create` prints PUBLIC_URL in the edge's enrol command when it is set; when it is
not, the address of the hub running now; when neither is known, no URL at all (the edge then uses
the one it was set up with). `problems` names what makes a PUBLIC_URL unreachable for edges, for
`hub run` to log as warnings. Pure apart from the small file.
"""

from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

SERVING_FILE = "serving.json"
WILDCARDS = ("", "0.0.0.0", "::")  # noqa: S104 (names, compared against --host)


@dataclass(frozen=True)
class Serving:
    """What a running `hub run` recorded: its pid and the address it listens on."""

    pid: int
    host: str
    port: int


def record(instance: str | Path, host: str, port: int) -> None:
    """Say where this process serves (written whole, so a reader never sees half a file)."""
    path = Path(instance) / SERVING_FILE
    tmp = path.with_suffix(".new")
    tmp.write_text(json.dumps({"pid": os.getpid(), "host": host, "port": port}) + "\n")
    os.replace(tmp, path)


def forget(instance: str | Path) -> None:
    """Remove the record, if it is this process's."""
    found = _read(Path(instance) / SERVING_FILE)
    if found is not None and found.pid == os.getpid():
        (Path(instance) / SERVING_FILE).unlink(missing_ok=True)


def running(instance: str | Path) -> Serving | None:
    """The running hub's address; None when none runs (a record left by a killed hub is ignored)."""
    found = _read(Path(instance) / SERVING_FILE)
    if found is None:
        return None
    try:
        os.kill(found.pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # it runs, as another user
    return found


def _read(path: Path) -> Serving | None:
    try:
        data = json.loads(path.read_text())
        return Serving(int(data["pid"]), str(data["host"]), int(data["port"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def url_host(name: str) -> str:
    return f"[{name}]" if ":" in name else name


def edge_url(public_url: str | None, serving: Serving | None, tls_names: list[str]) -> str | None:
    """The URL to tell an edge: PUBLIC_URL; else the running hub's port under a name on its certificate
    (the address it listens on when that is one of TLS_NAMES, else the first TLS name); else None."""
    if public_url:
        return public_url
    if serving is None:
        return None
    host = serving.host if serving.host in tls_names else tls_names[0]
    return f"https://{url_host(host)}:{serving.port}"


def is_loopback(host: str) -> bool:
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def problems(public_url: str | None, host: str, port: int, tls_names: list[str], settings_file: Path) -> list[str]:
    """Why edges told PUBLIC_URL (or, unset, the derived address) cannot reach a hub listening on
    host:port with a certificate for tls_names. Each says what to do; empty when nothing is wrong."""
    fix = f"set PUBLIC_URL in {settings_file} (or THROUGHGATE_HUB_PUBLIC_URL) to the URL edges use"
    if not public_url:
        if is_loopback(host):
            return []
        derived = edge_url(None, Serving(0, host, port), tls_names)
        return [f"PUBLIC_URL is not set: `hub tokens create` will tell edges {derived}, a guess from TLS_NAMES "
                f"and --port; {fix}"]
    parts = urlsplit(public_url)
    try:
        url_port = parts.port or 443
    except ValueError:
        return [f"PUBLIC_URL {public_url!r} has no valid port: {fix}, like https://hub.example.org:{port}"]
    if parts.scheme != "https" or not parts.hostname:
        return [f"PUBLIC_URL {public_url!r} is not an https://host[:port] URL (edges speak only HTTPS): {fix}"]
    found = []
    name = parts.hostname
    if name not in tls_names:
        found.append(f"PUBLIC_URL's host {name} is not on the hub's certificate (TLS_NAMES: {', '.join(tls_names)}):"
                     f" edges will refuse the hub. Add {name} to TLS_NAMES in {settings_file} (the certificate is "
                     "re-issued at the next start) or use one of those names in PUBLIC_URL")
    if is_loopback(name) and not is_loopback(host):
        found.append(f"PUBLIC_URL {public_url} names this machine itself, but the hub listens on {host or '*'} "
                     f"for edges on other machines, which cannot reach it by that name: {fix}")
    if url_port != port:
        direct = is_loopback(name) or name == host
        found.append(f"PUBLIC_URL {public_url} names port {url_port}, but the hub serves on port {port}"
                     + ("" if direct else f" (fine only if a port forward sends {url_port} here)")
                     + f": run `hub run` with --port {url_port}, or {fix}, like "
                       f"https://{url_host(name)}:{port}")
    return found
