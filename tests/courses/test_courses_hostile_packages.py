"""Hostile course packages, built here as real zips, fed to the real `throughgate hub courses import`
(its own process, on a real hub instance), and what `hub courses list` then prints.

Memory is the import process's peak resident size (its rusage, read by a parent that runs only
it), compared with importing a small valid package: a ratio, never a time.
"""

from __future__ import annotations

import http.server
import json
import os
import random
import re
import sqlite3
import stat
import struct
import subprocess
import sys
import threading
import uuid
import zipfile
from pathlib import Path

import pytest

from hub.courses import zipcount
from throughgate.stack import CLI
from wire.learning import check_payload
from wire.records import Record, RecordError

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


# --- XML tricks in imsmanifest.xml --------------------------------------------------------------

_LAUGHS = '<!DOCTYPE manifest [<!ENTITY l0 "lol">' + "".join(
    f'<!ENTITY l{n} "{("&l" + str(n - 1) + ";") * 10}">' for n in range(1, 10)) + "]>"
ENTITY_TRICKS = {
    "billion-laughs": lambda url: scorm_manifest("&l9;", doctype=_LAUGHS),
    "quadratic-blowup": lambda url: scorm_manifest(
        "&a;" * 20_000, doctype='<!DOCTYPE manifest [<!ENTITY a "' + "x" * 50_000 + '">]>'),
    "external-entity-file": lambda url: scorm_manifest(
        "&x;", doctype='<!DOCTYPE manifest [<!ENTITY x SYSTEM "file:///etc/passwd">]>'),
    "external-entity-http": lambda url: scorm_manifest(
        "&x;", doctype=f'<!DOCTYPE manifest [<!ENTITY x SYSTEM "{url}/entity">]>'),
    "parameter-entity": lambda url: scorm_manifest(
        doctype=f'<!DOCTYPE manifest [<!ENTITY % p SYSTEM "{url}/parameter"> %p;]>'),
}


@pytest.mark.parametrize("trick", ENTITY_TRICKS)
def test_entity_tricks_in_the_manifest_are_refused_and_nothing_is_fetched(instance, listener, tmp_path, trick):
    url, asked = listener
    package = scorm_zip(tmp_path / "p.zip", ENTITY_TRICKS[trick](url))

    err = refused(hub(instance, "courses", "import", str(package)), "bad_xml")

    assert "without entities" in err
    assert asked == []
    assert b"fractions" not in courses_listed(instance)


REFERENCES_NEVER_FOLLOWED = {
    "external-dtd": lambda url: scorm_manifest(doctype=f'<!DOCTYPE manifest SYSTEM "{url}/dtd">'),
    "public-dtd": lambda url: scorm_manifest(doctype=f'<!DOCTYPE manifest PUBLIC "-//X//DTD X//EN" "{url}/public">'),
    "schema-location": lambda url: scorm_manifest().replace(
        b'xmlns="', f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="{IMSCP} {url}/xsd" '
        'xmlns="'.encode(), 1),
    "stylesheet": lambda url: scorm_manifest().replace(b"?>", f'?><?xml-stylesheet href="{url}/xsl"?>'.encode(), 1),
    "xinclude": lambda url: scorm_manifest(
        'Fractions<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/>',
        extra=f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{url}/xinclude"/>'),
}


@pytest.mark.parametrize("reference", REFERENCES_NEVER_FOLLOWED)
def test_dtds_schemas_stylesheets_and_xincludes_are_never_fetched(instance, listener, tmp_path, reference):
    url, asked = listener
    package = scorm_zip(tmp_path / "p.zip", REFERENCES_NEVER_FOLLOWED[reference](url))

    done = hub(instance, "courses", "import", str(package), "--course", f"ref-{reference}")

    assert done.returncode == 0, done.stderr
    assert b"'Fractions'" in done.stdout  # nothing was included in the title
    assert asked == []


def test_a_deeply_nested_manifest_within_the_size_limit_imports(instance, tmp_path):
    depth = 500_000  # 3.5 MB of <a>: under the 4 MiB a manifest may be
    package = scorm_zip(tmp_path / "p.zip", scorm_manifest(extra="<a>" * depth + "</a>" * depth), zipfile.ZIP_STORED)

    done = hub(instance, "courses", "import", str(package), "--course", "deep")

    assert done.returncode == 0, done.stderr


# --- sizes and names in the zip -----------------------------------------------------------------

@pytest.mark.parametrize("zip64", [False, True], ids=["zip", "zip64"])
def test_a_zip_of_300000_empty_entries_is_refused_before_they_are_read(instance, baseline_kb, tmp_path, zip64):
    """Before: zipfile built all 300,000 entries first (a 3 million entry zip took the hub to 1.7 GB)."""
    package = many_entries_zip(tmp_path / "many.zip", 300_000, zip64)

    done, peak = import_measured(instance, package)

    assert peak < 1.5 * baseline_kb, (peak, baseline_kb)
    err = refused(done, "too_many_files")
    assert "more than 20000 entries" in err and "(COURSE_MAX_FILES)" in err


def test_a_zip_whose_directory_is_padded_with_extra_fields_is_refused_before_it_is_read(instance, tmp_path):
    padding = struct.pack("<HH", 0xCAFE, 60_000) + bytes(60_000)
    with zipfile.ZipFile(tmp_path / "fat.zip", "w") as archive:
        for n in range(90):  # fewer entries than the limit allows, each with 60 KB of extra field
            info = _member(f"page-{n}.html")
            info.extra = padding
            archive.writestr(info, b"<p>page</p>")

    done = hub(instance, "courses", "import", str(tmp_path / "fat.zip"), env={"THROUGHGATE_HUB_COURSE_MAX_FILES": "50"})

    err = refused(done, "too_large")
    assert "directory" in err and "(COURSE_MAX_FILES)" in err


def test_thousands_of_small_files_that_inflate_a_thousandfold_are_refused_as_a_bomb(instance, tmp_path):
    """Each file is just under the size that may compress freely; together, 80 MiB from 80 KB.
    Before: 4,000 such files (a 4.5 MB zip) put 4.2 GB into the hub's store."""
    files = {f"media/{n:03}.bin": n.to_bytes(4, "big") + bytes((1 << 20) - 4) for n in range(80)}
    package = native_zip(tmp_path / "p.zip", "bomb")
    with zipfile.ZipFile(package, "a") as archive:
        for name, data in files.items():
            archive.writestr(_member(name), data)

    err = refused(hub(instance, "courses", "import", str(package)), "zip_bomb")

    assert "82 files would inflate from" in err and "more than 100 times" in err
    assert b"bomb" not in courses_listed(instance)


def test_a_large_package_that_compresses_like_real_content_imports(instance, tmp_path):
    rng = random.Random(7)
    package = native_zip(tmp_path / "p.zip", "large-real")
    with zipfile.ZipFile(package, "a") as archive:
        for n in range(66):  # 66 MiB, half of each file noise (video-like), half text
            archive.writestr(_member(f"media/{n:02}.bin"), rng.randbytes(1 << 19) + b"lesson text " * 43_690)

    done = hub(instance, "courses", "import", str(package))

    assert done.returncode == 0, done.stderr
    assert b"68 files, 69.2 MB" in done.stdout


def test_a_package_zipped_with_python_writestr_imports(instance, tmp_path):
    """zipfile.writestr(name, data) records mode 0o600 with no file type: a plain file, not a special one."""
    with zipfile.ZipFile(tmp_path / "p.zip", "w") as archive:
        archive.writestr("course.json", json.dumps({"throughgate_course": 1, "course": "plain-python", "title": "Py",
                         "items": [{"id": "w", "title": "W", "type": "page", "href": "index.html"}]}))
        archive.writestr("index.html", "<p>hi</p>")
        assert archive.getinfo("index.html").external_attr >> 16 == 0o600

    done = hub(instance, "courses", "import", str(tmp_path / "p.zip"))

    assert done.returncode == 0, done.stderr


def test_a_file_name_with_a_bidi_override_is_refused(instance, tmp_path):
    name = "gpj.\u202eexe.html"  # shows as "gpj.lmth.exe"
    manifest = scorm_manifest().replace(b'<file href="index.html"/>', f'<file href="{name}"/>'.encode())
    package = write_zip(tmp_path / "p.zip", {"imsmanifest.xml": manifest, "index.html": b"x", name: b"x"})

    err = refused(hub(instance, "courses", "import", str(package)), "unsafe_path")

    assert "'gpj.\\u202eexe.html'" in err and "bidirectional" in err


# --- titles in the administrator's terminal -----------------------------------------------------

ESCAPES = "\x1b[2J\x1b[H\x1b]0;owned\x07\x1b[31mHUB COMPROMISED\x1b[0m"


def _raw(text: str) -> list[str]:
    """What a terminal would act on: ESC, BEL, CSI, NEL and the bidirectional controls."""
    return re.findall("[\x1b\x07\x9b\x85\u202a-\u202e\u2066-\u2069]", text)


def test_escape_sequences_in_titles_are_dropped_at_import_and_never_printed(instance, tmp_path):
    """Before: `hub courses list` wrote the title's bytes as they came: it cleared the admin's
    screen, set the window title and turned the rest of the output red."""
    native = native_zip(tmp_path / "n.zip", "ansi-title", title=f"Maths {ESCAPES}\u009b2J \u202egnp.exe\u202c",
                        items=[{"id": "welcome", "title": "Wel\x1b[8mcome", "type": "page", "href": "index.html"}])
    scorm = scorm_zip(tmp_path / "s.zip", scorm_manifest("Fractions \u009b31m \u202ereversed\u202c"))

    imported = hub(instance, "courses", "import", str(native))
    hub(instance, "courses", "import", str(scorm), "--course", "c1-title")
    listed = courses_listed(instance).decode()
    with sqlite3.connect(instance / "hub.db") as db:
        (envelope,) = db.execute("SELECT v.envelope FROM course_version v JOIN course c ON c.id = v.course_id "
                                 "WHERE c.slug = 'ansi-title'").fetchone()
    manifest = json.loads(envelope)["manifest"]

    assert imported.returncode == 0, imported.stderr
    assert _raw(imported.stdout.decode()) == [] and _raw(listed) == []
    assert "Maths [2J[H]0;owned[31mHUB COMPROMISED[0m2J gnp.exe" in listed
    assert "Fractions 31m reversed" in listed
    assert manifest["title"] == "Maths [2J[H]0;owned[31mHUB COMPROMISED[0m2J gnp.exe"
    assert manifest["items"][0]["title"] == "Wel[8mcome"


def test_a_title_stored_by_an_earlier_release_is_listed_with_visible_escapes(instance, tmp_path):
    hub(instance, "courses", "import", str(native_zip(tmp_path / "p.zip", "old-title")))
    with sqlite3.connect(instance / "hub.db") as db:
        db.execute("UPDATE course SET title = ? WHERE slug = 'old-title'", (f"Old {ESCAPES}\u202e",))

    listed = courses_listed(instance).decode()

    assert _raw(listed) == []
    assert "Old \\x1b[2J\\x1b[H\\x1b]0;owned\\x07\\x1b[31mHUB COMPROMISED\\x1b[0m\\u202e" in listed


def test_a_refusal_quoting_the_package_prints_no_escape_sequence(instance, tmp_path):
    package = native_zip(tmp_path / "p.zip", "unknown-field", **{f"x{ESCAPES}": 1})

    err = refused(hub(instance, "courses", "import", str(package)), "bad_manifest")

    assert _raw(err) == []
    assert "\\x1b]0;owned\\x07" in err


# --- limits on what every tablet and page shows -------------------------------------------------

def _items(count: int, **change) -> list[dict]:
    return [{"id": f"page-{n}", "title": f"Page {n}", "type": "page", "href": "index.html", **change}
            for n in range(count)]


OVER_THE_LIMITS = {
    "course-title": (lambda t: native_zip(t, "long-title", title="Fractions " * 60),
                     "title_too_long", ["course.json", "the course is 599 characters", "at most 500"]),
    "item-title": (lambda t: scorm_zip(t, scorm_manifest(
        items=f'<item identifier="I1" identifierref="R1"><title>{"Unit " * 120}</title></item>')),
        "title_too_long", ["imsmanifest.xml", "item 'I1' is 599 characters", "at most 500"]),
    "item-id": (lambda t: scorm_zip(t, scorm_manifest(items=f'<item identifier="{"I" * 201}" identifierref="R1"/>')),
                "bad_item_id", ["imsmanifest.xml", "(201 characters)", "at most 200"]),
    "item-id-control": (lambda t: native_zip(t, "id-control", items=_items(1, id="task\u202e1")),
                        "bad_item_id", ["course.json", "'task\\u202e1'", "without control characters"]),
    "items": (lambda t: native_zip(t, "many-items", items=_items(2001)),
              "too_many_items", ["course.json lists 2001", "at most 2000"]),
}


@pytest.mark.parametrize("case", OVER_THE_LIMITS)
def test_titles_ids_and_items_over_the_limits_are_refused_naming_the_file_and_limit(instance, tmp_path, case):
    make, code, said = OVER_THE_LIMITS[case]

    err = refused(hub(instance, "courses", "import", str(make(tmp_path / "p.zip"))), code)

    assert all(part in err for part in said), err


def test_items_and_titles_at_the_limits_import(instance, tmp_path):
    package = native_zip(tmp_path / "p.zip", "at-the-limits", title="T" * 500, items=_items(2000, title="t" * 500))

    done = hub(instance, "courses", "import", str(package))

    assert done.returncode == 0, done.stderr


# --- zipcount agrees with zipfile ---------------------------------------------------------------

def _zips(folder: Path, monkeypatch) -> dict[str, Path]:
    made = {"plain": write_zip(folder / "plain.zip", {f"f{n}.txt": b"x" for n in range(30)})}
    with zipfile.ZipFile(folder / "comment.zip", "w") as archive:
        archive.writestr(_member("a.txt"), b"a")
        archive.comment = b"made by an authoring tool " * 100
    made["comment"] = folder / "comment.zip"
    made["self-extracting"] = folder / "sfx.zip"
    made["self-extracting"].write_bytes(b"#!/bin/sh\nexit 0\n" * 500 + made["plain"].read_bytes())
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 5)  # zipfile writes zip64 end records past 5 entries
    made["zip64"] = write_zip(folder / "zip64.zip", {f"d/f{n}.txt": b"x" for n in range(12)})
    made["empty"] = write_zip(folder / "empty.zip", {})
    return made


def test_zipcount_counts_what_zipfile_reads(tmp_path, monkeypatch):
    for name, path in _zips(tmp_path, monkeypatch).items():
        with zipfile.ZipFile(path) as archive, open(path, "rb") as fp:
            found = zipcount.directory(fp)
            assert found is not None, name
            assert zipcount.count_entries(fp, *found, 1000) == len(archive.infolist()), name
            assert zipcount.count_entries(fp, *found, 3) == min(len(archive.infolist()), 4), name
    (tmp_path / "not.zip").write_bytes(b"PK\x03\x04 nothing more")
    with open(tmp_path / "not.zip", "rb") as fp:
        assert zipcount.directory(fp) is None


# --- the id a tablet names an assignment by, shown as a title in the staff console --------------

@pytest.mark.parametrize("assignment", ["essay\u202eFDP.exe", "essay\x1b[31m", "essay\u009b2J"])
def test_a_submission_naming_its_assignment_with_control_characters_is_refused_as_the_edge_would(assignment):
    """In Chromium the console escaped a submitted `<img onerror>` as text, but an override made
    'FDP.exe' read 'exe.PDF' in the page and in the window title before "from L-A1"."""
    payload = {"assignment": assignment, "course": "english-2", "text": "My essay", "attachments": []}

    with pytest.raises(RecordError) as caught:
        check_payload(Record(str(uuid.uuid4()), "assignment_submission", "L-A1", "2026-11-27T01:00:00.000Z", 1,
                             payload))

    assert caught.value.code == "bad_schema" and "bidirectional" in caught.value.reason
    check_payload(Record(str(uuid.uuid4()), "assignment_submission", "L-A1", "2026-11-27T01:00:00.000Z", 1,
                         {**payload, "assignment": "essay-1 <b>draft</b> écrit"}))
