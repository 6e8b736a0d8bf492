"""`throughgate hub courses import|list|target|refusals`: course packages in, where they go, and the values their
SCORM runtimes sent that learners' tablets refused (course_refusal records, wire/course_refusal.py)."""

from __future__ import annotations

import json
import sys

from hub import db
from hub.courses import catalogue
from hub.courses.blobs import BlobStore
from hub.courses.importer import CourseNameTaken, import_package
from hub.courses.package import Limits, PackageError
from hub.courses.scorm2004 import not_supported_text
from hub.models import Record
from hub.refusals import Refused
from hub.tables import table
from wire import course_refusal
from wire.text import for_terminal

FORMAT_NAMES = {"scorm12": "SCORM 1.2", "scorm2004": "SCORM 2004", "native": "native"}
EDITIONS = {2: "2nd edition", 3: "3rd edition", 4: "4th edition"}


def format_text(format: str, scorm: dict | None = None) -> str:
    """"SCORM 2004 3rd edition", "SCORM 2004 (edition not stated)", "SCORM 1.2", "native"."""
    name = FORMAT_NAMES.get(format, format)
    if format != "scorm2004" or scorm is None:
        return name
    return f"{name} {EDITIONS[scorm['edition']]}" if scorm.get("edition") in EDITIONS else \
        f"{name} (edition not stated)"


def register(commands, command, open_app) -> None:
    """Add `courses` to the hub's commands: `command` is hub.cli's sub-command maker, `open_app(args)`
    its app for an instance."""
    parser = commands.add_parser("courses", help="course packages: import, list, send to edges")
    parser.set_defaults(open_app=open_app)
    subs = parser.add_subparsers(dest="courses_command", required=True, metavar="COMMAND")
    cmd = command(subs, "import", cmd_import, "import a SCORM 1.2, SCORM 2004 or native course package (zip)")
    cmd.add_argument("file", metavar="FILE", help="the package zip")
    cmd.add_argument("--course", metavar="SLUG", help="the course's name (default: from the package; a name "
                     "held by a course of another title is refused unless given here)")
    command(subs, "list", cmd_list, "list courses, their current version and where they go")
    cmd = command(subs, "target", cmd_target, "send a course to an edge (or one group there)")
    cmd.add_argument("course", metavar="COURSE")
    cmd.add_argument("--edge", required=True, metavar="EDGE", help="the edge (prison) to send it to")
    cmd.add_argument("--group", metavar="G", help="only this group at that edge (default: everyone there)")
    cmd.add_argument("--remove", action="store_true", help="stop sending it there instead")
    cmd = command(subs, "refusals", cmd_refusals, "list values courses sent that learners' tablets refused, newest "
                  "first, with what to do")
    cmd.add_argument("--course", metavar="COURSE", help="only this course")
    cmd.add_argument("--limit", type=int, default=50, metavar="N", help="at most this many (default 50)")


def size_text(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return ""


def targets_text(targets: list[dict]) -> str:
    return ", ".join(f"{t['edge']} ({'group ' + t['group'] if t['group'] else 'everyone'})" for t in targets)


def cmd_import(args) -> int:
    app = args.open_app(args)
    with db.connected():
        try:
            imported = import_package(args.file, BlobStore.from_config(app.config),
                                      app.extensions["hub_keys"].get().signing, Limits.from_config(app.config),
                                      args.course)
        except CourseNameTaken as exc:
            again = for_terminal(f"throughgate hub courses import {args.file} --instance {args.instance} --course")
            print(f"error: {for_terminal(args.file)} refused ({exc.code}): {for_terminal(exc.reason)}.\n"
                  f"Type one of:\n  {again} {exc.suggestion}    (a course of its own)\n"
                  f"  {again} {exc.course}    (version {exc.version + 1} of {exc.course})", file=sys.stderr)
            return 1
        except PackageError as exc:
            raise Refused(400, exc.code, f"{args.file} refused ({exc.code}): {exc.reason}") from None
        except FileNotFoundError:
            raise Refused(400, "no_file", f"no file {args.file}") from None
    name = f"course {imported.course} version {imported.version}"
    if imported.unchanged:
        print(f"Unchanged: {args.file} holds the same content as {name}; no new version.")
        return 0
    scorm = imported.envelope["manifest"].get("scorm")
    print(f"Imported {name} ({format_text(imported.format, scorm)}): {imported.title!r}")
    print(f"  {imported.files} files, {size_text(imported.total_bytes)}; {imported.new_blobs} new in the store, "
          f"{imported.files - imported.new_blobs} already there")
    if scorm is not None:
        for line in scorm_lines(imported.envelope["manifest"]["items"], scorm):
            print(f"  {for_terminal(line)}")
    print("  manifest signed with the hub's receipt key")
    print(f"Send it to an edge: throughgate hub courses target {imported.course} --edge EDGE --instance "
          f"{args.instance}")
    return 0


def scorm_lines(items: list[dict], scorm: dict) -> list[str]:
    """What a SCORM 2004 import says beyond the files: items, objectives, and the sequencing the
    player carries out and does not."""
    kinds = [scorm["items"].get(item["id"], {}).get("type", "sco") for item in items]
    objectives = sum(len(info.get("objectives", [])) for info in scorm["items"].values())
    modes = _modes(scorm.get("organization"))
    lines = [f"{len(items)} launchable items ({kinds.count('sco')} SCOs, {kinds.count('asset')} assets), "
             f"{objectives} objectives",
             "sequencing the player carries out: " + (", ".join(modes) if modes else "none (one item)")]
    missing = not_supported_text(scorm)
    if missing:
        lines.append("sequencing in the package that the player does not carry out (its items open in the "
                     "package's order, as choice and flow allow):")
        lines.extend(f"  {line}" for line in missing)
    return lines


def _modes(node: dict | None) -> list[str]:
    """"choice and flow" per cluster with children, the organization first."""
    if not node:
        return []
    found = []
    if "control_mode" in node:
        mode = node["control_mode"]
        named = " and ".join(n for n in ("choice", "flow") if mode[n]) or "neither choice nor flow"
        found.append(f"{named} ({node['id']})")
    for child in node["children"]:
        found.extend(_modes(child))
    return found


def cmd_list(args) -> int:
    args.open_app(args)
    with db.connected():
        courses = catalogue.list_courses()
    if not courses:
        print(f"No courses yet: import one with `throughgate hub courses import FILE --instance {args.instance}`")
        return 0
    rows = []
    for c in courses:
        current = c["current"] or {}
        rows.append([c["course"], FORMAT_NAMES.get(c["format"], c["format"]), current.get("version"),
                     current.get("files"), size_text(current.get("total_bytes", 0)), current.get("published"),
                     targets_text(c["targets"]) or "nowhere yet", c["title"]])
    print(table(["COURSE", "FORMAT", "VERSION", "FILES", "SIZE", "PUBLISHED", "GOES TO", "TITLE"], rows))
    return 0


def cmd_target(args) -> int:
    args.open_app(args)
    with db.connected():
        targets = catalogue.set_target(args.course, args.edge, args.group, remove=args.remove)
    print(f"Course {args.course} goes to: {targets_text(targets) or 'nowhere'}")
    if not args.remove:
        print("The edge fetches it on its next course sync (GET /v1/courses).")
    return 0


def refusals(course: str | None = None, limit: int = 50) -> list[dict]:
    """course_refusal records the hub holds, newest first (one course if given): each payload with the record's
    edge, learner and when it reached the hub."""
    found = []
    query = Record.select().where(Record.kind == course_refusal.KIND).order_by(Record.arrival.desc())
    for row in query.iterator():
        payload = json.loads(row.payload)
        if course is None or payload.get("course") == course:
            found.append(payload | {"edge": row.edge_id, "learner": row.learner, "received": row.received_at_hub})
        if len(found) >= limit:
            break
    return found


def cmd_refusals(args) -> int:
    args.open_app(args)
    with db.connected():
        found = refusals(args.course, max(1, args.limit))
    if not found:
        where = f" in course {args.course}" if args.course else ""
        print(f"No value has been refused{where}: a learner's tablet sends one when a course sends a value SCORM "
              "does not allow.")
        return 0
    rows = [[r["received"], r["edge"], r["learner"], r["course"] + (f" v{r['version']}" if r["version"] else ""),
             r["item"], r["element"], r["value"], r["reason"]] for r in found]
    print(table(["RECEIVED AT HUB", "EDGE", "LEARNER", "COURSE", "ITEM", "ELEMENT", "VALUE", "WHY"], rows))
    advice: dict[str, list[str]] = {}
    for r in found:
        elements = advice.setdefault(course_refusal.advice(r["element"], r["error_code"]), [])
        if r["element"] not in elements:
            elements.append(r["element"])
    for text, elements in advice.items():
        print(f"\nWhat to do ({', '.join(for_terminal(e) for e in elements)}): {text}")
    return 0
