"""A job that `throughgate hub run` keeps running beside the server (the LRS forwarder, health retention, Web
Push, check-in photo retention): its own daemon thread, which stop() wakes from its wait and joins. Each job
writes its own `_loop`."""

from __future__ import annotations

import threading


class Job:
    def __init__(self, name: str):
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 30) -> None:
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout_s)

    def _loop(self) -> None:
        raise NotImplementedError
