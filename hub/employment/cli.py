"""`throughgate hub employment publish|list|progress`: help into work from the hub's own machine
(docs/employment.md). Employment advisers publish and read progress in the workers' console too
(hub/employment/web.py). `progress` reads a person's ticks, and the read is recorded as a worker's would be."""

from __future__ import annotations

import json
from pathlib import Path

from hub.admins.cli import note, operator, with_app
from hub.courses.blobs import BlobStore
from hub.employment import files, service
from hub.employment.models import CHECKLIST, JOB, KINDS, VIDEO
from hub.people import service as people
from hub.refusals import Refused
from hub.tables import table
from hub.workers import caseload
from wire.text import for_terminal

CHUNK = 1 << 20


def register(commands, command, open_app) -> None:
    part = commands.add_parser("employment", help="help into work: job links, videos and checklists for people's "
                               "phones, and their progress")
    subs = part.add_subparsers(dest="employment_command", required=True, metavar="COMMAND")
    cmd = command(subs, "publish", with_app(open_app, cmd_publish), "publish a job link, a video or a checklist to "
                  "everyone's phone (or one person's)")
    cmd.add_argument("kind", choices=KINDS, metavar="KIND", help=f"one of {', '.join(KINDS)}")
    cmd.add_argument("--title", required=True, metavar="TITLE")
    cmd.add_argument("--text", default="", metavar="TEXT", help="what it is for, in plain words")
    cmd.add_argument("--url", metavar="URL", help="a job's https:// address (job)")
    cmd.add_argument("--step", action="append", metavar="STEP", help="a step (checklist; give one --step each)")
    cmd.add_argument("--video", metavar="FILE", help=f"an MP4 or WebM file, at most {files.MAX_VIDEO_BYTES >> 20} MB "
                     "(video)")
    cmd.add_argument("--captions", metavar="FILE.vtt", help="WebVTT captions for the video (optional)")
    cmd.add_argument("--person", metavar="PERSON", help="for this person only (default: everyone)")
    command(subs, "list", with_app(open_app, cmd_list), "list what was published: kind, title, size, for whom")
    cmd = command(subs, "withdraw", with_app(open_app, cmd_withdraw), "take an item off people's phones (a job "
                  "filled, a guide out of date); ticks stay")
    cmd.add_argument("item", metavar="ITEM")
    cmd = command(subs, "progress", with_app(open_app, cmd_progress), "a person's ticks on each checklist (the read "
                  "is recorded)")
    cmd.add_argument("person", metavar="PERSON")


def _read_head(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(files.HEAD)


def _chunks(path: Path):
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def _video(args, app) -> service.Video | None:
    if args.kind != VIDEO or not args.video:
        return None
    blobs = BlobStore.from_config(app.config)
    try:
        stored, media_type = files.store_video(blobs, _read_head(Path(args.video)), _chunks(Path(args.video)))
        captions = files.store_captions(blobs, Path(args.captions).read_bytes()) if args.captions else None
    except OSError as exc:
        raise Refused(400, "unreadable", f"cannot read {exc.filename} ({exc.strerror or exc})") from None
    return service.Video(stored.sha256, media_type, stored.size, captions and captions.sha256,
                         captions and captions.size)


def cmd_publish(args, app) -> int:
    person = people.find(args.person).person_id if args.person else None
    row = service.publish(args.kind, args.title, args.text, operator().name, url=args.url, steps=args.step,
                          video=_video(args, app), person=person)
    note(item=row.item_id, kind=row.kind, person=person or "everyone")
    if row.kind == JOB:
        what = f"Job link {row.url}"
    elif row.kind == CHECKLIST:
        what = f"Checklist of {len(json.loads(row.steps))} steps"
    else:
        what = (f"Video ({files.VIDEO_TYPES.get(row.video_type)}, {files.megabytes(row.video_bytes or 0)}"
                f"{', with captions' if row.captions_sha256 else ''})")
    print(f"Published {row.item_id}: {what}, \"{for_terminal(row.title)}\", for {person or 'everyone'}. Phones get "
          "it when they next open Work and jobs.")
    return 0


def _size(row) -> str:
    if row.kind == VIDEO:
        return files.megabytes(row.video_bytes or 0)
    if row.kind == CHECKLIST:
        return f"{len(json.loads(row.steps))} steps"
    return "-"


def cmd_list(args, app) -> int:
    found = service.listing()
    if not found:
        print("Nothing published yet: `throughgate hub employment publish checklist --title ... --step ...` "
              "publishes one.")
        return 0
    print(table(["ITEM", "KIND", "TITLE", "SIZE", "FOR", "PUBLISHED", "BY"],
                [[r.item_id, r.kind, r.title + (" (withdrawn)" if r.withdrawn_at else ""), _size(r),
                  r.person_id or "everyone", r.published_at, r.published_by] for r in found]))
    return 0


def cmd_withdraw(args, app) -> int:
    row = service.withdraw(args.item, operator().name)
    note(item=row.item_id)
    print(f"Withdrew {row.item_id} (\"{for_terminal(row.title)}\", since {row.withdrawn_at}): phones drop it when they "
          "next open Work and jobs. Ticks on it stay.")
    return 0


def cmd_progress(args, app) -> int:
    person = people.find(args.person)
    caseload.record_reads(operator().name, [person.person_id], "work progress")
    note(person=person.person_id)
    found = service.progress_of(person.person_id)
    if not found:
        print(f"{person.person_id} has no checklists.")
        return 0
    rows = []
    for p in found:
        for number, step in enumerate(p.steps):
            tick = p.ticks.get(number)
            rows.append([p.item.item_id, p.item.title, f"{number + 1}. {step}",
                         ("done " if tick.done else "not done ") + tick.ticked_at if tick else "-"])
    print(f"{person.person_id}: " + "; ".join(f"{p.item.title}: {p.done} of {len(p.steps)} steps done" for p in found))
    print(table(["ITEM", "CHECKLIST", "STEP", "TICKED"], rows))
    return 0
