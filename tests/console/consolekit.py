"""A console on a real edge instance (EdgeKit: `edge init`, tablet CA, tablets enrolled with real
codes), staff and classes made through the CLI's functions, and logged-in test clients.

    tina  tutor of class A (learner L-A1)     tom   tutor of class B (learner L-B1)
    mary  the education manager               ivan  IT staff
"""

from __future__ import annotations

import json
import re
import uuid

from edge import store
from edge.console import accounts, learning
from wire.records import new_record

BASE = "https://console.test"  # the test client speaks HTTPS, so Secure cookies are sent
PASSWORD = "a long staff passphrase"
STAFF = {"tina": "tutor", "tom": "tutor", "mary": "manager", "ivan": "it"}
CLASSES = {"A": ("tina", "L-A1"), "B": ("tom", "L-B1")}
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def seed_staff() -> None:
    for name, (_tutor, learner) in CLASSES.items():
        accounts.add_class(name)
        accounts.assign(name, learners=[learner])
    for username, role in STAFF.items():
        classes = [name for name, (tutor, _) in CLASSES.items() if tutor == username]
        accounts.add_staff(username, role, PASSWORD, classes)


def submission(learner: str, device: str = "tab-0001", text: str = "My essay.", attachments: list = (),
               received: str | None = None, record_id: str | None = None, created: str | None = None) -> str:
    """A submission as the relay keeps it (received now, unless told). Returns its record id."""
    record = new_record("assignment_submission", learner, 1, {"assignment": f"essay-{uuid.uuid4().hex[:6]}",
                                                              "course": "english-2", "text": text,
                                                              "attachments": list(attachments)},
                        record_id=record_id)
    body = json.loads(record.to_json())
    body["created"] = created or record.created  # as stored: an older edge let odd times through
    with store.writing():
        learning.keep([{"id": record.id, "kind": record.kind, "device": device, "learner": learner,
                        "created": body["created"], "received": received or store.utcnow(),
                        "body": json.dumps(body)}])
    return record.id


def statement(learner: str, activity: str, score: float | None = None, verb: str = "completed",
              device: str = "tab-0001", received: str | None = None) -> None:
    payload = {"verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}"},
               "object": {"id": f"urn:throughgate:course:{activity}"}}
    if score is not None:
        payload["result"] = {"score": {"scaled": score}}
    record = new_record("progress_statement", learner, 1, payload)
    with store.writing():
        learning.keep([{"id": record.id, "kind": record.kind, "device": device, "learner": learner,
                        "created": record.created, "received": received or store.utcnow(),
                        "body": record.to_json().decode()}])


def refusal(learner: str, course: str = "algebra-1", element: str = "cmi.core.score.raw", value: str = "120",
            reason: str = "cmi.core.score.raw (120) must be from cmi.core.score.min (0) to max (100)",
            device: str = "tab-0001", received: str | None = None) -> str:
    """A value a course sent that the learner's tablet refused (a course_refusal record), as the relay keeps it."""
    from wire import course_refusal

    attempt = str(uuid.uuid4())
    payload = course_refusal.payload(course=course, version=2, item="unit-1", attempt=attempt, element=element,
                                     value=value, error_code="405", reason=reason)
    record = new_record("course_refusal", learner, 1, payload,
                        record_id=course_refusal.refusal_id(attempt, element, value))
    with store.writing():
        learning.keep([{"id": record.id, "kind": record.kind, "device": device, "learner": learner,
                        "created": record.created, "received": received or store.utcnow(),
                        "body": record.to_json().decode()}])
    return record.id


class Visitor:
    """A test client with its own cookies; `post` sends the page's CSRF token unless told not to."""

    def __init__(self, app, address: str = "127.0.0.1"):
        self.client = app.test_client()
        self.address = address
        self._token: str | None = None

    def get(self, path: str, **kwargs):
        response = self.client.get(BASE + path, environ_base={"REMOTE_ADDR": self.address}, **kwargs)
        found = _TOKEN.search(response.get_data(as_text=True)) if response.mimetype == "text/html" else None
        if found:
            self._token = found.group(1)
        return response

    def token(self) -> str:
        if self._token is None:
            self.get("/login")  # a logged-in visitor is sent home from there: every page has the token
        if self._token is None:
            self.get("/health/")
        return self._token

    def post(self, path: str, data: dict | None = None, csrf: str | bool = True):
        data = dict(data or {})
        if csrf is True:
            data["csrf_token"] = self.token()
        elif csrf:
            data["csrf_token"] = csrf
        return self.client.post(BASE + path, data=data, headers={"Referer": BASE + "/"},
                                environ_base={"REMOTE_ADDR": self.address})

    def login(self, username: str, password: str = PASSWORD):
        response = self.post("/login", {"username": username, "password": password})
        self._token = None  # a login starts a new session, with a new CSRF token
        return response


def attachment_submission(config, learner: str, device: str = "tab-0001") -> tuple[str, str]:
    """A submission with a photo uploaded through the edge's own chunk upload. Returns (record id, attachment id)."""
    import hashlib

    from edge.attachments import store as attachments_store
    from edge.attachments import upload as attachments_upload

    files = attachments_store.Files(config.attachments_dir)
    limits = attachments_store.Limits.of(config.attachments)
    photo = b"\xff\xd8\xff\xe0 a small jpeg " + uuid.uuid4().bytes
    ref = {"id": str(uuid.uuid4()), "sha256": hashlib.sha256(photo).hexdigest(), "size": len(photo),
           "type": "image/jpeg", "name": "page-1.jpg"}
    assert attachments_upload.put_chunk(files, limits, device, ref["id"], 0, photo)[0] < 300
    finished = attachments_upload.finish(files, limits, device, ref["id"],
                                         {key: ref[key] for key in ("sha256", "size", "type", "name")})
    assert finished[0] < 300, finished
    return submission(learner, device, attachments=[ref]), ref["id"]


def log_in_in_chromium(browser, url: str, username: str):
    """A new Chromium context logged in to the edge's console at `url` as `username` (PASSWORD), on its
    first page: (context, page)."""
    from tests import browserkit

    context = browserkit.new_context(browser)
    page = context.new_page()
    page.goto(f"{url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_selector("nav[aria-label=Console]")
    return context, page
