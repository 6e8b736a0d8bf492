"""Helpers for the reference tablet's course tests (tablet.courses): an edge holding a synced course,
a sync into a tablet's folder, the manifest the tablet keeps, and a TCP proxy that cuts a download."""

from __future__ import annotations

import contextlib
import socket
from pathlib import Path

from tablet.courses import CourseApi, CourseSync, Shelf
from tablet.identity import TabletIdentity
from tests.courses.conftest import running_copy, stopped
from tests.courses.courses_kit import synced_course
from tests.learning.learningkit import CuttingProxy

COURSE = "intro-maths"


@contextlib.contextmanager
def edge_with_a_course(built_stack, folder: Path):
    """An edge holding a synced course; its tablet API is started by each test (some stop it)."""
    stack = running_copy(built_stack, folder / "stack")
    try:
        members, devices, cfg = synced_course(stack, folder, seed=5)
        yield cfg, devices["tab-0000"], members, stack
    finally:
        stopped(stack)


def sync(tablet: TabletIdentity, port: int | None = None) -> tuple[CourseSync, CourseApi]:
    api = CourseApi(tablet, None, port)
    shelf = Shelf(tablet.folder)
    try:
        return CourseSync(shelf, api).run(), api
    finally:
        shelf.close()


def manifest_files(tablet: TabletIdentity) -> dict:
    shelf = Shelf(tablet.folder)
    try:
        ((manifest, _),) = shelf.versions()
        return {f.path: f for f in manifest.files}
    finally:
        shelf.close()


class CuttingDownloadProxy(CuttingProxy):
    """tests/learning's TCP proxy, cutting the first connection once the edge has sent `cut_after`
    bytes through it; later connections pass untouched, or with `then_refuse` are refused (the edge
    out of reach). TLS runs end to end."""

    def __init__(self, upstream_port: int, cut_after: int, then_refuse: bool = False):
        super().__init__(upstream_port, cut_after)
        self.then_refuse = then_refuse
        self.start()

    @property
    def connections(self) -> int:
        return len(self._sockets) // 2

    def _pump(self, source: socket.socket, target: socket.socket, counted: bool) -> None:
        super()._pump(source, target, not counted and not self.cut.is_set())  # count what the edge sends

    def _cut(self) -> None:
        if self.then_refuse:
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() (close alone does not)
            self.listener.close()
        super()._cut()
