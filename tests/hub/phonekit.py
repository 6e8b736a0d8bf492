"""Phones for the hub's tests: a real `throughgate hub run`, people and workers made through the
services on its database, the reference phone client (phone/) in a folder of its own, and proxies
that break the connection the ways a phone's network does."""

from __future__ import annotations

import argparse
import contextlib
import http.client
import http.server
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from hubkit import make_instance
from hubprocess import HubProcess

from hub import ca, db
from hub.app import create_app
from hub.people import service as people
from hub.staff import accounts
from hub.workers import caseload
from phone import cli as phone_cli
from phone import client
from provisioning.tokens import ActivationOffer


def hub_app(instance: Path, url: str):
    """An app on the running hub's database, for its services (as the CLI uses them)."""
    return create_app({"DATABASE_URL": url}, instance_path=instance)


@contextlib.contextmanager
def sqlite_hub(root: Path) -> Iterator[tuple]:
    """A real `throughgate hub run` on SQLite in `root`, stopped afterwards: (process, app on its database,
    instance)."""
    instance = make_instance(root / "hub")
    url = f"sqlite:///{instance / 'hub.db'}"
    process = HubProcess(instance, url, root / "hub.log").start()
    try:
        yield process, hub_app(instance, url), instance
    finally:
        process.stop()


@contextlib.contextmanager
def hub_with_a_phone(root: Path) -> Iterator[tuple]:
    """`sqlite_hub`, with a person released into olivia's caseload whose reference phone (in root/phone) is
    activated: (process, app, instance, person id, the phone's folder, root)."""
    with sqlite_hub(root) as (process, app, instance):
        person, code = released_person(app, "olivia")
        folder = root / "phone"
        client.activate(offer_for(process, instance, code), folder)
        yield process, app, instance, person, folder, root


def on_hub(app, fn):
    """fn() on the running hub's database, as the CLI would run it."""
    with app.app_context(), db.connected():
        return fn()


def until(check, what: str, seconds: float = 10.0):
    """What `check()` returns once it is true, asked every 0.1 s; fails saying `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.1)
    return found


def released_person(app, worker: str = "olivia") -> tuple[str, str]:
    """A released person in a worker's caseload (a worker they can write to): (person id, activation code)."""
    with app.app_context(), db.connected():
        if accounts.find(worker) is None:
            accounts.add(worker, accounts.WORKER, "offender_manager", worker.title(), "test", 1)
        person = people.add("test")
        caseload.add(worker, person.person_id, "test")  # a person writes only to their own workers
        _person, code, _row = people.release(person.person_id, "test", 7)
    return person.person_id, code


def offer_for(process, instance: Path, code: str) -> str:
    """The activation link a release letter's QR code carries, for the hub `process` serves."""
    return ActivationOffer(process.url, code, ca.root_pin(ca.load_root(ca.files(instance)))).to_link()


def phone_says(argv: list[str], capsys) -> str:
    """What `throughgate phone ARGV` prints, run in-process; it must succeed."""
    parser = argparse.ArgumentParser(prog="throughgate")
    phone_cli.register(parser.add_subparsers(dest="part"))
    args = parser.parse_args(["phone", *argv])
    code = args.func(args)
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


def point_phone_at(folder: Path, url: str) -> None:
    """The phone now reaches the hub through another address (a proxy): its saved hub URL changes."""
    path = folder / "phone.json"
    state = json.loads(path.read_text())
    path.write_text(json.dumps({**state, "hub": url}))


class AnswerDroppingProxy:
    """A reverse proxy in front of the hub, serving its TLS certificate (as a load balancer would):
    it passes each whole request on, with its Host header, and lets the hub answer; for the first
    `drops` requests it then closes the phone's connection without passing the answer on. The hub
    did the work; the phone never heard (a train entering a tunnel)."""

    def __init__(self, instance: Path, upstream_port: int, drops: int = 1):
        paths = ca.files(instance)
        proxy = self
        self.drops, self.dropped, self.forwarded = drops, 0, 0
        upstream = ssl.create_default_context(cafile=str(paths.root_cert))

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args) -> None:
                pass

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                connection = http.client.HTTPSConnection("127.0.0.1", upstream_port, context=upstream, timeout=30)
                connection.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for name, value in self.headers.items():
                    connection.putheader(name, value)
                connection.endheaders(body)
                answer = connection.getresponse()
                data = answer.read()
                connection.close()
                proxy.forwarded += 1
                if proxy.dropped < proxy.drops:
                    proxy.dropped += 1
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in ("server", "date", "connection", "transfer-encoding"):
                        self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = _forward

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(str(paths.server_cert), str(paths.server_key))
        self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
