"""Learning records end to end with real processes: a tablet's submission with a photo and an audio
recording, uploaded through the edge's TLS API, then sent over Mosquitto and the relay, reaches
the hub once, and so do the attachment bytes, and a SCORM attempt's two scores (failed 40, then 45,
then 45 again) as two statements; a malformed statement is refused with its reason
while everything else keeps flowing."""

from __future__ import annotations

import hashlib
import uuid

from hub.attachments.service import Store
from tablet.attachments import EdgeApi, Uploader
from tablet.client import TabletClient
from tablet.learning import Learning
from tablet.outbox import Outbox
from tests.learning.learningkit import png_bytes, wav_file
from tests.spine.checks import assert_exactly_once
from tests.spine.waiting import hub_has, wait_for

LEARNER = "L-0042"


def test_a_submission_with_a_photo_and_audio_reaches_the_hub_once_with_its_attachments(stack_factory, tmp_path):
    stack = stack_factory(attachments__chunk_bytes=64 * 1024).start()
    tablet, other = stack.add_devices(2).values()
    photo = tmp_path / "page-1.png"
    photo.write_bytes(png_bytes())
    audio = wav_file(tmp_path / "reading.wav", seconds=3)
    outbox = Outbox(str(tablet.outbox_path))
    learning = Learning(tablet.folder, outbox)

    progress = learning.progress(LEARNER, "english-2", "unit-1", "completed", {"completion": True})
    submission = learning.submit_assignment(LEARNER, "english-2", "essay-3", "My essay about the book",
                                            [(photo, "image/png"), (audio, "audio/wav")])
    malformed = outbox.add("progress_statement", LEARNER, {"verb": "completed", "object": "unit-2"},
                           check=False)  # a tablet without the rules: the edge refuses it
    uploader = Uploader(EdgeApi(tablet))
    assert learning.release(uploader).recorded == [submission]
    answer = learning.quiz_answer(LEARNER, "english-2", "quiz-1/q1", "b", success=True)
    attempt = str(uuid.uuid4())  # one SCORM attempt: failed 40, then failed 45, then 45 committed again
    scored = [learning.scorm_commit(LEARNER, "english-2", "unit-2", {"cmi.core.lesson_status": "failed",
                                                                     "cmi.core.score.raw": raw}, attempt).recorded
              for raw in ("40", "45", "45")]
    assert [len(recorded) for recorded in scored] == [1, 1, 0]
    client = TabletClient(tablet, "127.0.0.1", stack.mqtt_port, outbox).start()
    try:
        assert client.wait_flushed(60), "the tablet still holds unacknowledged records"
    finally:
        client.stop()

    assert outbox.counts() == {"pending": 0, "acked": 5, "rejected": 1}
    ((rejected_id, _, reason),) = outbox.rejections()
    assert rejected_id == malformed.id and reason.startswith("bad_schema: a progress_statement payload is one xAPI")
    records = hub_has(stack, 5)
    forty, forty_five = (recorded[0].id for recorded in scored[:2])
    assert_exactly_once({tablet.device: [progress.id, submission, answer.id, forty, forty_five]}, records)
    assert sorted(r["payload"]["result"]["score"]["raw"] for r in records if r["id"] in (forty, forty_five)) == [40, 45]
    (stored,) = [r for r in records if r["kind"] == "assignment_submission"]
    hub_store = Store(stack.hub_dir / "attachments")
    for sent, path in zip(stored["payload"]["attachments"], (photo, audio), strict=True):
        data = path.read_bytes()
        assert sent["sha256"] == hashlib.sha256(data).hexdigest()
        at_hub = wait_for(lambda s=sent: hub_store.blob(s["sha256"]).exists(), 60, f"{sent['name']} at the hub")
        assert at_hub and hub_store.blob(sent["sha256"]).read_bytes() == data
    assert not [p for p in (stack.hub_dir / "attachments" / "partial").rglob("*") if p.is_file()]
    log_path = stack.root / "edge.log"

    def log_when_both_sent():  # the edge logs once the hub's answer is in, just after the hub wrote the file
        text = log_path.read_text()
        return text if "attachments to the hub: 2 of 2 sent" in text else None

    edge_log = wait_for(log_when_both_sent, 20, "the edge to log both attachments sent")
    assert "attachments to the hub: 2 of 2 sent" in edge_log
    status, refused = EdgeApi(other).call("GET", f"/v1/attachments/{stored['payload']['attachments'][0]['id']}")
    assert (status, refused["error"]) == (404, "not_found")
    outbox.close()
    learning.close()
