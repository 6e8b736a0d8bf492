"""An attachment the hub refuses for good (over its MAX_ATTACHMENT_BYTES) is set aside with an alarm
saying what to do, the attachments after it still reach the hub, and once the hub's limit is raised
`edge attachments retry` sends it."""

from __future__ import annotations

import hashlib
import subprocess

from hub.attachments.service import Store
from tests.learning.learningkit import png_bytes, submit_and_flush
from tests.spine.waiting import hub_has, wait_for
from throughgate.stack import CLI

HUB_LIMIT = 100_000


def test_an_attachment_over_the_hubs_limit_is_set_aside_and_the_next_one_still_goes(stack_factory, tmp_path):
    stack = stack_factory(env={"THROUGHGATE_HUB_MAX_ATTACHMENT_BYTES": str(HUB_LIMIT)}).start()
    (tablet,) = stack.add_devices(1).values()
    big, small = tmp_path / "big.png", tmp_path / "small.png"
    big.write_bytes(png_bytes(300, 240, seed=1))  # about 216 KB: over the hub's limit, within the edge's
    small.write_bytes(png_bytes(60, 60, seed=2))  # about 11 KB
    submit_and_flush(stack, tablet, "L-0042", "english-2", [("essay-1", "With a big photo", [(big, "image/png")]),
                                                             ("essay-2", "With a small one", [(small, "image/png")])])
    hub_has(stack, 2)
    hub_store = Store(stack.hub_dir / "attachments")
    wait_for(lambda: hub_store.blob(hashlib.sha256(small.read_bytes()).hexdigest()).exists(), 60,
             "the small photo at the hub")
    assert not hub_store.blob(hashlib.sha256(big.read_bytes()).hexdigest()).exists()
    alarms = dict(alarm.split(": ", 1) for alarm in stack.edge_status()["alarms"])
    assert "attachment_refused" in alarms and "MAX_ATTACHMENT_BYTES" in alarms["attachment_refused"]
    assert "attachments_not_forwarded" not in alarms

    # What the alarm says to do: raise the hub's limit, then offer the set-aside file again.
    stack.hub.stop()
    stack.env["THROUGHGATE_HUB_MAX_ATTACHMENT_BYTES"] = str(64 * 1024 * 1024)
    stack.start_hub()
    retried = subprocess.run([*CLI, "edge", "attachments", "retry", "--instance", str(stack.edge_dir)],
                             capture_output=True, text=True, timeout=60, check=True)
    assert retried.stdout.strip() == "1 attachment(s) the hub refused will be offered to it again"
    wait_for(lambda: hub_store.blob(hashlib.sha256(big.read_bytes()).hexdigest()).exists(), 60,
             "the big photo at the hub once its limit was raised")
    assert not any(alarm.startswith("attachment_refused") for alarm in stack.edge_status()["alarms"])
