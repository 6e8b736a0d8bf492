"""`throughgate hub messages send`, run in-process through the hub's parser on a real instance: a message
from a name with no worker account is refused, saying what to do, and nothing reaches the person's feed
(the person could not answer it: their phone's reply would be refused as unknown_worker)."""

from __future__ import annotations

from hub import cli


def test_a_message_from_no_worker_is_refused_saying_to_add_the_worker_and_one_from_a_worker_waits(
        tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("THROUGHGATE_HUB_DATABASE_URL", f"sqlite:///{tmp_path / 'hub.db'}")
    instance = str(tmp_path / "hub")

    def hub(*args: str) -> tuple[int, str, str]:
        code = cli.main([*args, "--instance", instance])
        out, err = capsys.readouterr()
        return code, out, err

    assert hub("init")[0] == 0
    person = hub("people", "add")[1].strip()
    code, out, err = hub("messages", "send", person, "--from", "olivia", "Your first appointment is Monday.")
    assert code == 1 and out == ""
    assert "there is no worker 'olivia'" in err and "throughgate hub workers add olivia" in err
    assert hub("messages", "list", person)[1].strip() == "No messages yet."

    assert hub("workers", "add", "olivia", "--role", "offender_manager")[0] == 0
    code, out, _err = hub("messages", "send", person, "--from", "Olivia", "Your first appointment is Monday.")
    assert code == 0 and "waits for their phone's next sync" in out
    listed = hub("messages", "list", person)[1].splitlines()
    assert len(listed) == 2 and listed[1].split()[1:3] == ["olivia", "person"]
