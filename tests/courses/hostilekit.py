"""Hostile course packages made as real zips, and the real hub they are fed to: shared by
test_courses_hostile_packages.py (XML and zip tricks) and test_courses_hostile_titles.py (what
consoles and terminals show)."""

from __future__ import annotations

import http.server
import json
import os
import stat
import struct
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from throughgate.stack import CLI

IMSCP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
_PEAK = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(done.returncode)")
_ENV = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("THROUGHGATE_HUB_")}


def _member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def write_zip(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            info = _member(name)
            info.compress_type = compression
            archive.writestr(info, data)
    return path


def scorm_manifest(title: str = "Fractions", items: str | None = None, doctype: str = "", extra: str = "") -> bytes:
    items = items if items is not None else '<item identifier="I1" identifierref="R1"><title>Unit 1</title></item>'
    return (f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<manifest identifier="com.example.fractions" '
            f'xmlns="{IMSCP}"><metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>'
            f'<organizations default="O"><organization identifier="O"><title>{title}</title>{items}'
            '</organization></organizations><resources><resource identifier="R1" type="webcontent" '
            f'href="index.html"><file href="index.html"/></resource></resources>{extra}</manifest>').encode()


def scorm_zip(path: Path, manifest: bytes, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    return write_zip(path, {"imsmanifest.xml": manifest, "index.html": b"<p>Unit 1</p>"}, compression)


def native_zip(path: Path, course: str, title: str = "First aid", items: list | None = None, **fields) -> Path:
    items = items or [{"id": "welcome", "title": "Welcome", "type": "page", "href": "index.html"}]
    course_json = {"throughgate_course": 1, "course": course, "title": title, "items": items, **fields}
    return write_zip(path, {"course.json": json.dumps(course_json).encode(), "index.html": b"<p>Welcome</p>"},
                     zipfile.ZIP_STORED)


def many_entries_zip(path: Path, entries: int, zip64: bool) -> Path:
    """A zip of `entries` empty files with one-to-five-character names, written header by header."""
    with open(path, "wb") as out:
        directory, offset = bytearray(), 0
        for n in range(entries):
            name = f"{n:x}".encode()
            local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0x21, 0, 0, 0, len(name), 0) + name
            out.write(local)
            directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 0x314, 20, 0, 0, 0, 0x21, 0, 0, 0, len(name), 0,
                                     0, 0, 0, (stat.S_IFREG | 0o644) << 16, offset) + name
            offset += len(local)
        out.write(directory)
        if zip64:
            end64 = offset + len(directory)
            out.write(struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, entries, entries, len(directory),
                                  offset))
            out.write(struct.pack("<4sLQL", b"PK\x06\x07", 0, end64, 1))
        count = 0xFFFF if zip64 else min(entries, 0xFFFF)
        out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), offset, 0))
    return path


def hub(instance: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "hub", *args, "--instance", str(instance)], capture_output=True, timeout=300,
                          env={**_ENV, **(env or {})})


def import_measured(instance: Path, package: Path) -> tuple[subprocess.CompletedProcess, int]:
    """`hub courses import` and its peak resident memory in KB."""
    done = subprocess.run([sys.executable, "-c", _PEAK, *CLI, "hub", "courses", "import", str(package),
                           "--instance", str(instance)], capture_output=True, timeout=300, env=_ENV)
    *lines, peak = done.stderr.decode().rstrip().split("\n")
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout, "\n".join(lines).encode()), int(peak)


def courses_listed(instance: Path) -> bytes:
    done = hub(instance, "courses", "list")
    assert done.returncode == 0, done.stderr
    return done.stdout


def refused(done: subprocess.CompletedProcess, code: str) -> str:
    err = done.stderr.decode()
    assert done.returncode == 1, (done.stdout, err)
    assert f"refused ({code})" in err, err
    return err


@pytest.fixture(scope="module")
def instance(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "hub"
    done = subprocess.run([*CLI, "hub", "init", "--instance", str(folder)], capture_output=True, timeout=120, env=_ENV)
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture(scope="module")
def baseline_kb(instance, tmp_path_factory) -> int:
    """The peak memory of importing a small valid package."""
    done, peak = import_measured(instance, native_zip(tmp_path_factory.mktemp("base") / "ok.zip", "baseline"))
    assert done.returncode == 0, done.stderr
    return peak


@pytest.fixture(scope="module")
def listener():
    """An HTTP server on loopback that records every path asked of it (an XXE or DTD target)."""
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY leak "LEAKED">')

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", asked
    server.shutdown()
    server.server_close()
