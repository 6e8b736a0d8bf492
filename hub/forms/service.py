"""Publishing forms and reading what was published. No Flask here: refusals are hub.refusals.Refused.

A form is its id (the XLSForm settings' form_id) and versions (settings' version). Publishing the same
version again with the same content changes nothing; with other content it is refused: a version, once
phones may have filled it, never changes. The latest version of a form is the one published last.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import peewee
from peewee import fn

from hub import db
from hub.forms import xlsform
from hub.forms.models import FormSubmission, FormVersion
from hub.refusals import Refused
from wire.records import timestamp


@dataclass(frozen=True)
class Published:
    row: FormVersion
    created: bool
    warnings: list[str]


def digest(definition: xlsform.Definition) -> str:
    fields = json.dumps(definition.document(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{definition.xform}\n{fields}".encode()).hexdigest()


def publish(data: bytes, by: str, form_id: str | None = None, file_name: str = "") -> Published:
    """Read, convert and keep one form version; Refused 422 (every problem, in `problems`) for an XLSForm
    the hub cannot take, 409 for a version already published with other content."""
    try:
        definition = xlsform.read(data, form_id, file_name)
    except xlsform.FormRefused as exc:
        raise Refused(422, "form_refused", "the form was not published: " + "; ".join(exc.problems),
                      problems=exc.problems) from None
    sha = digest(definition)
    with db.proxy.atomic():
        known = FormVersion.get_or_none((FormVersion.form_id == definition.form_id)
                                        & (FormVersion.version == definition.version))
        if known is None:
            try:
                with db.proxy.atomic():
                    row = FormVersion.create(
                        form_id=definition.form_id, version=definition.version, title=definition.title[:200],
                        digest=sha, xform=definition.xform,
                        fields=json.dumps(definition.document(), ensure_ascii=False),
                        published_at=timestamp(), published_by=by[:80])
                return Published(row, True, definition.warnings)
            except peewee.IntegrityError:  # published at the same moment by another command
                known = FormVersion.get((FormVersion.form_id == definition.form_id)
                                        & (FormVersion.version == definition.version))
    if known.digest != sha:
        raise Refused(409, "version_exists", f"form {definition.form_id} version {definition.version} is already "
                      "published with other content, and phones may have filled it in: give the changed form a new "
                      "version in its settings sheet (like the date and a number, 2027010102), then publish it")
    return Published(known, False, definition.warnings)


def document(row: FormVersion) -> dict:
    return json.loads(row.fields)


def versions(form_id: str) -> list[FormVersion]:
    return list(FormVersion.select().where(FormVersion.form_id == form_id)
                .order_by(FormVersion.published_at, FormVersion.version))


def find(form_id: str, version: str | None = None) -> FormVersion:
    """The form's version (its latest without one); Refused 404 otherwise."""
    found = versions(str(form_id or "")[:64])
    if version is not None:
        found = [row for row in found if row.version == version]
    if not found:
        what = f"form {form_id}" + (f" version {version}" if version is not None else "")
        raise Refused(404, "unknown_form", f"{what} is not published at this hub: `throughgate hub forms list` "
                      "shows the forms there are")
    return found[-1]


@dataclass(frozen=True)
class Listed:
    latest: FormVersion
    versions: int
    submissions: int


def listing(person_ids: list[str] | None = None) -> list[Listed]:
    """Every form: its latest version, how many versions, and how many submissions (of these people only,
    where given)."""
    latest: dict[str, FormVersion] = {}
    counts: dict[str, int] = {}
    for row in FormVersion.select().order_by(FormVersion.published_at, FormVersion.version):
        latest[row.form_id] = row
        counts[row.form_id] = counts.get(row.form_id, 0) + 1
    query = FormSubmission.select(FormSubmission.form_id, fn.COUNT(FormSubmission.submission_id).alias("n"))
    if person_ids is not None:
        query = query.where(FormSubmission.person.in_(person_ids or [""]))
    submitted = {row.form_id: row.n for row in query.group_by(FormSubmission.form_id)}
    return [Listed(latest[form_id], counts[form_id], submitted.get(form_id, 0)) for form_id in sorted(latest)]


def latest_documents() -> list[dict]:
    """The latest version of every form, as the app renders it."""
    return [document(listed.latest) for listed in listing()]
