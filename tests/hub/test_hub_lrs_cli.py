"""`throughgate hub lrs forward|status`: progress printed as it goes, what was left out and why,
and a clear error without an LRS."""

from __future__ import annotations

import pytest
from lrskit import (  # noqa: F401 (fixtures)
    learning_record,
    lrs_hub_settings,
    lrs_secret_file,
    lrs_server,
    mixed_records,
    stored_records,
    write_hub_toml,
)

from hub import cli


@pytest.fixture
def hub_command(instance, hub_db_url, app, lrs, secret_file, capsys):
    """hub_command(*args) -> (exit code, stdout, stderr) of `throughgate hub ARGS --instance DIR`."""
    write_hub_toml(instance, hub_db_url, lrs, secret_file, batch_size=4)

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = cli.main([*args, "--instance", str(instance)])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_forward_prints_progress_per_batch_and_a_summary(hub_command, stored, lrs):
    stored(mixed_records())

    code, out, _err = hub_command("lrs", "forward")

    assert code == 0 and len(lrs.statements) == 10
    assert out.splitlines() == [
        f"forwarding 10 learning records to {lrs.url} (4 a batch)",
        "forwarded 4 of 10 statements, 0 left out, 0 already at the LRS (cursor 4)",
        "forwarded 8 of 10 statements, 0 left out, 0 already at the LRS (cursor 8)",
        "forwarded 10 of 10 statements, 0 left out, 0 already at the LRS (cursor 10)",
        "done: 10 forwarded, 0 left out",
    ]


def test_forward_waits_out_a_short_outage(hub_command, stored, lrs):
    stored(mixed_records())
    lrs.outage(1, 503)

    code, out, _err = hub_command("lrs", "forward")

    assert code == 0 and len(lrs.statements) == 10
    assert 'LRS unavailable (503: {"error": "unavailable"}); trying again in 1 s' in out


def test_forward_gives_up_after_its_attempts_and_keeps_what_was_confirmed(hub_command, stored, lrs):
    stored(mixed_records())
    lrs.outage(1, 503)

    code, _out, err = hub_command("lrs", "forward", "--attempts", "1")

    assert code == 1 and lrs.statements == {}
    assert "what the LRS confirmed is saved; run this again later" in err


def test_status_shows_the_cursor_and_each_record_left_out_with_its_reason(hub_command, stored, lrs):
    broken = learning_record("progress_statement", "L-0042", 20, lambda _rid: {"verb": "completed"})
    stored([*mixed_records(), broken])
    hub_command("lrs", "forward")

    code, out, _err = hub_command("lrs", "status")

    assert code == 0
    assert f"LRS:       {lrs.url}" in out and "pending:   0" in out and "left out:  1" in out
    assert "forwarded: 10 statements (cursor 12, at " in out
    assert f"{broken['id']}  progress_statement  12      the statement has no 'id'" in out


@pytest.mark.parametrize("hub_settings", [{}])
def test_forward_without_an_lrs_says_which_settings_to_set(instance, hub_db_url, app, capsys):
    write_hub_toml(instance, hub_db_url)

    assert cli.main(["lrs", "forward", "--instance", str(instance)]) == 1
    assert "LRS_URL is not set: set LRS_URL, LRS_USERNAME and LRS_PASSWORD_FILE" in capsys.readouterr().err
