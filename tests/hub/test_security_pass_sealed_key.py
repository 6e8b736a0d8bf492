"""Security pass: the key phones' photos and voice notes are sealed with (hub/sync/sealed.py) is made once.

Two hub processes (or `hub run` and a CLI) making ATTACHMENTS_KEY_FILE at the same moment each wrote their
own key and renamed it into place: the one that sealed first then had its files sealed with a key the file
no longer held, and those photos could never be opened again. Now the key is linked into place, never
replacing one another process made (as the VAPID key is), and everyone reads the one that stayed."""

from __future__ import annotations

import multiprocessing

from hub.staff import sealing
from hub.sync import sealed


def _make(path, barrier, answers) -> None:
    barrier.wait()
    answers.put(sealed.master_key(path).hex())


def test_processes_making_the_key_at_once_all_get_the_one_on_disk(tmp_path):
    context = multiprocessing.get_context("fork")
    for attempt in range(5):
        path = tmp_path / f"attachments-{attempt}.key"
        barrier, answers = context.Barrier(6), context.Queue()
        workers = [context.Process(target=_make, args=(path, barrier, answers)) for _ in range(6)]
        for worker in workers:
            worker.start()
        got = {answers.get(timeout=20) for _ in workers}
        for worker in workers:
            worker.join(20)
        assert got == {path.read_text().strip()}, f"attempt {attempt}: {len(got)} keys handed out"
        assert path.stat().st_mode & 0o777 == 0o600


def _console_key(instance, barrier, answers) -> None:
    barrier.wait()
    answers.put(sealing.seal(instance, b"totp secret"))


def test_processes_making_the_console_key_at_once_can_all_open_what_they_sealed(tmp_path):
    """The console key (hub/staff/sealing.py: TOTP secrets, the names of people in caseloads) is made at
    first use too: an authenticator set up by a process whose key was then replaced could never log in."""
    context = multiprocessing.get_context("fork")
    barrier, answers = context.Barrier(6), context.Queue()
    workers = [context.Process(target=_console_key, args=(tmp_path, barrier, answers)) for _ in range(6)]
    for worker in workers:
        worker.start()
    tokens = [answers.get(timeout=20) for _ in workers]
    for worker in workers:
        worker.join(20)
    assert [sealing.unseal(tmp_path, token) for token in tokens] == [b"totp secret"] * 6
    assert sealing.key_path(tmp_path).stat().st_mode & 0o777 == 0o600
