"""`throughgate hub forms publish|list|show|export`: bespoke forms from the hub's own machine (docs/forms.md).
Workers publish and read them in the workers' console too (hub/forms/web.py). An export here reads every
person's submissions, and each person's read is recorded as a worker's would be (person_read)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from hub.admins.cli import note, operator, with_app
from hub.forms import service, submissions
from hub.forms.xlsform import MAX_BYTES
from hub.refusals import Refused
from hub.sync import uploads
from hub.tables import table
from hub.workers import caseload
from wire.text import for_terminal

REFUSED = 2
"""The exit code of a form the hub refused (each problem printed on its own line)."""


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def register(commands, command, open_app) -> None:
    part = commands.add_parser("forms", help="bespoke forms (XLSForm): publish, list, show, export submissions")
    subs = part.add_subparsers(dest="forms_command", required=True, metavar="COMMAND")
    cmd = command(subs, "publish", with_app(open_app, cmd_publish), "publish a form version from an XLSForm "
                  "(.xlsx): its form_id and version come from the settings sheet")
    cmd.add_argument("file", metavar="FILE", help="the XLSForm, an .xlsx workbook")
    cmd.add_argument("--form-id", metavar="ID", help="publish it under this form id instead of the settings sheet's")
    command(subs, "list", with_app(open_app, cmd_list), "list forms: latest version, versions, submissions")
    cmd = command(subs, "show", with_app(open_app, cmd_show), "one form version's fields (the latest without "
                  "--version)")
    cmd.add_argument("form_id", metavar="FORM_ID")
    cmd.add_argument("--version", metavar="VERSION")
    shown = cmd.add_mutually_exclusive_group()
    shown.add_argument("--json", action="store_true", help="print the field list the app renders from")
    shown.add_argument("--xform", action="store_true", help="print the XForm XML")
    cmd = command(subs, "export", with_app(open_app, cmd_export), "write a form's submissions as ODK Central's CSV "
                  "with media (a zip: FORM_ID.csv and media/)")
    cmd.add_argument("form_id", metavar="FORM_ID")
    cmd.add_argument("--out", required=True, metavar="FILE.zip")


def cmd_publish(args, app) -> int:
    path = Path(args.file)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise Refused(413, "too_large", f"{args.file} is over {MAX_BYTES} bytes: is it an XLSForm?")
        data = path.read_bytes()
    except OSError as exc:
        raise Refused(400, "unreadable", f"cannot read {args.file} ({exc.strerror or exc})") from None
    try:
        published = service.publish(data, operator().name, args.form_id, path.name)
    except Refused as exc:
        if not exc.extra.get("problems"):
            raise
        note(refused=len(exc.extra["problems"]))
        print(f"error: {args.file} was not published ({_count(len(exc.extra['problems']), 'problem')}):",
              file=sys.stderr)
        for problem in exc.extra["problems"]:
            print(f"  {for_terminal(problem)}", file=sys.stderr)
        return REFUSED
    row = published.row
    note(form_id=row.form_id, version=row.version, new=published.created)
    fields = [f for f in service.document(row)["fields"] if f["type"] not in ("group", "note")]
    if published.created:
        print(f"Published form {row.form_id} version {row.version} ({for_terminal(row.title)}): "
              f"{_count(len(fields), 'field')}. Phones get it at their next sync.")
    else:
        print(f"Form {row.form_id} version {row.version} is already published with the same content: nothing "
              "changed.")
    return 0


def cmd_list(args, app) -> int:
    found = service.listing()
    if not found:
        print("No forms yet: `throughgate hub forms publish FILE.xlsx` publishes one.")
        return 0
    print(table(["FORM", "LATEST VERSION", "TITLE", "VERSIONS", "SUBMISSIONS", "PUBLISHED"],
                [[f.latest.form_id, f.latest.version, f.latest.title, f.versions, f.submissions,
                  f.latest.published_at] for f in found]))
    return 0


def _rules(field: dict) -> str:
    parts = []
    if field.get("required"):
        parts.append("required")
    for key, words in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<"), ("min_length", "min length"),
                       ("max_length", "max length"), ("min_selected", "min chosen"), ("max_selected", "max chosen"),
                       ("pattern", "pattern")):
        if key in field.get("constraint", {}):
            parts.append(f"{words} {field['constraint'][key]}")
    if "choices" in field:
        parts.append("choices " + ", ".join(choice["name"] for choice in field["choices"]))
    if "max_pixels" in field:
        parts.append(f"max {field['max_pixels']} pixels")
    for key, words in (("capture_accuracy", "capture"), ("warning_accuracy", "warning")):
        if key in field:
            parts.append(f"{words} accuracy {field[key]:g} m")
    return "; ".join(parts)


def cmd_show(args, app) -> int:
    row = service.find(args.form_id, args.version)
    document = service.document(row)
    if args.json:
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return 0
    if args.xform:
        print(row.xform)
        return 0
    print(f"Form {row.form_id} version {row.version}: {for_terminal(row.title)}, published {row.published_at} by "
          f"{row.published_by}; languages {', '.join(document['languages']) or 'one'}.")
    rows = [[f["path"], f["type"], " / ".join(f.get("label", {}).values()), _rules(f)] for f in document["fields"]]
    print(table(["FIELD", "TYPE", "LABEL", "RULES"], rows))
    return 0


def cmd_export(args, app) -> int:
    service.find(args.form_id)
    out = Path(args.out)
    spare = out.with_name(f".{out.name}.{os.getpid()}.part")
    store = uploads.Store(app.config["ATTACHMENTS_DIR"], app.config["ATTACHMENTS_KEY_FILE"])
    try:
        with open(spare, "wb") as handle:
            count = submissions.export(args.form_id, None, store, handle)
        os.replace(spare, out)
    except OSError as exc:
        spare.unlink(missing_ok=True)
        raise Refused(400, "unwritable", f"cannot write {args.out} ({exc.strerror or exc})") from None
    people = sorted({s.row.person_id for s in submissions.of_form(args.form_id, None)})
    caseload.record_reads(operator().name, people, "form submissions")
    note(form_id=args.form_id, submissions=count, people=len(people))
    print(f"Wrote {_count(count, 'submission')} of form {args.form_id} from {_count(len(people), 'person', 'people')} "
          f"to {args.out} "
          f"({args.form_id}.csv and media/, as ODK Central's CSV with media). Each person's read is recorded.")
    return 0
