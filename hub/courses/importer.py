"""Importing a course package: check the zip, read its own manifest, store its files, then
record the new version with its signed manifest in one database transaction.

Nothing is half-imported: every check that needs no file content runs before any file is
stored; files go to the blob store (temporary file, then rename) before the transaction; the
version, its file rows and the course row are written together or not at all. A package whose
content equals the current version's makes no new version (`unchanged`).

Which course a package becomes a version of. When the import names the course (`--course`,
`?course=`, the console's course name field), the package becomes that course's next version,
whatever it is. When it does not, the name comes from the package (a SCORM manifest's
identifier, course.json's "course"), and authoring tools reuse a template's identifier for every
course made from it: so a package whose title differs from the title of the course already
holding that name is taken as a different package and refused (`course_name_taken`), with the two
names to type, rather than silently made the next version of an unrelated course. The title is
what admins and learners know a course by, and an update of a course keeps it; an admin who did
retitle a course names it once (`--course NAME`) to make the retitled package its next version.
Two packages from one template that also keep the template's title cannot be told apart this way:
they are taken as versions of one course, as before.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ed25519

from hub.courses import native, scorm
from hub.courses.archive import members, open_zip, read_small, store_all
from hub.courses.blobs import BlobStore
from hub.courses.models import Course, CourseFile, CourseVersion
from hub.courses.package import MAX_MANIFEST_BYTES, Description, Limits, PackageError, media_type, slug, tidy
from hub.db import write_transaction
from wire.courses import ManifestError, sign_manifest
from wire.records import timestamp

log = logging.getLogger("hub.courses")

INSERT_CHUNK = 500
_CONTENT = ("course", "title", "format", "entry", "items", "files", "scorm")


class CourseNameTaken(PackageError):
    """The package's own course name is held by a course with another title (see the module's
    docstring). `course` and `version` are that course and its current version; `suggestion` a
    free name made from this package's title."""

    def __init__(self, course: str, version: int, held_title: str, title: str, suggestion: str):
        super().__init__("course_name_taken", (
            f"course {course} is already held by a different package: its version {version} is titled "
            f"{held_title!r}, this package {title!r}. Name the course to import it: {suggestion} to import it as a "
            f"course of its own, or {course} to make it version {version + 1} of {course}"))
        self.course, self.version, self.suggestion = course, version, suggestion


@dataclass(frozen=True)
class Imported:
    course: str
    version: int
    title: str
    format: str
    files: int
    total_bytes: int
    new_blobs: int
    unchanged: bool
    envelope: dict

    def to_dict(self) -> dict:
        return {"course": self.course, "version": self.version, "title": self.title, "format": self.format,
                "files": self.files, "total_bytes": self.total_bytes, "new_blobs": self.new_blobs,
                "unchanged": self.unchanged, "manifest": self.envelope}


def import_package(path: str | os.PathLike, store: BlobStore, key: ed25519.Ed25519PrivateKey, limits: Limits,
                   course: str | None = None) -> Imported:
    """Import the zip at `path` as a new version of its course (or of `course`, if given). A
    package whose own course name is held by a course of another title is refused unless `course`
    is given (CourseNameTaken)."""
    with open_zip(path, limits) as archive:
        files = members(archive, limits)
        description = _describe(archive, files, course)
        if course is None:
            _check_name(description)  # before any file is stored; again in the transaction
        missing = [p for p in description.referenced if p not in files]
        if missing:
            raise PackageError("missing_file", f"the package's manifest names {len(missing)} file(s) the zip "
                               f"does not hold: {', '.join(missing[:5])}")
        stored = store_all(archive, files, store)
    types = dict(description.types)
    file_fields = [{"path": p, "sha256": s.sha256, "size": s.size, "type": types.get(p) or media_type(p)}
                   for p, s in sorted(stored.items())]
    imported = _publish(description, file_fields, key, new_blobs=sum(s.new for s in stored.values()),
                        named=course is not None)
    log.info("course %s version %s %s: %s files, %s bytes, %s new blobs", imported.course, imported.version,
             "unchanged" if imported.unchanged else "imported", imported.files, imported.total_bytes,
             imported.new_blobs)
    return imported


def _describe(archive, files: dict, course: str | None) -> Description:
    if scorm.MANIFEST in files:
        return tidy(scorm.parse(read_small(archive, files[scorm.MANIFEST], MAX_MANIFEST_BYTES), course), scorm.MANIFEST)
    if native.MANIFEST in files:
        def read(path: str) -> bytes:
            if path not in files:
                raise PackageError("missing_file", f"{path!r} is named in {native.MANIFEST} but not in the zip")
            return read_small(archive, files[path], MAX_MANIFEST_BYTES)

        return tidy(native.parse(read_small(archive, files[native.MANIFEST], MAX_MANIFEST_BYTES), read, course),
                    native.MANIFEST)
    raise PackageError("unknown_format", f"the zip has neither {scorm.MANIFEST} (SCORM) nor {native.MANIFEST} "
                       "(native) at its top level: zip the package's contents, not the folder holding them")


def _same_title(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _latest(course: Course | None) -> CourseVersion | None:
    return (CourseVersion.select().where(CourseVersion.course == course)
            .order_by(CourseVersion.version.desc()).first()) if course else None


def _check_name(description: Description) -> None:
    """Refuse a package not named by the import whose course name is held by another title."""
    latest = _latest(Course.get_or_none(Course.slug == description.course))
    if latest is None or _same_title(latest.title, description.title):
        return
    try:
        base = slug(description.title)
    except PackageError:
        base = description.course
    candidates = [base] + [f"{base[:60]}-{n}" for n in range(2, 100)]
    suggestion = next((c for c in candidates if c != description.course
                       and not Course.select().where(Course.slug == c).exists()), f"{description.course[:58]}-copy")
    raise CourseNameTaken(description.course, latest.version, latest.title, description.title, suggestion)


def _publish(description: Description, file_fields: list[dict], key, new_blobs: int, named: bool = True) -> Imported:
    content = {"course": description.course, "title": description.title, "format": description.format,
               "entry": description.entry,
               "items": [{"id": i.id, "title": i.title, "href": i.href} for i in description.items],
               "files": file_fields, **({"scorm": description.scorm} if description.scorm is not None else {})}
    total = sum(f["size"] for f in file_fields)
    with write_transaction():
        row = Course.get_or_none(Course.slug == description.course)
        latest = _latest(row)
        if latest is not None:
            envelope = json.loads(latest.envelope)
            if {k: envelope["manifest"][k] for k in _CONTENT if k in envelope["manifest"]} == content:
                return Imported(description.course, latest.version, latest.title, description.format,
                                len(file_fields), total, new_blobs, True, envelope)
            if not named:
                _check_name(description)
        version = latest.version + 1 if latest else 1
        fields = {"v": 1, **content, "version": version, "published": timestamp()}
        try:
            envelope = sign_manifest(fields, key)
        except ManifestError as exc:
            raise PackageError(exc.code, exc.reason) from None
        if row is None:
            row = Course.create(slug=description.course, title=description.title, format=description.format,
                                created_at=fields["published"])
        else:
            Course.update(title=description.title, format=description.format).where(Course.id == row.id).execute()
        version_row = CourseVersion.create(course=row, version=version, title=description.title,
                                           published_at=fields["published"], file_count=len(file_fields),
                                           total_bytes=total, envelope=json.dumps(envelope, ensure_ascii=False))
        rows = [dict(f, version=version_row.id) for f in file_fields]
        for start in range(0, len(rows), INSERT_CHUNK):
            CourseFile.insert_many(rows[start:start + INSERT_CHUNK]).execute()
    return Imported(description.course, version, description.title, description.format, len(file_fields), total,
                    new_blobs, False, envelope)
