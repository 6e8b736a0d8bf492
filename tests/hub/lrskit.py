"""A small Learning Record Store for the tests: a real HTTP server on 127.0.0.1 that checks every
statement it is sent and answers like an LRS.

It checks each statement twice: with wire.xapi.validate, and with its own independent checks
written from the xAPI 1.0.3 text (so a bug in validate cannot hide a bad statement): a UUID id,
unique in the batch; an Agent actor with exactly one identifier, here the learner's account on
urn:throughgate and no name; a verb with an absolute IRI id and a display; an Activity object
with an IRI id, or a StatementRef; a timestamp with a time zone, not in the future. Every
request needs `X-Experience-API-Version: 1.0.x` and the Basic auth it was made with.

    POST /statements                  200 ["id", ...]: all stored (a repeat with the same content is kept once)
                                      409: an id it holds with other content (nothing stored)
    PUT  /statements?statementId=ID   204 stored or the same already held; 409 held with other content
    any  400 bad statement or header, 401 no or wrong auth

`outage(n, status)` answers the next n requests with `status` (503: the LRS is down);
`hold_after(n)` stores the n-th POST, then blocks its answer until `release()` (a forwarder
killed while it waits has had its batch stored but never heard so).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import re
import threading
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from hubkit import ADMIN_TOKEN, post_batch

from wire import xapi
from wire.records import timestamp
from wire.xapi import XapiError, validate

USER, PASSWORD = "throughgate-hub", "lrs-test-secret-" + "z" * 12
_ABSOLUTE_IRI = re.compile(r"[a-z][a-z0-9+.-]*:\S+")
_UTC_OFFSET = re.compile(r".*(Z|[+-]\d{2}:\d{2})")


def independent_problem(statement: dict) -> str | None:
    """The LRS's own reading of the rules; None if the statement passes."""
    try:
        if uuid.UUID(statement["id"]).hex != statement["id"].replace("-", "").lower():
            return "id is not a UUID in 8-4-4-4-12 form"
    except (KeyError, ValueError, AttributeError, TypeError):
        return "id is missing or not a UUID"
    actor = statement.get("actor")
    if not isinstance(actor, dict) or actor.get("objectType", "Agent") != "Agent":
        return "actor is not an Agent"
    identifiers = [key for key in ("mbox", "mbox_sha1sum", "openid", "account") if key in actor]
    if identifiers != ["account"] or "name" in actor:
        return "actor must be identified by its account alone (no name, email or openid)"
    account = actor["account"]
    if (set(account) != {"homePage", "name"} or account["homePage"] != "urn:throughgate"
            or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", str(account["name"]))):
        return "actor's account is not a learner on urn:throughgate"
    verb = statement.get("verb")
    if not isinstance(verb, dict) or not _ABSOLUTE_IRI.fullmatch(str(verb.get("id"))) or not verb.get("display"):
        return "verb needs an IRI id and a display"
    obj = statement.get("object")
    if not isinstance(obj, dict):
        return "object is missing"
    if obj.get("objectType", "Activity") == "Activity":
        if not _ABSOLUTE_IRI.fullmatch(str(obj.get("id"))):
            return "object is an Activity without an IRI id"
    elif obj.get("objectType") != "StatementRef":
        return f"object type {obj.get('objectType')!r} is not expected from Throughgate"
    stamp = statement.get("timestamp")
    if not isinstance(stamp, str) or not _UTC_OFFSET.fullmatch(stamp):
        return "timestamp is missing or has no time zone"
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return "timestamp is not ISO 8601"
    if moment > datetime.now(UTC) + timedelta(minutes=5):
        return "timestamp is in the future"
    return None


class Lrs:
    def __init__(self):
        self.statements: dict[str, dict] = {}
        self.requests: list[tuple[str, int]] = []
        """(method, status) of every request, in order."""
        self.deliveries: list[str] = []
        """The id of every statement in every request it answered 200/204 (a repeat is listed again)."""
        self.refused: list[str] = []
        """Reasons of every 400 it answered."""
        self.reject_ids: set[str] = set()
        """Statement ids it answers 400 to (a statement this LRS will not take)."""
        self._lock = threading.Lock()
        self._outage: list[int] = []
        self._hold_at: int | None = None
        self._posts = 0
        self.holding = threading.Event()
        self._released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/xapi"

    def __enter__(self) -> Lrs:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)

    def outage(self, requests: int, status: int = 503) -> None:
        with self._lock:
            self._outage = [status] * requests

    def hold_after(self, post_number: int) -> None:
        self._hold_at = post_number

    def release(self) -> None:
        self._released.set()

    def count(self, method: str, status: int) -> int:
        return sum(1 for entry in self.requests if entry == (method, status))

    # --- the LRS ---

    def _answer(self, method: str, path: str, headers, body: bytes) -> tuple[int, object]:
        with self._lock:
            if self._outage:
                return self._outage.pop(), {"error": "unavailable"}
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        if headers.get("Authorization") != expected:
            return 401, {"error": "unauthorized"}
        if not re.fullmatch(r"1\.0\.\d+", headers.get("X-Experience-API-Version", "")):
            return self._bad("X-Experience-API-Version 1.0.x is required")
        url = urlsplit(path)
        if url.path != "/xapi/statements" or method not in ("POST", "PUT"):
            return 404, {"error": "not found"}
        try:
            data = json.loads(body)
        except ValueError:
            return self._bad("body is not JSON")
        if method == "PUT":
            wanted = parse_qs(url.query).get("statementId", [""])[0]
            if not isinstance(data, dict) or data.get("id", wanted) != wanted:
                return self._bad("statementId does not match the statement's id")
            return self._store([data], put=True)
        return self._store(data if isinstance(data, list) else [data], put=False)

    def _bad(self, reason: str) -> tuple[int, object]:
        self.refused.append(reason)
        return 400, {"error": "bad request", "message": reason}

    def _store(self, batch: list, put: bool) -> tuple[int, object]:
        for statement in batch:
            if not isinstance(statement, dict):
                return self._bad("a statement is a JSON object")
            try:
                validate(statement)
            except XapiError as exc:
                return self._bad(f"statement {statement.get('id')}: {exc.reason}")
            problem = independent_problem(statement)
            if problem or statement["id"] in self.reject_ids:
                return self._bad(f"statement {statement.get('id')}: {problem or 'refused by this LRS'}")
        ids = [statement["id"] for statement in batch]
        if len(set(ids)) != len(ids):
            return self._bad("the batch holds one statement id twice")
        with self._lock:
            for statement in batch:
                held = self.statements.get(statement["id"])
                if held is not None and held != statement:
                    return 409, {"error": "conflict", "message": f"statement {statement['id']} differs"}
            for statement in batch:
                self.statements.setdefault(statement["id"], statement)
            self.deliveries.extend(ids)
            if not put:
                self._posts += 1
                hold = self._posts == self._hold_at
        if not put and hold:
            self.holding.set()
            self._released.wait(60)
        return (204, None) if put else (200, ids)

    def _handler(self):
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                status, answer = lrs._answer(self.command, self.path, self.headers, self.rfile.read(length))
                lrs.requests.append((self.command, status))
                body = b"" if answer is None else json.dumps(answer).encode()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # killed while it waited
                    self.send_response(status)
                    self.send_header("X-Experience-API-Version", "1.0.3")
                    if body:
                        self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

            do_POST = do_PUT = do_GET = _serve

            def log_message(self, *_args):
                pass

        return Handler


# --- learning records as an edge batches them (tablet record + device + received) ---

def learning_record(kind: str, learner: str, seq: int, payload_of, device: str = "tablet-1") -> dict:
    """A record whose payload may name its own id (`payload_of(record_id)`), as statements do."""
    record_id = str(uuid.uuid4())
    return {"v": 1, "id": record_id, "kind": kind, "learner": learner, "created": timestamp(), "seq": seq,
            "payload": payload_of(record_id), "device": device, "received": timestamp()}


def carrying(kind: str, learner: str, seq: int, statement: dict) -> dict:
    """A record carrying a statement made on the tablet: the record's id is the statement's."""
    made = learning_record(kind, learner, seq, lambda _rid: statement)
    made["id"] = statement["id"]
    return made


def progress(learner: str, seq: int, unit: int = 1) -> dict:
    return learning_record("progress_statement", learner, seq, lambda rid: xapi.statement(
        learner, "completed", xapi.activity_id("maths-1", f"unit-{unit}"), f"Unit {unit}",
        result={"completion": True, "score": {"scaled": 0.8, "raw": 8, "min": 0, "max": 10}}, statement_id=rid))


def quiz_answer(learner: str, seq: int) -> dict:
    return learning_record("quiz_answer", learner, seq, lambda rid: xapi.statement(
        learner, "answered", xapi.activity_id("maths-1", "quiz-1/q1"), "Question 1",
        result={"response": "3/4", "success": True}, statement_id=rid))


def submission(learner: str, seq: int) -> dict:
    """As the tablet sends one (tablet/learning.py)."""
    return learning_record("assignment_submission", learner, seq, lambda _rid: {
        "assignment": "essay-1", "course": "english-2", "text": "My essay about the book.", "attachments": []})


def feedback(learner: str, seq: int, submitted: str) -> dict:
    """As the edge console writes one when a tutor marks a submission (edge/console/marking.py)."""
    return learning_record("feedback", learner, seq, lambda _rid: {
        "submission": submitted, "assignment": "essay-1", "grade": "7/10",
        "feedback": "Good work: say more about chapter 2.", "marker": "tutor-jones", "marked": timestamp()},
        device="console")


def award(learner: str, seq: int) -> dict:
    """As the edge console writes one when a reward rule is met (edge/console/rewards.py)."""
    return learning_record("award", learner, seq, lambda _rid: {
        "badge": "first-unit", "rule": "complete 1 unit of maths-1", "awarded": timestamp()}, device="console")


def mixed_records(learner: str = "L-0042", first_seq: int = 1) -> list[dict]:
    """Ten learning records of every forwarded kind, and one message (never forwarded)."""
    made = [progress(learner, first_seq + i, unit=i + 1) for i in range(5)]
    made += [quiz_answer(learner, first_seq + 5), quiz_answer(learner, first_seq + 6)]
    made.append(submission(learner, first_seq + 7))
    made.append(feedback(learner, first_seq + 8, made[-1]["id"]))
    made.append(award(learner, first_seq + 9))
    made.append(learning_record("message", learner, first_seq + 10, lambda _rid: {"text": "hello"}))
    return made


# --- fixtures (a test module imports them by these names; pytest knows them by `name`) ---

@pytest.fixture(name="lrs")
def lrs_server():
    """The test LRS, running on a free port on 127.0.0.1."""
    with Lrs() as running:
        yield running


@pytest.fixture(name="secret_file")
def lrs_secret_file(tmp_path):
    path = tmp_path / "lrs.secret"
    path.write_text(PASSWORD + "\n")
    path.chmod(0o600)
    return path


@pytest.fixture(name="hub_settings")
def lrs_hub_settings(lrs, secret_file):
    """The hub's LRS settings pointing at the test LRS (the conftest's `app` reads them)."""
    return {"LRS_URL": lrs.url, "LRS_USERNAME": USER, "LRS_PASSWORD_FILE": str(secret_file), "LRS_BATCH_SIZE": 3}


@pytest.fixture(name="stored")
def stored_records(client, edge):
    """stored(records) -> the records, stored at the hub through POST /v1/batches."""
    def store(records: list[dict]) -> list[dict]:
        assert post_batch(client, edge, edge.seal(records)).status_code == 200
        return records

    return store


def write_hub_toml(instance: Path, db_url: str, lrs: Lrs | None = None, secret_file: Path | None = None,
                   batch_size: int = 3) -> None:
    """The hub.toml a command run on the test hub's instance reads: its database, and the test LRS."""
    lines = [f'DATABASE_URL = "{db_url}"',
             f'ADMIN_TOKEN_SHA256 = "{hashlib.sha256(ADMIN_TOKEN.encode()).hexdigest()}"']
    if lrs is not None:
        lines += [f'LRS_URL = "{lrs.url}"', f'LRS_USERNAME = "{USER}"', f'LRS_PASSWORD_FILE = "{secret_file}"',
                  f"LRS_BATCH_SIZE = {batch_size}"]
    (instance / "hub.toml").write_text("\n".join([*lines, ""]))
