"""`throughgate tablet courses sync|list|path`: download courses from the edge once, use them offline
(tablet.courses)."""

from __future__ import annotations

import sys

from tablet.courses import CourseApi, CoursesError, CourseSync, Shelf
from tablet.identity import TabletIdentity, existing_folder
from wire.text import for_terminal
from wire.transfer import ProgressBar, human_bytes


def sync(args) -> int:
    identity = TabletIdentity(args.folder)
    try:
        api = CourseApi(identity, args.host, args.port)
    except FileNotFoundError as exc:
        print(f"not synced: {exc}", file=sys.stderr)
        return 2
    shelf, bar = Shelf(args.folder), ProgressBar()
    job = CourseSync(shelf, api, bar)
    try:
        job.run()
    except CoursesError as exc:
        print(f"courses not synced: {exc.reason}", file=sys.stderr)
        return 1
    finally:
        bar.close()
    for course, version in job.published:
        print(f"{course} version {version}: available offline")
    for course, path, reason in job.refused:
        print(f"refused {course}{'/' + path if path else ''}: {reason}", file=sys.stderr)
    held = [h for h in shelf.held() if h.state == "available"]
    resumed = f" ({len(job.resumed)} resumed)" if job.resumed else ""
    print(f"{'course list changed' if job.changed else 'course list unchanged (304)'}; fetched {job.files} file(s)"
          f"{resumed}, {human_bytes(job.file_bytes)}, in {api.requests} request(s) over {api.connections} "
          f"connection(s); {len(held)} course(s) available offline; {len(job.refused)} refused")
    return 1 if job.refused else 0


def list_command(args) -> int:
    held = Shelf(args.folder).held()
    if not held:
        print("no courses on this tablet yet: run `throughgate tablet courses sync` in reach of the edge")
    for h in held:
        print(f"{h.course} version {h.version} {h.state}: {h.files_held}/{h.files_total} files, "
              f"{human_bytes(h.bytes_held)} of {human_bytes(h.bytes_total)}  {for_terminal(h.title)}")
    return 0


def path(args) -> int:
    try:
        print(Shelf(args.folder).path(args.course, args.item))
    except CoursesError as exc:
        print(for_terminal(exc.reason), file=sys.stderr)
        return 1
    return 0


def register(sub, folder_help: str) -> None:
    courses = sub.add_parser("courses", help="courses from the edge: download once, then use them offline")
    csub = courses.add_subparsers(dest="courses_command", required=True, metavar="COMMAND")
    p = csub.add_parser("sync", help="fetch the edge's course list and the files this tablet does not hold")
    p.add_argument("--folder", required=True, type=existing_folder, help=folder_help)
    p.add_argument("--host", help="the edge's address (default: where it last answered)")
    p.add_argument("--port", type=int, help="its tablet API port (default: from enrolment)")
    p.set_defaults(func=sync)

    p = csub.add_parser("list", help="the courses on this tablet (no network): version, files held, bytes")
    p.add_argument("--folder", required=True, type=existing_folder, help=folder_help)
    p.set_defaults(func=list_command)

    p = csub.add_parser("path", help="the local file of a course's entry (or of one item), to open offline")
    p.add_argument("--folder", required=True, type=existing_folder, help=folder_help)
    p.add_argument("course", help="the course slug, e.g. english-2")
    p.add_argument("item", nargs="?", help="an item's id (default: the course's entry)")
    p.set_defaults(func=path)
