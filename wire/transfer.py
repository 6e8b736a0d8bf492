"""A file transfer's progress, and how it is shown: shared by the edge's course sync (from the hub)
and the reference tablet's (from the edge). Plain text that also works in a pipe."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

BAR_WIDTH = 30


@dataclass
class Progress:
    """What the progress bar shows (for the files this sync fetches)."""

    files_total: int = 0
    files_done: int = 0
    bytes_total: int = 0
    bytes_done: int = 0
    course: str = ""
    path: str = ""
    resumed_from: dict[str, int] = field(default_factory=dict)  # sha256 -> byte a download resumed at


class ProgressBar:
    """Bytes and files, as plain text: redrawn in place on a terminal (10 times a second at most), a
    line at most every `every_s` seconds in a pipe; the finished state is always shown."""

    def __init__(self, stream=None, every_s: float = 1.0):
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.every_s = 0.1 if self.tty else every_s
        self.last, self.drawn = 0.0, False

    def __call__(self, p: Progress) -> None:
        now = time.monotonic()
        finished = p.files_done == p.files_total
        if now - self.last < self.every_s and not finished:
            return
        self.last, self.drawn = now, True
        self.stream.write(("\r" if self.tty else "") + line(p) + ("" if self.tty else "\n"))
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self.drawn:
            self.stream.write("\n")


def line(p: Progress) -> str:
    share = p.bytes_done / p.bytes_total if p.bytes_total else 1.0
    filled = int(share * BAR_WIDTH)
    return (f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {share:4.0%}  {human_bytes(p.bytes_done)} of "
            f"{human_bytes(p.bytes_total)}  {p.files_done} of {p.files_total} files  {p.course}/{p.path}")[:160]


def human_bytes(count: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(count) < 1000 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count:.1f} GB"
