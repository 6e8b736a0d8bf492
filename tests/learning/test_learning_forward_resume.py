"""The edge's forwarding of an attachment resumes after the hub is killed mid-file: only the bytes
the hub does not hold are sent again, and the file at the hub matches its hash."""

from __future__ import annotations

import hashlib
import re

from hub.attachments.service import Store
from tests.learning.learningkit import png_bytes, submit_and_flush
from tests.spine.waiting import hub_has, wait_for

HUB_CHUNK = 32 * 1024


def test_forwarding_resumes_where_the_hubs_copy_ends_after_the_hub_is_killed(stack_factory, tmp_path):
    stack = stack_factory(uplink__max_bytes_per_s=50_000,  # about 4 s for the photo: time to kill the hub
                          env={"THROUGHGATE_HUB_MAX_ATTACHMENT_CHUNK_BYTES": str(HUB_CHUNK)}).start()
    (tablet,) = stack.add_devices(1).values()
    photo = tmp_path / "page.png"
    photo.write_bytes(png_bytes(300, 240))  # about 216 KB
    data = photo.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    submit_and_flush(stack, tablet, "L-0042", "english-2", [("essay-3", "My essay", [(photo, "image/png")])])
    hub_has(stack, 1)
    hub_store = Store(stack.hub_dir / "attachments")
    partial = hub_store.partial(stack.edge_id, sha256)

    wait_for(lambda: partial.exists() and partial.stat().st_size >= 2 * HUB_CHUNK, 60, "part of the photo at the hub",
             every=0.02)
    stack.hub.kill9()
    held_when_killed = partial.stat().st_size
    edge_log = stack.root / "edge.log"
    wait_for(lambda: "not forwarded" in edge_log.read_text(), 60, "the edge to find the hub gone")
    stack.start_hub()

    wait_for(lambda: hub_store.blob(sha256).exists(), 60, "the whole photo at the hub")
    assert hub_store.blob(sha256).read_bytes() == data
    assert 0 < held_when_killed < len(data)
    # the edge logs its total once the hub's answer is in, just after the hub wrote the file
    wait_for(lambda: re.search(r"since start \d+ attachments, \d+ bytes sent", edge_log.read_text()), 20,
             "the edge to log what it sent")
    log = edge_log.read_text()
    sent = [int(n) for n in re.findall(r"since start \d+ attachments, (\d+) bytes sent", log)]
    # Bytes the hub acknowledged, across the kill: never more than the file (nothing it held was sent
    # again), and less only by a chunk it stored but could not acknowledge before it died.
    assert sent and len(data) - HUB_CHUNK <= sent[-1] <= len(data)
