"""Make tests/unit_edge/data/edge-store-<date>.sql: an edge store filled by the real code of a release from
before schema versions, dumped with `sqlite3 edge.db .dump`, under a header saying how it was made. Run it
from a checkout of that release, with this repository's virtual environment: the committed dump was made at
7b5a6cd, the last commit before edge/migrations whose code still created the course_progress_inbox_fill
trigger and wrote down messages to console_down_message (0955075, used before, had already dropped the trigger):

    git worktree add --detach /tmp/edge-7b5a6cd 7b5a6cd
    cp tests/unit_edge/data/make_edge_store_dump.py /tmp/edge-7b5a6cd/
    cd /tmp/edge-7b5a6cd && PYTHONPATH=/tmp/edge-7b5a6cd /work/main/.venv/bin/python make_edge_store_dump.py \
        /tmp/dump-work /work/main/tests/unit_edge/data/edge-store-2026-12-07.sql
    cd /work/main && git worktree remove --force /tmp/edge-7b5a6cd
    .venv/bin/python tests/unit_edge/data/make_older_dumps.py    # the older shapes, from this one

What it holds, all made through the edge's own code paths (a running hub, edge and Mosquitto; tablets
that enrol with one-time codes and send over MQTT-TLS; attachments uploaded through the tablet API):
tablets and their certificates (one bound to a learner, one revoked), unused enrolment codes, learning
records the relay committed (progress statements, quiz answers, submissions with a photo) in sealed
batches the hub confirmed and in one the hub has not (it was stopped), the console's staff accounts
(argon2 hashes of throwaway passwords), classes, a mark with its feedback message, a reward rule and
its awards, a failed login, a synced course version with its files, course progress, and alarms.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from edge import config as edge_config
from edge import identity, store
from edge.console import accounts, marking, rewards
from edge.courses import progress as course_progress
from edge.courses import tables as course_tables
from edge.tablets import registry as tablets
from tablet.attachments import EdgeApi, Uploader
from tablet.client import TabletClient
from tablet.identity import TabletIdentity
from tablet.learning import Learning
from tablet.outbox import Outbox
from tests.courses.courses_kit import coursekit, import_course, run_sync
from tests.learning.learningkit import png_bytes
from tests.spine.waiting import hub_has, wait_for
from throughgate.stack import Stack

FAST = {"uplink__batch_age_s": 0.3, "uplink__interval_s": 0.2, "uplink__backoff_base_s": 0.2,
        "uplink__backoff_max_s": 1.0}
THROWAWAY = "throwaway-password-for-a-test-dump"


def send(stack: Stack, tablet, learner: str, course: str, photo: Path, n: int) -> None:
    outbox = Outbox(str(tablet.outbox_path))
    tablet_learning = Learning(tablet.folder, outbox)
    tablet_learning.progress(learner, course, f"unit-{n}", "completed", {"completion": True, "score": {"scaled": 0.8}})
    tablet_learning.quiz_answer(learner, course, f"quiz-{n}/q1", "b", success=n % 2 == 0)
    tablet_learning.submit_assignment(learner, course, f"essay-{n}", f"My essay number {n}", [(photo, "image/png")])
    tablet_learning.release(Uploader(EdgeApi(tablet)))
    client = TabletClient(tablet, "127.0.0.1", stack.mqtt_port, outbox).start()
    try:
        assert client.wait_flushed(60), "the tablet still holds unacknowledged records"
    finally:
        client.stop()
    outbox.close()
    tablet_learning.close()


def header() -> str:
    """SQL comments naming the code that filled the store and how."""
    here = Path(__file__).resolve().parent
    commit = subprocess.run(["git", "-C", str(here), "log", "-1", "--format=%h %cs %s"], capture_output=True,
                            text=True, check=True).stdout.strip()
    return ("-- An edge store as the last release before schema versions left it, filled by the real code of\n"
            f"-- commit {commit[:100]}\n"
            "-- by tests/unit_edge/data/make_edge_store_dump.py, copied into a `git worktree add --detach`\n"
            "-- checkout of that commit and run there with PYTHONPATH set to it (/work/main/.venv/bin/python),\n"
            f"-- then dumped with `sqlite3 edge.db .dump` on {time.strftime('%Y-%m-%d', time.gmtime())}. "
            "Made, not written: regenerate it, do not edit it.\n")


def main(work: Path, out: Path) -> None:
    shutil.rmtree(work, ignore_errors=True)
    stack = Stack(work / "stack", **FAST).build()
    try:
        stack.start()
        members = coursekit.build_native_zip(work / "course.zip", course="english-2", title="English 2",
                                             video=coursekit.noise(50_000, seed=7))
        assert members
        import_course(stack, work / "course.zip")
        devices = list(stack.add_devices(3).values())
        cfg = edge_config.load(stack.edge_dir)
        store.open_store(str(cfg.db_path))
        course_tables.create_tables()
        run_sync(stack)

        files = identity.EdgeFiles(stack.edge_dir)
        code, _ = tablets.create_code("tab-0100", 3600, learner="L-0200")  # a bound tablet, enrolled below
        bound = TabletIdentity(work / "tablets" / "tab-0100")
        tablets.redeem(code, "tab-0100", bound.csr_pem("tab-0100"), files, cfg.tablets.cert_days)
        tablets.create_code("tab-0101", 3600, learner="L-0201")  # waiting to be used
        tablets.create_code("tab-0102", 3600)

        photo = work / "page.png"
        photo.write_bytes(png_bytes())
        send(stack, devices[0], "L-0042", "english-2", photo, 1)
        send(stack, devices[1], "L-0107", "english-2", photo, 2)
        hub_has(stack, 6)
        wait_for(lambda: "attachments to the hub: 1 of 1 sent" in (stack.root / "edge.log").read_text(), 60,
                 "attachments at the hub")
        course_progress.absorb()

        accounts.add_class("Wing A")
        accounts.add_class("Wing B")
        accounts.assign("Wing A", learners=["L-0042", "L-0107"])
        accounts.assign("Wing B", learners=["L-0200"])
        accounts.add_staff("ivan", "manager", THROWAWAY)
        accounts.add_staff("tess", "tutor", THROWAWAY, ["Wing A"])
        accounts.add_staff("olu", "it", THROWAWAY)
        accounts.count_failure(accounts.throttle_keys("10.0.0.9", "tess"), 900)
        submissions = [row[0] for row in store.db.execute_sql(
            "SELECT id FROM console_learning_record WHERE kind = 'assignment_submission' ORDER BY rowid")]
        assert submissions
        marking.mark(submissions[0], "Merit", "A clear essay: well done.", "tess")
        rewards.add_rule("Keen reader", "units", 1, "english-2", "ivan")
        rewards.evaluate()
        store.raise_alarm("quota_reached", "outbox reached its quota of 268435456 bytes; tablets are told to wait.")
        store.clear_alarm("quota_reached")
        store.raise_alarm("attachment_refused", "the hub refused an attachment for good (413): raise its limit")
        tablets.revoke(devices[2].device, files, cfg.tablets.crl_days)

        stack.hub.stop()  # what arrives now is sealed but not delivered
        send(stack, devices[0], "L-0042", "english-2", photo, 3)
        wait_for(lambda: store.status()["batches_waiting"] >= 1, 60, "a sealed batch waiting for the hub")
        store.db.close()
    finally:
        stack.stop()
        time.sleep(0.5)
    db_path = stack.edge_dir / "edge.db"
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    dump = subprocess.run(["sqlite3", str(db_path), ".dump"], capture_output=True, text=True, check=True).stdout
    out.write_text(header() + dump)
    print(f"{out}: {len(dump.splitlines())} lines")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
