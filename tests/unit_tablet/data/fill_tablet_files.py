"""Fill a tablet's SQLite files with the code of one release, for the migration tests' SQL dumps.

Not a test: run it with an export of the release first on the path, then dump each file:

    git archive 6040b23 | tar -x -C /tmp/release
    PYTHONPATH=/tmp/release .venv/bin/python tests/unit_tablet/data/fill_tablet_files.py /tmp/filled
    sqlite3 /tmp/filled/outbox.sqlite .dump > tests/unit_tablet/data/outbox_6040b23.sql

It uses only what that release's tablet code offers: a release before the inbox (53a56d3) fills the
outbox alone; one before learning.sqlite or courses.sqlite leaves those files out.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from tablet.outbox import Outbox

LEARNER = "L-0042"


def fill_outbox(folder: Path) -> Outbox:
    outbox = Outbox(str(folder / "outbox.sqlite"))
    notes = [outbox.add("message", LEARNER, {"text": f"Can I have the next workbook? ({n})"}) for n in range(3)]
    forms = outbox.add_many([("form_submission", LEARNER, {"form": "canteen", "answers": {"diet": "halal"}}),
                             ("form_submission", "L-0107", {"form": "library", "answers": {"book": "Dune"}})])
    later = outbox.add("message", "L-0107", {"text": "Thank you for the feedback"})
    outbox.acked([notes[0].id, notes[1].id, forms[0].id])                 # acked
    outbox.rejected(forms[1].id, "unknown_learner: L-0107 is not bound to this tablet")  # rejected
    outbox.defer(later.id, 1_796_000_000.0)                               # pending, deferred by the quota
    if hasattr(outbox, "keep_message"):                                   # the inbox (from 3bc1cea)
        outbox.keep_message({"type": "feedback", "id": "6f1c3b2e-0d4a-4f7e-9a51-2b8f0c7d9e11", "learner": LEARNER,
                             "submission": "0b9e2f4c-7a1d-4c3b-8e6f-5d2a1c0b9f87", "assignment": "essay-3",
                             "grade": "B", "feedback": "A clear argument; check your spelling.",
                             "marked": "2026-11-30T14:02:11.000Z"})
        outbox.keep_message({"type": "award", "id": "a3d5e7f9-1b2c-4d6e-8f0a-9c8b7a6d5e4f", "learner": LEARNER,
                             "badge": "Maths level 1", "rule": "maths-1 completed",
                             "awarded": "2026-12-01T09:30:00.000Z"})
    return outbox


def fill_learning(folder: Path, outbox: Outbox) -> None:
    try:
        from tablet.attachments import Limits
        from tablet.learning import Learning
    except ImportError:
        return
    learning = Learning(folder, outbox)
    learning.progress(LEARNER, "maths-1", "unit-3", "completed", {"completion": True})
    pages = []
    for n in range(3):
        page = folder / f"page-{n}.jpg"
        page.write_bytes(b"\xff\xd8\xff\xe0" + bytes([n]) * 2000)
        pages.append(page)
    held = learning.submit_assignment(LEARNER, "english-2", "essay-3", "My essay", [(pages[0], "image/jpeg")])
    recorded = learning.submit_assignment(LEARNER, "english-2", "essay-2", "Letter home", [(pages[1], "image/jpeg")])
    refused = learning.submit_assignment("L-0107", "art-1", "sketch-1", "", [(pages[2], "image/jpeg")])
    learning._remember_limits(Limits(10 * 1024 * 1024, 256 * 1024, ("image/jpeg", "image/png", "audio/mpeg")))
    # what release() does once the attachments are at the edge, and when the edge refuses one for good
    [(_, learner, payload)] = [h for h in learning.held() if h[0] == recorded]
    outbox.add("assignment_submission", learner, payload, record_id=recorded)
    learning._set(recorded, "recorded", None)
    learning._set(refused, "refused", "unknown_learner: L-0107 is not bound to this tablet")
    assert [h[0] for h in learning.held()] == [held]
    learning.close()


def fill_courses(folder: Path) -> None:
    try:
        from tablet.courses import Shelf
        from wire.courses import parse_fields
    except ImportError:
        return
    shelf = Shelf(folder)

    def manifest(course: str, version: int, files: dict[str, bytes]):
        return parse_fields({
            "v": 1, "course": course, "version": version, "title": course.replace("-", " ").title(),
            "format": "native", "entry": "index.html",
            "items": [{"id": "unit-1", "title": "Unit 1", "href": "index.html"}],
            "files": [{"path": path, "sha256": hashlib.sha256(body).hexdigest(), "size": len(body),
                       "type": "text/html" if path.endswith(".html") else "text/css"} for path, body in files.items()],
            "published": f"2026-11-2{version}T10:00:00.000Z"})

    maths1 = {"index.html": b"<h1>Fractions</h1>", "style.css": b"h1 { color: #0b0c0c }"}
    maths2 = {"index.html": b"<h1>Fractions, again</h1>", "style.css": maths1["style.css"]}
    english = {"index.html": b"<h1>Writing a letter</h1>"}
    first = [manifest("maths-1", 1, maths1), manifest("english-2", 3, english)]
    shelf.take(first)
    for m, files in zip(first, (maths1, english), strict=True):
        for f in m.files:
            download = shelf.blobs.download(f.sha256, f.size, 0)
            download.write(files[f.path])
            download.finish()
        shelf.publish(m)
    shelf.set_etag('"courses-7f3a"')
    shelf.take([manifest("maths-1", 2, maths2), first[1]])  # maths-1 v2 listed: downloading, v1 stays available
    shelf.close()


def main(folder: str) -> None:
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    outbox = fill_outbox(path)
    fill_learning(path, outbox)
    outbox.close()
    fill_courses(path)


if __name__ == "__main__":
    main(sys.argv[1])
