"""throughgate.demo's app part: the tablet's .p12 a browser imports, and when the demo keeps serving
(on a terminal, until Ctrl-C) or exits at once (no terminal, or THROUGHGATE_DEMO_EXIT=1). `make demo`
itself is the whole run (about 35 s), so it is run by hand and in CI, not here."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

from cryptography.hazmat.primitives.serialization import pkcs12

from provisioning import pki
from throughgate import demo

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_tablet_p12_holds_its_key_certificate_and_ca(tmp_path):
    ca = pki.make_root(pki.new_key(), "tablet CA", 1)
    key = pki.new_key()
    cert = pki.issue(ca, key.public_key(), "tab-0000", "client", 1)
    for name, pem in (("key.pem", pki.key_to_pem(key)), ("cert.pem", pki.cert_to_pem(cert)),
                      ("ca.pem", pki.cert_to_pem(ca.cert))):
        (tmp_path / name).write_bytes(pem)
    tablet = SimpleNamespace(device="tab-0000", key_path=tmp_path / "key.pem", cert_path=tmp_path / "cert.pem",
                             ca_path=tmp_path / "ca.pem")
    password = demo._tablet_p12(tablet, tmp_path / "tab-0000.p12")
    loaded = pkcs12.load_pkcs12((tmp_path / "tab-0000.p12").read_bytes(), password.encode())
    assert loaded.cert.certificate == cert
    assert pki.spki_sha256(loaded.key.public_key()) == pki.spki_sha256(key.public_key())
    assert [c.certificate for c in loaded.additional_certs] == [ca.cert]
    assert (tmp_path / "tab-0000.p12").stat().st_mode & 0o077 == 0


def test_it_exits_at_once_without_a_terminal_or_when_asked(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO())
    monkeypatch.delenv("THROUGHGATE_DEMO_EXIT", raising=False)
    assert demo._serve_until_interrupted() is False
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setenv("THROUGHGATE_DEMO_EXIT", "1")
    assert demo._serve_until_interrupted() is False


def test_on_a_terminal_it_serves_until_ctrl_c(monkeypatch):
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.delenv("THROUGHGATE_DEMO_EXIT", raising=False)

    def ctrl_c(seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr(demo.time, "sleep", ctrl_c)
    assert demo._serve_until_interrupted() is True


def test_the_readme_shows_what_it_prints():
    assert "THROUGHGATE_DEMO_EXIT=1" in README
    assert "serving until Ctrl-C (THROUGHGATE_DEMO_EXIT=1 or no terminal: exit at once)" in README
    assert "  phone:  open https://127.0.0.1:" in README and "and type the activation code" in README
    assert "  tablet: import /tmp/throughgate-demo-" in README and ".p12 (password" in README
    assert "/app/#/activate?code=" in README and "  offline: a browser keeps the app" in README
