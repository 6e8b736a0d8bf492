"""Courses after release, for the hub's tests: a real `throughgate hub run` with its content origin (CONTENT_PORT),
a SCORM 1.2 course imported and sent to a prison's edge, and what the person did there delivered as that edge
delivers it (records in a sealed batch, POST /v1/batches): a statement and a resume state (course_state)."""

from __future__ import annotations

import contextlib
import uuid
from pathlib import Path

from hubkit import enrol_edge, make_instance, post_batch
from hubprocess import HubProcess
from phonekit import hub_app

from hub import db
from hub.courses import catalogue
from hub.courses.blobs import BlobStore
from hub.courses.importer import import_package
from hub.courses.package import Limits
from hub.people import service as people
from throughgate.stack import free_port
from wire import xapi
from wire.records import new_record, timestamp

EDGE = "hmp-north"


@contextlib.contextmanager
def hub_with_content(root: Path):
    """A real hub serving its content origin: (the process, an app on its database, the content port)."""
    instance = make_instance(root / "hub")
    url = f"sqlite:///{instance / 'hub.db'}"
    port = free_port()
    process = HubProcess(instance, url, root / "hub.log", {"CONTENT_PORT": port}).start()
    try:
        yield process, hub_app(instance, url), port
    finally:
        process.stop()


def prison_course(app, package: Path) -> tuple[str, object]:
    """The package imported at the hub and sent to EDGE (enrolled here): (the course's name, the edge)."""
    with app.app_context(), db.connected():
        imported = import_package(package, BlobStore.from_config(app.config),
                                  app.extensions["hub_keys"].get().signing, Limits.from_config(app.config), None)
        edge = enrol_edge(app, EDGE)
        catalogue.set_target(imported.course, EDGE)
    return imported.course, edge


def link(app, person: str, learner: str) -> None:
    with app.app_context(), db.connected():
        people.link(person, EDGE, learner)


def state(course: str, item: str, values: dict, *, attempt: str | None = None, seq: int = 1,
          done: bool = False, version: int = 1) -> dict:
    """A SCORM 1.2 resume state (wire/course_state.py)."""
    return {"course": course, "version": version, "item": item, "attempt": attempt or str(uuid.uuid4()),
            "scorm": "1.2", "seq": seq, "updated": timestamp(), "done": done, "values": values}


def statement(learner: str, course: str, item: str, verb: str, score: float | None = None) -> dict:
    return xapi.statement(learner, verb, xapi.activity_id(course, item),
                          result={"score": {"scaled": score}} if score is not None else None)


def deliver(app, edge, learner: str, payloads: list[tuple[str, dict]]) -> None:
    """Records of `learner` in one sealed batch from the edge, as its uplink sends them; stored at the hub."""
    records = [new_record(kind, learner, seq, payload).to_dict() | {"device": "tablet-1", "received": timestamp()}
               for seq, (kind, payload) in enumerate(payloads, start=1)]
    answer = post_batch(app.test_client(), edge, edge.seal(records))
    assert answer.status_code == 200, answer.get_json()
