"""Publishing job links, videos and checklists, what each person's phone is offered, and their checklist ticks.
No Flask here: refusals are hub.refusals.Refused.

An item is for everyone released with a phone, or for one person: the guides (disclosing a conviction, getting
ready for an interview, opening a bank account, ID) are the same for everyone, and a job found for one person is
theirs. A team's caseload as an audience is left out: an adviser who wants that publishes for everyone, since an
item holds no one's personal data.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from hub.employment.models import CHECKLIST, JOB, KINDS, VIDEO, ChecklistTick, EmploymentItem
from hub.people.models import Person
from hub.refusals import Refused
from wire.records import timestamp, timestamp_problem

MAX_TITLE, MAX_TEXT, MAX_STEPS, MAX_STEP = 200, 4000, 30, 300


@dataclass(frozen=True)
class Video:
    sha256: str
    media_type: str
    bytes: int
    captions_sha256: str | None = None
    captions_bytes: int | None = None


def _words(value, what: str, most: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise Refused(400, "bad_item", f"give the item {what}")
    if len(text) > most:
        raise Refused(400, "bad_item", f"{what} is at most {most} characters ({len(text)} given)")
    return text


def check_url(url) -> str:
    text = str(url or "").strip()
    parts = urlsplit(text)
    if parts.scheme != "https" or not parts.hostname or len(text) > 2000:
        raise Refused(400, "bad_item", "a job link is a web address starting https:// (at most 2000 characters), "
                      "like https://findajob.dwp.gov.uk/details/123")
    return text


def check_steps(steps) -> list[str]:
    found = [str(s).strip() for s in steps or [] if str(s).strip()]
    if not found or len(found) > MAX_STEPS or any(len(s) > MAX_STEP for s in found):
        raise Refused(400, "bad_item", f"a checklist has 1 to {MAX_STEPS} steps, each at most {MAX_STEP} "
                      "characters: one step a line")
    return found


def publish(kind: str, title, text, by: str, *, url=None, steps=None, video: Video | None = None,
            person: str | None = None) -> EmploymentItem:
    """Keep a new item (a video's bytes are stored already: hub/employment/files.py); Refused 400 saying what to
    fix, 404 for a person not at this hub."""
    if kind not in KINDS:
        raise Refused(400, "bad_item", f"an item is one of {', '.join(KINDS)}")
    title = _words(title, "a title", MAX_TITLE)
    text = _words(text, "its text", MAX_TEXT, required=False)
    if person is not None and Person.get_or_none(Person.person_id == person) is None:
        raise Refused(404, "unknown_person", f"{person} is not a person at this hub: `throughgate hub people list` "
                      "shows who is")
    fields = {"url": None, "steps": "[]"}
    if kind == JOB:
        fields["url"] = check_url(url)
    elif kind == CHECKLIST:
        fields["steps"] = json.dumps(check_steps(steps), ensure_ascii=False)
    elif video is None:
        raise Refused(400, "bad_item", "a video item needs its video file (MP4 or WebM)")
    else:
        fields.update(video_sha256=video.sha256, video_type=video.media_type, video_bytes=video.bytes,
                      captions_sha256=video.captions_sha256, captions_bytes=video.captions_bytes)
    return EmploymentItem.create(item_id=secrets.token_hex(8), kind=kind, title=title, text=text, person=person,
                                 published_by=by[:80], published_at=timestamp(), **fields)


def withdraw(item_id: str, by: str) -> EmploymentItem:
    """Take an item off phones (a job filled, a link that changed); its ticks stay. Refused 404 for none; withdrawing
    it again changes nothing."""
    item = EmploymentItem.get_or_none(EmploymentItem.item_id == str(item_id or "")[:32])
    if item is None:
        raise Refused(404, "unknown_item", f"{str(item_id)[:40]!r} is not an item at this hub: `throughgate hub "
                      "employment list` shows them")
    if item.withdrawn_at is None:
        item.withdrawn_at = timestamp()
        item.save()
    return item


def visible_to(person_id: str):
    return EmploymentItem.withdrawn_at.is_null() & (EmploymentItem.person.is_null()
                                                    | (EmploymentItem.person == person_id))


def items_for(person_id: str) -> list[EmploymentItem]:
    """What this person's phone is offered, newest first."""
    return list(EmploymentItem.select().where(visible_to(person_id))
                .order_by(EmploymentItem.published_at.desc(), EmploymentItem.item_id))


def listing() -> list[EmploymentItem]:
    return list(EmploymentItem.select().order_by(EmploymentItem.published_at.desc(), EmploymentItem.item_id))


def file_for(person_id: str, sha256: str) -> tuple[EmploymentItem, str, int] | None:
    """(item, media type, size) of a video or captions file this person may fetch; None otherwise."""
    item = (EmploymentItem.select().where(visible_to(person_id) & ((EmploymentItem.video_sha256 == sha256)
                                                                   | (EmploymentItem.captions_sha256 == sha256)))
            .first())
    if item is None:
        return None
    if item.video_sha256 == sha256:
        return item, item.video_type, item.video_bytes
    return item, "text/vtt; charset=utf-8", item.captions_bytes


def steps_done(person_id: str, item_ids: list[str]) -> dict[str, dict[int, ChecklistTick]]:
    """item -> step -> the newest tick of that step (by the phone's time, then the hub's)."""
    found: dict[str, dict[int, ChecklistTick]] = {}
    mine = (ChecklistTick.person == person_id) & ChecklistTick.item.in_(item_ids or [""])
    ticks = (ChecklistTick.select().where(mine)
             .order_by(ChecklistTick.ticked_at, ChecklistTick.received_at))
    for tick in ticks:
        found.setdefault(tick.item_id, {})[tick.step] = tick
    return found


def document(item: EmploymentItem, done: dict[int, ChecklistTick] | None = None) -> dict:
    """An item as the phone keeps it (GET /v1/phone/work)."""
    out = {"item": item.item_id, "kind": item.kind, "title": item.title, "text": item.text,
           "published_at": item.published_at}
    if item.kind == JOB:
        out["url"] = item.url
    elif item.kind == CHECKLIST:
        out["steps"] = json.loads(item.steps)
        out["done"] = sorted(step for step, tick in (done or {}).items() if tick.done)
    elif item.kind == VIDEO:
        out["video"] = {"sha256": item.video_sha256, "type": item.video_type, "bytes": item.video_bytes,
                        "captions": ({"sha256": item.captions_sha256, "bytes": item.captions_bytes}
                                     if item.captions_sha256 else None)}
    return out


def for_phone(person_id: str) -> list[dict]:
    items = items_for(person_id)
    done = steps_done(person_id, [i.item_id for i in items if i.kind == CHECKLIST])
    return [document(item, done.get(item.item_id)) for item in items]


def receive(person_id: str, tick_id: str, body: dict) -> None:
    """A `checklist_progress` change of a sync (in its transaction): {"item", "step": 0-based, "done": bool,
    "ticked_at": RFC 3339}. Refused (nothing stored) for an item not this person's, or a step it lacks."""
    if set(body) - {"item", "step", "done", "ticked_at"} or type(body.get("step")) is not int \
            or type(body.get("done")) is not bool or not isinstance(body.get("item"), str):
        raise Refused(400, "bad_change", 'a checklist_progress change\'s body is {"item": its id, "step": a step\'s '
                      'number from 0, "done": true or false, "ticked_at": an RFC 3339 time}')
    problem = timestamp_problem(body.get("ticked_at")) if isinstance(body.get("ticked_at"), str) else "is missing"
    if problem:
        raise Refused(400, "bad_change", f"'ticked_at' must be an RFC 3339 time ({problem})")
    item = EmploymentItem.get_or_none((EmploymentItem.item_id == body["item"][:32])
                                      & (EmploymentItem.person.is_null() | (EmploymentItem.person == person_id)))
    if item is None or item.kind != CHECKLIST:
        raise Refused(404, "unknown_item", "this checklist is not one of yours: open Work and jobs to see yours now")
    if not 0 <= body["step"] < len(json.loads(item.steps)):
        raise Refused(400, "bad_change", f"this checklist has steps 0 to {len(json.loads(item.steps)) - 1}")
    # Once: the sync keeps the change's id first (hub/sync/changes.py), and the same id again is not applied.
    ChecklistTick.create(tick_id=tick_id, person=person_id, item=item.item_id, step=body["step"], done=body["done"],
                         ticked_at=body["ticked_at"], received_at=timestamp())


@dataclass(frozen=True)
class Progress:
    item: EmploymentItem
    steps: list[str]
    ticks: dict[int, ChecklistTick]

    @property
    def done(self) -> int:
        return sum(1 for tick in self.ticks.values() if tick.done)


def progress_of(person_id: str) -> list[Progress]:
    """Each checklist this person is offered (or once ticked), with their newest tick of each step."""
    items = [i for i in items_for(person_id) if i.kind == CHECKLIST]
    ticked = {t.item_id for t in ChecklistTick.select(ChecklistTick.item).where(ChecklistTick.person == person_id)}
    known = {i.item_id for i in items}
    items += list(EmploymentItem.select().where(EmploymentItem.item_id.in_(list(ticked - known) or [""])))
    done = steps_done(person_id, [i.item_id for i in items])
    return [Progress(i, json.loads(i.steps), done.get(i.item_id, {})) for i in items]
