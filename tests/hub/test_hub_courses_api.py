"""The courses API (SQLite and PostgreSQL): admins upload packages and target them; an edge sees
only the courses targeted at it and fetches their files with ETag and Range, over the real HTTPS
server with mutual TLS."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request

import pytest
from coursekit import build_native_zip, build_scorm12_zip, noise, sha256, write_zip

from hub.courses import catalogue
from hub.courses.blobs import BlobStore
from hub.courses.importer import import_package
from hub.courses.models import Course, CourseVersion
from hub.courses.package import Limits
from wire.courses import verify_manifest
from wire.keys import HubPublicKeys

VIDEO = noise(3 << 20, seed=7)


@pytest.fixture
def import_zip(app):
    def run(path, course=None):
        with app.app_context():
            return import_package(path, BlobStore.from_config(app.config), app.extensions["hub_keys"].get().signing,
                                  Limits.from_config(app.config), course)

    return run


@pytest.fixture
def course(import_zip, tmp_path):
    """A native course `intro-maths` with a 3 MiB video: (Imported, {path: bytes})."""
    members = build_native_zip(tmp_path / "course.zip", video=VIDEO)
    return import_zip(tmp_path / "course.zip"), members


def upload(client, headers, path, query=""):
    return client.post(f"/v1/admin/courses{query}", data=path.read_bytes(), content_type="application/zip",
                       headers=headers)


def public_key(app):
    """The key an edge verifies manifests with: `receipt` in the hub's public key document."""
    return HubPublicKeys.from_document(app.extensions["hub_keys"].get().public_document()).receipt


def test_upload_needs_the_admin_token_and_stores_nothing_without_it(client, tmp_path):
    build_scorm12_zip(tmp_path / "p.zip")

    response = upload(client, {}, tmp_path / "p.zip")

    assert response.status_code == 401 and response.json["error"] == "unauthorized"
    assert Course.select().count() == 0


def test_admin_uploads_a_scorm_package_then_lists_it_and_reads_its_signed_manifest(app, client, auth_headers,
                                                                                   tmp_path):
    build_scorm12_zip(tmp_path / "p.zip", units=2)

    created = upload(client, auth_headers, tmp_path / "p.zip", "?course=maths-one")
    again = upload(client, auth_headers, tmp_path / "p.zip", "?course=maths-one")
    listed = client.get("/v1/admin/courses", headers=auth_headers).json["courses"]
    versions = client.get("/v1/admin/courses/maths-one", headers=auth_headers).json["versions"]
    envelope = client.get("/v1/admin/courses/maths-one/manifest", headers=auth_headers).json

    assert created.status_code == 201 and created.json["version"] == 1 and created.json["format"] == "scorm12"
    assert again.status_code == 200 and again.json["unchanged"] is True
    assert [(c["course"], c["current"]["version"], c["targets"]) for c in listed] == [("maths-one", 1, [])]
    assert [v["version"] for v in versions] == [1]
    assert verify_manifest(envelope, public_key(app)).course == "maths-one"


@pytest.mark.parametrize(("members", "code"), [
    ({"imsmanifest.xml": b"<manifest>", "../../x.html": b"x"}, "unsafe_path"),
    ({"imsmanifest.xml": b"<manifest><organizations>"}, "bad_xml"),
])
def test_refused_upload_gets_400_with_code_and_reason(client, auth_headers, tmp_path, members, code):
    write_zip(tmp_path / "p.zip", members)

    response = upload(client, auth_headers, tmp_path / "p.zip")

    assert response.status_code == 400 and response.json["error"] == code and response.json["reason"]
    assert CourseVersion.select().count() == 0


@pytest.mark.parametrize("hub_settings", [{"COURSE_MAX_PACKAGE_BYTES": 4096}])
def test_upload_over_the_package_limit_gets_413_before_it_is_read(client, auth_headers, tmp_path):
    build_native_zip(tmp_path / "p.zip", video=noise(8192))

    response = upload(client, auth_headers, tmp_path / "p.zip")

    assert response.status_code == 413 and response.json["error"] == "too_large"
    assert Course.select().count() == 0


def test_upload_that_is_not_a_zip_type_gets_415(client, auth_headers):
    response = client.post("/v1/admin/courses", data=b"{}", content_type="application/json", headers=auth_headers)
    assert response.status_code == 415 and response.json["error"] == "unsupported_media_type"


def test_targets_are_set_and_removed_per_edge_and_group(client, auth_headers, course, make_edge):
    make_edge("hmp-north")

    everyone = client.put("/v1/admin/courses/intro-maths/targets", json={"edge": "hmp-north"}, headers=auth_headers)
    wing = client.put("/v1/admin/courses/intro-maths/targets", json={"edge": "hmp-north", "group": "wing-a"},
                      headers=auth_headers)
    removed = client.delete("/v1/admin/courses/intro-maths/targets", json={"edge": "hmp-north"}, headers=auth_headers)

    assert everyone.json["targets"] == [{"edge": "hmp-north", "group": None}]
    assert wing.json["targets"] == [{"edge": "hmp-north", "group": None}, {"edge": "hmp-north", "group": "wing-a"}]
    assert removed.json["targets"] == [{"edge": "hmp-north", "group": "wing-a"}]


@pytest.mark.parametrize(("course_name", "body", "status", "code"), [
    ("intro-maths", {"edge": "hmp-nowhere"}, 404, "unknown_edge"),
    ("no-such-course", {"edge": "hmp-north"}, 404, "unknown_course"),
    ("intro-maths", {"edge": "hmp-north", "group": "Wing A!"}, 400, "bad_group"),
])
def test_bad_target_is_refused(client, auth_headers, course, make_edge, course_name, body, status, code):
    make_edge("hmp-north")
    response = client.put(f"/v1/admin/courses/{course_name}/targets", json=body, headers=auth_headers)
    assert response.status_code == status and response.json["error"] == code


def test_edge_sees_only_the_courses_targeted_at_it_and_only_their_files(app, client, course, make_edge):
    imported, members = course
    north, south = make_edge("hmp-north"), make_edge("hmp-south")
    catalogue.set_target("intro-maths", "hmp-north", "wing-a")
    blob = sha256(members["index.html"])

    seen_north = client.get("/v1/courses", environ_base=north.environ).json["courses"]
    seen_south = client.get("/v1/courses", environ_base=south.environ).json["courses"]
    file_north = client.get(f"/v1/content/{blob}", environ_base=north.environ)
    file_south = client.get(f"/v1/content/{blob}", environ_base=south.environ)

    assert [entry["groups"] for entry in seen_north] == [["wing-a"]]
    assert verify_manifest(seen_north[0]["envelope"], public_key(app)).version == imported.version
    assert seen_south == []
    assert file_north.status_code == 200 and file_north.data == members["index.html"]
    assert file_north.headers["Content-Type"] == "text/html"
    assert file_south.status_code == 404 and file_south.json["error"] == "not_found"


def test_a_new_version_replaces_the_old_in_the_list_but_old_files_stay_fetchable(client, import_zip, course,
                                                                              make_edge, tmp_path):
    _imported, members = course
    north = make_edge("hmp-north")
    catalogue.set_target("intro-maths", "hmp-north")
    build_native_zip(tmp_path / "v2.zip", video=VIDEO, extra={"index.html": b"<p>new welcome</p>"})
    import_zip(tmp_path / "v2.zip")

    listed = client.get("/v1/courses", environ_base=north.environ).json["courses"]
    old = client.get(f"/v1/content/{sha256(members['index.html'])}", environ_base=north.environ)

    assert [entry["envelope"]["manifest"]["version"] for entry in listed] == [2]
    assert old.status_code == 200


def test_edge_routes_need_a_client_certificate(client, course):
    assert client.get("/v1/courses").status_code == 401
    assert client.get(f"/v1/content/{'a' * 64}").status_code == 401


def fetch(url: str, context: ssl.SSLContext, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """A real HTTPS GET: (status, headers, body bytes), errors included."""
    assert url.startswith("https://127.0.0.1:")
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30, context=context) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.fixture
def video_url(server, course, make_edge):
    north = make_edge("hmp-north")
    catalogue.set_target("intro-maths", "hmp-north")
    return f"{server.url}/v1/content/{sha256(VIDEO)}", north


def test_file_over_https_with_mutual_tls_carries_etag_and_accepts_ranges(video_url, connect_as):
    url, north = video_url

    status, headers, body = fetch(url, connect_as(north))

    assert status == 200 and body == VIDEO
    assert headers["ETag"] == f'"{sha256(VIDEO)}"' and headers["Accept-Ranges"] == "bytes"
    assert int(headers["Content-Length"]) == len(VIDEO) and headers["Content-Type"] == "video/mp4"


@pytest.mark.parametrize(("range_header", "start", "stop"), [
    ("bytes=0-99", 0, 100), ("bytes=1000000-1999999", 1000000, 2000000), ("bytes=-500", len(VIDEO) - 500, len(VIDEO)),
    (f"bytes={len(VIDEO) - 10}-", len(VIDEO) - 10, len(VIDEO)), (f"bytes=5-{len(VIDEO) * 2}", 5, len(VIDEO)),
])
def test_range_request_over_https_gets_206_with_exactly_those_bytes(video_url, connect_as, range_header, start, stop):
    url, north = video_url

    status, headers, body = fetch(url, connect_as(north), {"Range": range_header})

    assert status == 206 and body == VIDEO[start:stop]
    assert headers["Content-Range"] == f"bytes {start}-{stop - 1}/{len(VIDEO)}"
    assert int(headers["Content-Length"]) == stop - start


def test_unsatisfiable_range_gets_416_naming_the_size(video_url, connect_as):
    url, north = video_url

    status, headers, body = fetch(url, connect_as(north), {"Range": f"bytes={len(VIDEO)}-"})

    assert status == 416 and headers["Content-Range"] == f"bytes */{len(VIDEO)}"
    assert json.loads(body)["error"] == "range_not_satisfiable"


def test_interrupted_download_resumes_with_a_range_and_the_hash_matches(video_url, connect_as):
    url, north = video_url
    context = connect_as(north)
    request = urllib.request.Request(url)  # noqa: S310
    with urllib.request.urlopen(request, timeout=30, context=context) as response:  # noqa: S310
        part = response.read(1 << 20)  # the connection drops after 1 MiB

    status, headers, rest = fetch(url, context, {"Range": f"bytes={len(part)}-", "If-Range": f'"{sha256(VIDEO)}"'})

    assert status == 206
    assert sha256(part + rest) == sha256(VIDEO)


def test_conditional_requests_get_304_or_the_whole_file(video_url, connect_as):
    url, north = video_url
    etag = f'"{sha256(VIDEO)}"'

    not_modified = fetch(url, connect_as(north), {"If-None-Match": etag})
    stale_if_range = fetch(url, connect_as(north), {"Range": "bytes=0-9", "If-Range": '"' + "0" * 64 + '"'})
    several_ranges = fetch(url, connect_as(north), {"Range": "bytes=0-9,20-29"})

    assert not_modified[0] == 304 and not_modified[2] == b""
    assert stale_if_range[0] == 200 and stale_if_range[2] == VIDEO
    assert several_ranges[0] == 200 and several_ranges[2] == VIDEO


def test_other_edge_gets_404_for_the_file_over_https(video_url, make_edge, connect_as):
    url, _north = video_url
    south = make_edge("hmp-south")

    status, _headers, body = fetch(url, connect_as(south), {"Range": "bytes=0-99"})

    assert status == 404 and json.loads(body)["error"] == "not_found"
    assert b"intro" not in body
