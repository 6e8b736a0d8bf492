"""Hostile course packages, built here as real zips, fed to the real `throughgate hub courses import`
(its own process, on a real hub instance): XML tricks in the manifest, and sizes and names in the zip.

Memory is the import process's peak resident size (its rusage, read by a parent that runs only
it), compared with importing a small valid package: a ratio, never a time.
"""

from __future__ import annotations

import json
import random
import struct
import zipfile
from pathlib import Path

import pytest

from hub.courses import zipcount
from tests.courses import hostilekit
from tests.courses.hostilekit import (
    IMSCP,
    _member,
    courses_listed,
    hub,
    import_measured,
    many_entries_zip,
    native_zip,
    refused,
    scorm_manifest,
    scorm_zip,
    write_zip,
)

# the kit's fixtures, here so that pytest finds them
baseline_kb = hostilekit.baseline_kb
instance = hostilekit.instance
listener = hostilekit.listener


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
