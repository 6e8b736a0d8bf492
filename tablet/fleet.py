"""Many simulated tablets in one process: for the demo, the fault tests and the benchmark."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tablet.client import Credentials, TabletClient
from tablet.outbox import Outbox
from wire import xapi
from wire.records import TABLET_KINDS

SAMPLE = {
    # statement kinds: one xAPI statement, whose fresh id the record takes (wire.records.new_record)
    "progress_statement": lambda i, learner: xapi.statement(
        learner, "completed", xapi.activity_id("maths-1", f"unit-{i}"), result={"score": {"scaled": 0.8}}),
    "quiz_answer": lambda i, learner: xapi.statement(
        learner, "answered", xapi.activity_id("maths-1", f"quiz-1/q{i}"), result={"response": "b", "success": True}),
    "assignment_submission": lambda i, learner: {"assignment": f"essay-{i}", "course": "english-2",
                                                 "text": "My essay about the book we read this week. " * 4,
                                                 "attachments": []},
    "form_submission": lambda i, learner: {  # wire.forms
        "form_id": "healthcare_request", "version": "1", "filled_at": "2026-12-08T01:00:00.000Z",
        "values": {"q1": "yes", "q2": "dentist"}, "attachments": []},
    "message": lambda i, learner: {"to": "probation-officer", "text": f"Hello, about my appointment number {i}."},
    "course_state": lambda i, learner: {  # wire.course_state
        "course": "maths-1", "version": 1, "item": "unit-1", "attempt": "6f1d3c1e-8a41-4f59-9d0e-3b7f2a1c5e90",
        "scorm": "1.2", "seq": i + 1, "updated": "2026-12-08T01:00:00.000Z", "done": False,
        "values": {"cmi.core.lesson_location": f"page-{i}", "cmi.suspend_data": "q1=a"}},
    "course_refusal": lambda i, learner: {  # wire.course_refusal
        "course": "maths-1", "version": 1, "item": f"unit-{i}", "attempt": "6f1d3c1e-8a41-4f59-9d0e-3b7f2a1c5e90",
        "element": "cmi.core.score.raw", "value": "120", "error_code": "405",
        "reason": "cmi.core.score.raw (120) must be from cmi.core.score.min (0) to max (100)"},
}


def sample_payload(kind: str, i: int, learner: str = "L-1") -> dict:
    """A payload the edge accepts from `learner` (a statement's actor must be the record's learner)."""
    return SAMPLE[kind](i, learner)


@dataclass
class FleetResult:
    submitted: dict[str, list[str]] = field(default_factory=dict)  # device -> record ids in seq order
    pending: int = 0
    acked: int = 0
    rejected: int = 0
    seconds: float = 0.0

    @property
    def submitted_count(self) -> int:
        return sum(len(v) for v in self.submitted.values())


class Fleet:
    def __init__(self, devices: Mapping[str, Credentials], workdir: str | Path, host: str, port: int, *,
                 window: int = 100, ack_timeout: float = 30.0, seed: int = 1, on_ack=None, on_sent=None,
                 wake_every: float = 1.0):
        """devices: device id -> its identity (a TabletIdentity: certificate, key, pinned CA);
        host, port: the edge's MQTT-TLS listener. Outboxes are kept in workdir/<device>.db."""
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.rng = random.Random(seed)
        mismatched = [device for device, identity in devices.items() if identity.device != device]
        if mismatched:
            raise ValueError(f"identities enrolled under another device id: {', '.join(mismatched)}")
        self.clients = {
            device: TabletClient(identity, host, port, Outbox(str(self.workdir / f"{device}.db")),
                                 window=window, ack_timeout=ack_timeout, on_ack=on_ack, on_sent=on_sent,
                                 wake_every=wake_every)
            for device, identity in devices.items()
        }
        self.result = FleetResult({device: [] for device in devices})
        self._stopping = threading.Event()
        self._submitters: list[threading.Thread] = []

    def queue(self, per_device: int, kinds: list[str] | None = None) -> None:
        """Records made while offline: written to each outbox before anything connects."""
        kinds = kinds or list(TABLET_KINDS)
        for device, client in self.clients.items():
            items = []
            for i in range(per_device):
                kind = self.rng.choice(kinds)
                learner = f"L-{device}"
                items.append((kind, learner, sample_payload(kind, i, learner)))
            self.result.submitted[device] += [r.id for r in client.outbox.add_many(items)]

    def start(self) -> Fleet:
        for client in self.clients.values():
            client.start()
        return self

    def submit_over(self, per_device: int, seconds: float, kinds: list[str] | None = None) -> None:
        """Each tablet records `per_device` things, spread over `seconds`, while connected."""
        kinds = kinds or list(TABLET_KINDS)
        lock = threading.Lock()

        def one(device: str, client: TabletClient, rng: random.Random) -> None:
            for i in range(per_device):
                if self._stopping.wait(rng.uniform(0, 2 * seconds / max(per_device, 1))):
                    return
                kind = rng.choice(kinds)
                learner = f"L-{device}"
                record = client.submit(kind, learner, sample_payload(kind, i, learner))
                with lock:
                    self.result.submitted[device].append(record.id)

        self._submitters = [threading.Thread(target=one, args=(d, c, random.Random(self.rng.random())), daemon=True)
                            for d, c in self.clients.items()]
        for thread in self._submitters:
            thread.start()
        for thread in self._submitters:
            thread.join()

    def wait_flushed(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(c.outbox.counts()["pending"] == 0 for c in self.clients.values()):
                return True
            time.sleep(0.2)
        return False

    def stop(self) -> FleetResult:
        self._stopping.set()
        for thread in self._submitters:
            thread.join(timeout=10)
        for client in self.clients.values():
            client.stop()
        for client in self.clients.values():
            counts = client.outbox.counts()
            self.result.pending += counts["pending"]
            self.result.acked += counts["acked"]
            self.result.rejected += counts["rejected"]
            client.outbox.close()
        return self.result
