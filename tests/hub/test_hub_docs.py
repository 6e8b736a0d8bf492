"""docs/hub.md names every setting, route, error code and command the hub has."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from hub import cli, config
from hub.app import create_app

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "hub.md").read_text()


def _commands() -> list[str]:
    parser = argparse.ArgumentParser(prog="throughgate")
    cli.register(parser.add_subparsers())
    found = []

    def walk(p: argparse.ArgumentParser, path: list[str]) -> None:
        subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            found.append(" ".join(path))
        for action in subs:
            for name, child in action.choices.items():
                walk(child, [*path, name])

    walk(parser, ["throughgate"])
    return found


@pytest.mark.parametrize("key", list(config.KEYS))
def test_every_setting_is_documented(key):
    assert f"`{key}`" in DOCS


def test_every_route_is_documented(instance):
    app = create_app({}, instance_path=instance)
    rules = {(rule.rule, method) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
             and not rule.rule.startswith(("/admin", "/work")) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert rules == {("/healthz", "GET"), ("/metrics", "GET"), ("/v1/batches", "POST"), ("/v1/records", "GET"),
                     ("/v1/records/summary", "GET"), ("/v1/enrol/ca", "GET"), ("/v1/enrol", "POST"),
                     ("/v1/edge/renew", "POST"), ("/v1/edge/hub-keys", "GET"), ("/v1/edge/signing-keys", "POST"),
                     ("/v1/admin/enrolment-tokens", "POST"), ("/v1/admin/edges/<edge_id>/revoke", "POST"),
                     ("/v1/admin/enrolment-tokens/<token_id>/cancel", "POST"),
                     ("/v1/admin/edges", "GET"), ("/v1/admin/keys/rotate", "POST"), ("/v1/admin/approvals", "GET"),
                     ("/v1/admin/approvals/<int:request_id>/approve", "POST"),
                     ("/v1/admin/approvals/<int:request_id>/refuse", "POST"), ("/v1/admin/audit", "GET"),
                     ("/v1/edge/health", "POST"),
                     ("/v1/attachments/<sha256>", "GET"), ("/v1/attachments/<sha256>", "PUT"),
                     ("/v1/admin/courses", "POST"), ("/v1/admin/courses", "GET"), ("/v1/admin/courses/<course>", "GET"),
                     ("/v1/admin/courses/<course>/manifest", "GET"), ("/v1/admin/courses/<course>/targets", "PUT"),
                     ("/v1/admin/courses/<course>/targets", "DELETE"), ("/v1/courses", "GET"),
                     ("/v1/content/<sha256>", "GET"), ("/v1/phone/activate", "POST"), ("/v1/phone/sync", "POST"),
                     ("/v1/phone/views", "GET"), ("/v1/phone/push", "GET"), ("/v1/phone/push", "PUT"),
                     ("/v1/phone/push", "DELETE"), ("/v1/phone/uploads/<sha256>", "GET"),
                     ("/v1/phone/uploads/<sha256>", "PUT"), ("/v1/phone/attachments/<sha256>", "GET"),
                     ("/v1/phone/health", "GET"), ("/v1/phone/health/bundle", "GET"),
                     ("/v1/phone/health/printable", "GET"), ("/v1/phone/health/choice", "POST"),
                     ("/v1/phone/health/shares", "GET"), ("/v1/phone/health/shares", "POST"),
                     ("/v1/phone/health/shares/<share_id>/revoke", "POST"), ("/v1/phone/health/workers", "POST"),
                     ("/v1/phone/health/reads", "GET"), ("/v1/phone/courses", "GET"),
                     ("/v1/phone/courses/<course>/launch", "POST"), ("/v1/phone/forms", "GET"),
                     ("/v1/phone/checkins", "GET"), ("/v1/phone/checkins/credential", "POST"),
                     ("/v1/phone/work", "GET"), ("/v1/phone/work/files/<sha256>", "GET"),
                     ("/health/shared/<secret>", "GET"),
                     ("/health/shared/<secret>/bundle.json", "GET"), ("/health/shared/<secret>/summary.pdf", "GET"),
                     ("/", "GET"), ("/app", "GET"), ("/app/", "GET"), ("/app/<path:path>", "GET"),
                     ("/v1/calendar/<token>.ics", "GET"), ("/v1/edge/transfers", "GET"),
                     ("/v1/edge/transfers/<transfer_id>/records", "GET"),
                     ("/v1/edge/transfers/<transfer_id>/delivered", "POST"), ("/v1/edge/plans", "GET"),
                     ("/v1/edge/forms", "GET"), ("/v1/edge/forms/refusals/ack", "POST"),
                     ("/v1/health/people/<person_id>/summary", "POST"),
                     ("/v1/health/people/<person_id>/appointments", "POST")}
    for rule, method in rules:
        assert f"### `{method} {rule}`" in DOCS


@pytest.mark.parametrize("command", _commands())
def test_every_command_is_documented_with_its_output(command):
    heading = re.search(rf"^### `{re.escape(command)}\b.*$", DOCS, re.M)
    assert heading, f"no section for {command}"
    assert f"$ {command}" in DOCS[heading.end():]


def test_every_error_code_the_hub_sends_is_documented():
    hub = Path(__file__).resolve().parents[2] / "hub"
    sources = "".join(p.read_text() for folder in ("", "ingest", "enrolment", "attachments")
                      for p in (hub / folder).glob("*.py"))
    wire = (Path(__file__).resolve().parents[2] / "wire" / "batches.py").read_text()
    codes = set(re.findall(r'(?:error|_refused)\([^"\n)]*"([a-z_]+)"', sources))
    codes |= set(re.findall(r'error="([a-z_]+)"', sources)) | set(re.findall(r'BatchError\("([a-z_]+)"', wire))
    codes |= set(re.findall(r'Refused\(\d+, "([a-z_]+)"', sources))
    assert {"edge_mismatch", "replay", "bad_record", "cannot_open", "unauthorized", "token_used",
            "client_certificate_required", "unknown_certificate", "edge_revoked"} <= codes
    for code in codes:
        assert f"`{code}`" in DOCS, code


def test_every_console_page_is_in_the_consoles_section(instance):
    """The admin console's pages (not an API: test_hub_console_authorization.py checks who may open them)."""
    app = create_app({}, instance_path=instance)
    console = DOCS.split("## The admin console", 1)[1].split("\n## ", 1)[0]
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin/") and rule.endpoint != "console.static":
            assert f"`{rule.rule}`" in console or f"`{rule.rule.rsplit('/<', 1)[0]}" in console, rule.rule


def test_every_workers_console_page_is_in_its_section(instance):
    """The workers' console's pages (tests/hub/test_hub_work_console.py checks who may open them)."""
    app = create_app({}, instance_path=instance)
    work = DOCS.split("## The workers' console", 1)[1].split("\n## ", 1)[0]
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/work/"):
            assert f"`{rule.rule}`" in work, rule.rule
