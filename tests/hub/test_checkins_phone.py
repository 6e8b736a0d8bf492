"""Check-ins with the reference phone on one real `throughgate hub run` (SQLite): the operator sets a schedule
(`throughgate hub checkins schedule`), the phone's sync learns it and a nonce, `throughgate phone checkin` records a
check-in offline (signed at once, kept in the outbox), the next `phone sync` uploads its photo and sends it, and the
hub shows it (`hub checkins show`); one whose signed bytes were changed in the phone's outbox is refused and both
sides see why; `hub checkins retention` prints the policy."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from formkit import png
from phonekit import hub_with_a_phone, phone_says

from hub import cli, db
from hub.checkins.models import Checkin
from phone.store import Store
from wire import checkin as wire


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with hub_with_a_phone(tmp_path_factory.mktemp("checkins")) as running:
        yield running


@pytest.fixture
def hub_cli(hub, monkeypatch, capsys):
    monkeypatch.delenv("DATABASE_URL", raising=False)  # the instance's own hub.db, the running hub's

    def run(*args: str) -> tuple[int, str, str]:
        code = cli.main([*args, "--instance", str(hub[2])])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_a_checkin_recorded_offline_goes_with_the_next_sync_and_a_changed_one_is_refused_saying_why(
        hub, hub_cli, capsys):
    _process, app, _instance, person, folder, root = hub
    home = ["--home", str(folder)]
    today = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()  # the first window opened yesterday
    code, out, err = hub_cli("checkins", "schedule", person, "--every-days", "3", "--start", today, "--window-hours",
                             "24", "--lat", "51.4816", "--lon", "-3.1791", "--radius", "200")
    assert (code, out) == (1, "") and "(every_days) must be a whole number from 7 to 56" in err
    code, out, err = hub_cli("checkins", "schedule", person, "--every-days", "7", "--start", today, "--window-hours",
                             "72", "--lat", "51.4816", "--lon", "-3.1791", "--radius", "200")
    assert (code, err) == (0, "")
    assert out == (f"Check-ins for {person}: every 7 days, a 72-hour window, within 200 m of 51.48160, -3.17910. Next "
                   f"window opens {today}T09:00:00.000Z. The phone learns it at its next sync.\n")
    phone_says(["sync", *home], capsys)  # learns the schedule, then a nonce and the window
    assert phone_says(["checkins", *home], capsys).startswith(f"Next check-in: from {today}T09:00:00.000Z to ")
    picture = root / "me.png"
    picture.write_bytes(png(8, 6, noise=True))
    said = phone_says(["checkin", "--photo", str(picture), "--lat", "51.4817", "--lon", "-3.1790", "--accuracy",
                       "9", *home], capsys)
    assert said.startswith("Check-in ") and said.endswith("waits in the outbox and is sent with the next sync.\n")
    said = phone_says(["checkin", "--photo", str(picture), "--lat", "51.4817", "--lon", "-3.1790", "--accuracy",
                       "9", *home], capsys)
    store = Store(folder / "phone.db")
    (changed_id, body), = [(i, json.loads(b)) for i, b in store.db.execute(
        "SELECT id, body FROM outbox WHERE kind = 'checkin' ORDER BY queued_at DESC LIMIT 1")]
    head, payload, signature = body["jws"].split(".")
    moved = json.loads(base64.urlsafe_b64decode(payload + "=="))
    moved["gps"]["lat"] = 51.6  # the place changed after the phone signed it
    payload = base64.urlsafe_b64encode(wire.canonical(moved)).rstrip(b"=").decode()
    store.db.execute("UPDATE outbox SET body = ? WHERE id = ?",
                     (json.dumps({**body, "jws": f"{head}.{payload}.{signature}"}), changed_id))
    store.close()
    assert "2 check-ins waiting to be sent." in phone_says(["checkins", *home], capsys)
    assert phone_says(["sync", *home], capsys).startswith("Uploaded 1 photo or voice note.\nSynced in ")
    with app.app_context(), db.connected():
        kept = {row.checkin_id: row for row in Checkin.select()}
    assert sorted(row.outcome for row in kept.values()) == ["accepted", "refused"]
    assert "changed after the phone signed it" in json.loads(kept[changed_id].reasons)[0]["text"]
    mine = phone_says(["checkins", *home], capsys)
    assert " accepted" in mine and f"{changed_id[:8]} refused: the signature does not match" in mine
    code, out, err = hub_cli("checkins", "show", person)
    assert code == 0 and out.splitlines()[0].startswith(f"{person}: every 7 days from {today}T09:00:00.000Z")
    assert "in the window" in out and "accepted" in out and "refused" in out
    code, out, err = hub_cli("checkins", "retention")
    assert code == 0 and out.splitlines()[-1] == "Deleted 0 photo(s) and 0 nonce(s) past their keeping time."
    assert "photo deleted 14 days after a worker reviewed it" in out
