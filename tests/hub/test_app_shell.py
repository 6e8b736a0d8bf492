"""The person's app as the hub serves it to phones at /app/ (webapp/serve.py, hub/webapp_web.py): the page says
its side, every built file comes with its SHA-256 as ETag and a policy allowing no inline script, the service
worker may control /app/, a missing build says what to run, and the shell's words are in English and Welsh."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest

import webapp

ROOT = Path(__file__).resolve().parents[2]
SHELL_PO = {lang: (ROOT / "app" / "i18n" / lang / "shell.po").read_text() for lang in ("en", "cy")}


@pytest.fixture
def hub_db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'hub.db'}"


@pytest.fixture(scope="module")
def assets():
    if not webapp.built():
        pytest.fail(f"{webapp.NOT_BUILT}", pytrace=False)
    return json.loads((webapp.DIST / "asset-manifest.json").read_text())["assets"]


def test_the_app_page_is_the_phone_side_with_no_inline_script_allowed(client, assets):
    response = client.get("/app/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="en" data-side="phone">' in html
    assert '<script type="module" src="/app/app.js"></script>' in html
    policy = response.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'self'; script-src 'self';") and "unsafe" not in policy
    assert response.headers["Cache-Control"] == "no-cache"
    again = client.get("/app/", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/app").status_code == 308 and client.get("/app").headers["Location"].endswith("/app/")


def test_every_built_file_is_served_with_its_sha256_as_etag(client, assets):
    for asset in assets:
        if asset["path"] == "index.html":
            continue
        response = client.get(f"/app/{asset['path']}")
        assert response.status_code == 200, asset["path"]
        assert hashlib.sha256(response.data).hexdigest() == asset["sha256"] == response.headers["ETag"].strip('"')
        assert response.headers["Cache-Control"] == "no-cache"
        assert client.get(f"/app/{asset['path']}", headers={"If-None-Match": f'"{asset["sha256"]}"'}).status_code == 304
    listed = client.get("/app/asset-manifest.json")  # what the service worker precaches
    assert listed.get_json()["assets"] == assets and listed.headers["Cache-Control"] == "no-cache"
    assert client.get("/app/app.js").headers["Content-Type"].startswith("text/javascript")
    assert client.get("/app/manifest.webmanifest").headers["Content-Type"] == "application/manifest+json"


def test_the_service_worker_may_control_the_app_and_nothing_else(client, assets):
    response = client.get("/app/sw.js")
    assert response.headers["Service-Worker-Allowed"] == "/app/"
    assert "Service-Worker-Allowed" not in client.get("/app/app.js").headers


def test_a_path_the_build_did_not_make_is_not_found(client, assets):
    for path in ("/app/nothing.js", "/app/../setup.cfg", "/app/%2e%2e/setup.cfg", "/app/asset-manifest.json/x"):
        assert client.get(path).status_code == 404, path


def test_the_app_is_installable_from_its_manifest(client, assets):
    manifest = client.get("/app/manifest.webmanifest").get_json(force=True)
    assert manifest["start_url"] == "/app/" and manifest["scope"] == "/app/" and manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200, icon["src"]


def test_a_hub_without_the_built_app_says_to_run_make_deps(client, tmp_path, monkeypatch):
    monkeypatch.setattr(webapp, "DIST", tmp_path / "no-dist")
    for path in ("/app/", "/app/app.js", "/app/sw.js"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert "make deps" in response.get_data(as_text=True)
        assert response.headers["Cache-Control"] == "no-store"


def _msgids(po: str) -> dict[str, str]:
    return dict(re.findall(r'^msgid "(.*)"\nmsgstr "(.*)"$', po, re.M))


def test_every_word_of_the_shell_is_in_shell_po_and_translated_into_welsh():
    source = "".join(p.read_text() for p in (ROOT / "app" / "src" / "shell").glob("*.js"))
    used = set(re.findall(r'\bt\("((?:[^"\\]|\\.)*)"', source))
    used |= set(re.findall(r'data-t(?:-label)?="([^"]*)"', (ROOT / "app" / "static" / "index.html").read_text()))
    english, welsh = _msgids(SHELL_PO["en"]), _msgids(SHELL_PO["cy"])
    assert used - {"Throughgate"} and not used - set(english), sorted(used - set(english))
    untranslated = sorted(m for m in used if not welsh.get(m) and m != "Throughgate")
    assert not untranslated


def test_the_build_merges_welsh_over_english_so_a_missing_welsh_string_shows_in_english(assets):
    cy = json.loads((webapp.DIST / "i18n" / "cy.json").read_text())
    en = json.loads((webapp.DIST / "i18n" / "en.json").read_text())
    assert cy["Read aloud"] == "Darllen yn uchel"
    assert set(en) <= set(cy)


def test_the_po_reader_takes_contexts_continued_lines_escapes_and_plurals_and_leaves_out_fuzzy():
    po = r'''msgid ""
msgstr "Language: cy\n"

#: a.js
msgid "Hello"
msgstr "Helo"
msgctxt "button"
msgid "Open"
msgstr "Agor"

msgid ""
"Two "
"lines \"q\""
msgstr "Dwy\n"
"linell"

#, fuzzy
msgid "Fuzzy"
msgstr "Niwlog"

msgid "Empty"
msgstr ""

msgid "{n} item"
msgid_plural "{n} items"
msgstr[0] "{n} eitemau"
msgstr[1] "{n} eitem"
'''
    script = "import('./app/po.mjs').then(m => console.log(JSON.stringify(m.parsePo(process.argv[1]))))"
    out = subprocess.run(["node", "-e", script, po], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == {"Hello": "Helo", "button\u0004Open": "Agor", 'Two lines "q"': "Dwy\nlinell",
                               "{n} item": ["{n} eitemau", "{n} eitem"]}


def test_scripts_go_gzipped_to_a_browser_that_takes_gzip(client, assets):
    app_js = next(a for a in assets if a["path"] == "app.js")
    response = client.get("/app/app.js", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.headers["Content-Encoding"] == "gzip" and response.headers["Vary"] == "Accept-Encoding"
    assert hashlib.sha256(gzip.decompress(response.data)).hexdigest() == app_js["sha256"]
    assert len(response.data) < app_js["bytes"] / 2
    assert response.headers["ETag"] == f'"{app_js["sha256"]}-gzip"'
    assert client.get("/app/app.js", headers={"Accept-Encoding": "gzip", "If-None-Match": response.headers["ETag"]}
                      ).status_code == 304


def test_the_hubs_bare_address_from_the_release_letter_opens_the_app(client):
    answer = client.get("/")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/app/")
