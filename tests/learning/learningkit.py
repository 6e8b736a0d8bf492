"""Helpers for the learning tests: real media files (PNG, WAV) made with the standard library, a
TCP proxy that cuts a connection mid-upload, and tablets enrolled with an edge's tablet CA."""

from __future__ import annotations

import contextlib
import math
import random
import socket
import struct
import threading
import wave
import zlib
from pathlib import Path

from edge import store
from edge.config import EdgeConfig
from edge.identity import EdgeFiles, ca_pin
from edge.tablets import registry as tablets
from provisioning import pki
from tablet.attachments import EdgeApi, Uploader
from tablet.client import TabletClient
from tablet.identity import Enrolment, TabletIdentity
from tablet.learning import Learning
from tablet.outbox import Outbox
from wire.records import timestamp


def png_bytes(width: int = 320, height: int = 240, seed: int = 1) -> bytes:
    """A real PNG photo of noise (so it hardly compresses): about width * height * 3 bytes."""
    rng = random.Random(seed)
    rows = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def wav_file(path: Path, seconds: float = 2.0, rate: int = 22050) -> Path:
    """A real WAV recording: a 440 Hz tone, 16-bit mono."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(struct.pack("<h", int(12000 * math.sin(2 * math.pi * 440 * i / rate)))
                                 for i in range(int(seconds * rate))))
    return path


def enrol_tablet(config: EdgeConfig, folder: Path, device: str, api_port: int) -> TabletIdentity:
    """A tablet enrolled the way `tablet enrol` leaves it: its own key, a one-time code redeemed at the edge."""
    files = EdgeFiles(config.instance)
    identity = TabletIdentity(folder)
    code, _ = tablets.create_code(device, 60)
    issued = tablets.redeem(code, device, identity.csr_pem(device), files, config.tablets.cert_days)
    renew_after = timestamp(pki.renew_after(issued.certificate))
    identity.save(Enrolment(config.edge_id, device, config.server_name, config.tablets.mqtt_port,
                            f"https://127.0.0.1:{api_port}", ca_pin(files), renew_after, "127.0.0.1"),
                  pki.cert_to_pem(issued.certificate).decode(), files.ca_cert.read_text())
    return identity


def submit_and_flush(stack, tablet, learner: str, course: str, submissions) -> None:
    """From a stack's tablet: submit each (assignment, text, [(path, media type)]), upload the
    attachments, and send the records over MQTT until the edge acked them all."""
    outbox = Outbox(str(tablet.outbox_path))
    learning = Learning(tablet.folder, outbox)
    try:
        for assignment, text, files in submissions:
            learning.submit_assignment(learner, course, assignment, text, files)
        learning.release(Uploader(EdgeApi(tablet)))
        client = TabletClient(tablet, "127.0.0.1", stack.mqtt_port, outbox).start()
        try:
            assert client.wait_flushed(60)
        finally:
            client.stop()
    finally:
        outbox.close()
        learning.close()


def held_chunks(attachment_id: str) -> list[int]:
    from edge.attachments.store import AttachmentChunk

    return sorted(c.n for c in AttachmentChunk.select().where(AttachmentChunk.attachment == attachment_id))


class CuttingProxy:
    """Forwards one TCP connection at a time to `upstream`; cuts it (both ways, at once) once the
    client has sent `cut_after` bytes. The TLS session runs end to end through it."""

    def __init__(self, upstream_port: int, cut_after: int):
        self.upstream_port, self.cut_after = upstream_port, cut_after
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.forwarded = 0
        self.cut = threading.Event()
        self._sockets: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def start(self) -> CuttingProxy:
        self._thread.start()
        return self

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            self._sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, counted: bool) -> None:
        try:
            while data := source.recv(16384):
                if counted and self.forwarded + len(data) > self.cut_after:
                    self._cut()
                    return
                if counted:
                    self.forwarded += len(data)
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def _cut(self) -> None:
        self.cut.set()
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        self.listener.close()
        self._cut()
        for sock in self._sockets:
            sock.close()


def open_store(config: EdgeConfig) -> None:
    store.open_store(str(config.db_path))
