"""Forwarding attachments to the hub, after the batch holding their submission was delivered.

For each complete attachment not yet at the hub (one per content hash):

    ASK     GET /v1/attachments/<sha256>: how many bytes the hub already holds (0 for a new one)
    SEND    PUT /v1/attachments/<sha256> from there, one chunk per request with
            Content-Range: bytes <first>-<last>/<size>; the hub checks the hash after the last
    DONE    the hub says complete: mark it forwarded (also every other upload of the same bytes)

A refusal that will not change (the hub's size limit: 413) sets that attachment aside, raises the
`attachment_refused` alarm naming it and what to do, and the run goes on with the next. Any other
failure stops the run and backs off; the next run asks again, so an interrupted upload
resumes where the hub's copy ends and nothing is sent twice. A run stops after 5 s and the next
carries on (a run that finds one still going returns at once), and a long catch-up logs its
progress (attachments and bytes) every 5 s.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Callable

from edge import store
from edge.attachments import store as attachments_store
from edge.attachments.store import Attachment, Files
from edge.uplink.hubclient import HubClient
from edge.uplink.pacing import Backoff, TokenBucket

log = logging.getLogger(__name__)

PROGRESS_EVERY_S = 5.0
ALARM = "attachments_not_forwarded"
REFUSED_ALARM = "attachment_refused"
FINAL = {413}  # the hub's answer for these bytes will not change: set them aside
DEFAULT_CHUNK = 1024 * 1024


class HubRefused(Exception):
    """The hub answered, but not with progress: the reason says what to fix."""

    def __init__(self, reason: str, status: int | None = None):
        super().__init__(reason)
        self.status = status


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


class AttachmentForwarder:
    """Driven by the scheduler's attachments job (EdgeService.forward_attachments)."""

    def __init__(self, config, make_client: Callable[[], HubClient],
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        """config: the edge's EdgeConfig; make_client: a fresh HubClient for each run (so a renewed
        certificate is used from the next run on)."""
        self.files = Files(config.attachments_dir)
        self.make_client, self.clock, self.sleep = make_client, clock, sleep
        self.backoff = Backoff(config.uplink.backoff_base_s, config.uplink.backoff_max_s)
        self.bucket = TokenBucket(config.uplink.max_bytes_per_s)
        self.next_attempt = 0.0
        self.sent_files = self.sent_bytes = 0
        self._last_progress = 0.0
        self._busy = threading.Lock()

    def tick(self, budget_s: float = 5.0) -> int:
        """Forward what waits until done, a failure, or the time budget is spent (the next run carries on
        where the hub's copy ends). Returns how many attachments reached the hub; 0 at once while another
        run is still going."""
        if self.clock() < self.next_attempt or not self._busy.acquire(blocking=False):
            return 0
        try:
            return self._run(budget_s)
        finally:
            self._busy.release()

    def _run(self, budget_s: float) -> int:
        waiting = attachments_store.waiting_for_hub()
        if not waiting:
            return 0
        total_bytes = sum(row.size for row in waiting)
        if self.clock() - self._last_progress >= PROGRESS_EVERY_S:
            log.info("attachments to the hub: %d waiting (%s)", len(waiting), _mb(total_bytes))
        client, done, done_bytes = self.make_client(), 0, 0
        deadline = self.clock() + budget_s
        try:
            for row in waiting:
                try:
                    if not self.send(client, row, deadline):
                        self._progress(done, len(waiting), done_bytes, total_bytes, force=True)
                        break
                except HubRefused as exc:
                    if exc.status not in FINAL:
                        self._failed(row, exc)
                        break
                    attachments_store.set_aside(row.sha256, str(exc))
                    log.error("attachment %s (%s) set aside: the hub refused it: %s", row.sha256, _mb(row.size), exc)
                    store.raise_alarm(REFUSED_ALARM, f"the hub refused attachment {row.sha256} ({_mb(row.size)}): "
                                      f"{exc}. Raise the hub's MAX_ATTACHMENT_BYTES to at least the edge's "
                                      "attachments.max_bytes, then run `throughgate edge attachments retry`; "
                                      "the edge keeps the file")
                    continue
                except OSError as exc:
                    self._failed(row, exc)
                    break
                self.backoff.succeeded()
                store.clear_alarm(ALARM)
                done, done_bytes = done + 1, done_bytes + row.size
                self._progress(done, len(waiting), done_bytes, total_bytes)
        finally:
            client.close()
        if done:
            log.info("attachments to the hub: %d of %d sent (%s of %s); since start %d attachments, %d bytes sent",
                     done, len(waiting), _mb(done_bytes), _mb(total_bytes), self.sent_files, self.sent_bytes)
        return done

    def _failed(self, row: Attachment, exc: Exception) -> None:
        delay = self.backoff.failed()
        self.next_attempt = self.clock() + delay
        log.warning("attachment %s not forwarded: %s; retrying in %.0fs", row.sha256, exc, delay)
        store.raise_alarm(ALARM, f"attachment {row.sha256} could not be forwarded to the hub: {exc}")

    def send(self, client: HubClient, row: Attachment, deadline: float = math.inf) -> bool:
        """ASK, SEND, DONE for one attachment; False if the deadline came first (the hub keeps what it has)."""
        path = f"/v1/attachments/{row.sha256}"
        status, answer = client.call_json("GET", path)
        if status != 200:
            raise HubRefused(f"HTTP {status} {answer.get('error')}: {answer.get('reason')}", status)
        chunk = int(answer.get("chunk_bytes") or DEFAULT_CHUNK)
        offset = int(answer.get("received", 0))
        with open(self.files.blob(row.sha256), "rb") as handle:
            while not answer.get("complete"):
                if self.clock() > deadline:
                    return False
                handle.seek(offset)
                data = handle.read(chunk)
                if not data:
                    raise HubRefused(f"the hub holds {offset} of {row.size} bytes but does not say complete")
                self.sleep(self.bucket.delay_for(len(data), self.clock()))
                status, raw = client.request("PUT", path, data, "application/octet-stream", {
                    "Content-Range": f"bytes {offset}-{offset + len(data) - 1}/{row.size}"})
                answer = _json(raw)
                if status == 409 and isinstance(answer.get("received"), int):
                    offset = answer["received"]  # the hub holds another amount (an earlier run's last chunk)
                    continue
                if status != 200:
                    raise HubRefused(f"HTTP {status} {answer.get('error')}: {answer.get('reason')}", status)
                offset = int(answer.get("received", offset + len(data)))
                self.sent_bytes += len(data)
        attachments_store.mark_forwarded(row.sha256)
        self.sent_files += 1
        return True

    def _progress(self, done: int, count: int, done_bytes: int, total_bytes: int, force: bool = False) -> None:
        now = self.clock()
        if not force and (now - self._last_progress < PROGRESS_EVERY_S or done == count):
            return
        self._last_progress = now
        log.info("attachments catching up: %d of %d sent (%s of %s); %d bytes sent since start", done, count,
                 _mb(done_bytes), _mb(total_bytes), self.sent_bytes)


def _json(raw: bytes) -> dict:
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        return {"error": "not_json", "reason": raw[:200].decode(errors="replace")}
    return answer if isinstance(answer, dict) else {"error": "not_json", "reason": "not a JSON object"}
