"""A real `throughgate hub run` process for the hub's tests: the fixtures' instance and database,
settings from THROUGHGATE_HUB_* variables, on a free loopback port; its threads, open files and
log read from outside, as an operator would."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

from throughgate.stack import free_port

ROOT = Path(__file__).resolve().parents[2]


class HubProcess:
    def __init__(self, instance: Path, database_url: str, log_path: Path, settings: dict | None = None,
                 open_files: int | None = None):
        self.instance, self.log_path, self.port = instance, log_path, free_port()
        self.env = {**os.environ, "DATABASE_URL": database_url,
                    **{f"THROUGHGATE_HUB_{key}": str(value) for key, value in (settings or {}).items()}}
        self.open_files = open_files
        self.popen: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> HubProcess:
        limit = (lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (self.open_files, self.open_files))) \
            if self.open_files else None
        with open(self.log_path, "ab") as log:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "throughgate", "hub", "run", "--instance", str(self.instance),
                 "--host", "127.0.0.1", "--port", str(self.port)],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=limit)
        deadline = time.monotonic() + 60
        while "hub serving on" not in self.log():
            if self.popen.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the hub did not start:\n{self.log()}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def threads(self) -> int:
        for line in Path(f"/proc/{self.popen.pid}/status").read_text().splitlines():
            if line.startswith("Threads:"):
                return int(line.split()[1])
        raise AssertionError("no thread count in /proc")

    def open_fds(self) -> int:
        return len(os.listdir(f"/proc/{self.popen.pid}/fd"))

    def cpu_s(self) -> float:
        fields = Path(f"/proc/{self.popen.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def connect(self, source: str = "127.0.0.1") -> socket.socket:
        """A TCP connection to the hub from `source` (any 127.x.y.z address is this machine)."""
        return socket.create_connection(("127.0.0.1", self.port), timeout=10, source_address=(source, 0))
