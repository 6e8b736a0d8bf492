"""`throughgate tablet submit|progress|quiz|rejections`: records of every kind a tablet makes, from a
shell, and what the edge refused.

Every record is checked with the edge's own rules (wire.record_rules, in Outbox.add) before it is
stored, so a record the edge would refuse is refused here, with the same words, and never waits in
the outbox. Kinds (wire.records.TABLET_KINDS):

    message, form_submission   `submit --kind K --payload JSON`
    progress_statement         `progress` (or `submit` with a whole xAPI statement)
    quiz_answer                `quiz` (or `submit` with a whole xAPI statement)
    assignment_submission      `assignment` (tablet/cli.py: it uploads the attachments first); `submit`
                               only for one without attachments

Records the edge refused stay in the outbox, with its reason, until a person clears them:
`rejections list` and `rejections clear [ID]`. `send` counts only the refusals of its own run
(`refused_since`), so an old one does not fail every later send.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tablet.identity import TabletIdentity, existing_folder
from tablet.learning import Learning
from tablet.outbox import Outbox
from wire import xapi
from wire.records import TABLET_KINDS, RecordError

HINTS = {
    "progress_statement": "`throughgate tablet progress` writes the statement for you",
    "quiz_answer": "`throughgate tablet quiz` writes the statement for you",
    "assignment_submission": "`throughgate tablet assignment` writes the submission and uploads its attachments",
}


def outbox_in(folder: str) -> Outbox:
    """The tablet's outbox, making its folder (0700, as enrolment does) if need be: records can be made
    before enrolment."""
    Path(folder).mkdir(parents=True, exist_ok=True, mode=0o700)
    return Outbox(str(TabletIdentity(folder).outbox_path))


def _refused(exc: Exception, kind: str) -> int:
    hint = HINTS.get(kind)
    print(f"not recorded: {exc}" + (f" ({hint})" if hint else ""), file=sys.stderr)
    return 2


def submit(args) -> int:
    try:
        payload = json.loads(args.payload)
    except ValueError as exc:
        print(f"not recorded: --payload is not JSON ({exc}): give one JSON object, like "
              '\'{"text": "hello"}\'', file=sys.stderr)
        return 2
    if args.kind == "assignment_submission" and isinstance(payload, dict) and payload.get("attachments"):
        print("not recorded: a submission's attachments must reach the edge before the submission does: use "
              "`throughgate tablet assignment ... --attach FILE`, which uploads them first", file=sys.stderr)
        return 2
    outbox = outbox_in(args.folder)
    try:
        record = outbox.add(args.kind, args.learner, payload)
    except RecordError as exc:
        return _refused(exc, args.kind)
    finally:
        outbox.close()
    print(record.id)
    return 0


def progress(args) -> int:
    result = {key: value for key, value in (("completion", args.completion or None), ("success", args.success))
              if value is not None}
    if args.score is not None:
        result["score"] = {"scaled": args.score}
    return _statement(args, "progress_statement", lambda learning: learning.progress(
        args.learner, args.course, args.item, args.verb, result or None, args.name))


def quiz(args) -> int:
    return _statement(args, "quiz_answer", lambda learning: learning.quiz_answer(
        args.learner, args.course, args.question, args.response, args.success))


def _statement(args, kind: str, make) -> int:
    outbox = outbox_in(args.folder)
    learning = Learning(args.folder, outbox)
    try:
        record = make(learning)
    except xapi.XapiError as exc:
        print(f"not recorded: {exc.reason}", file=sys.stderr)
        return 2
    except RecordError as exc:
        return _refused(exc, kind)
    finally:
        learning.close()
        outbox.close()
    print(record.id)
    return 0


def rejections_list(args) -> int:
    outbox = outbox_in(args.folder)
    try:
        found = outbox.rejected_records(args.id)
    finally:
        outbox.close()
    if args.json:
        print(json.dumps([record.to_dict() | {"reason": reason} for record, reason in found], ensure_ascii=False))
        return 0
    if not found:
        print(f"no record {args.id} was refused" if args.id else "the edge refused no record of this tablet")
        return 1 if args.id else 0
    for record, reason in found:
        print(f"seq={record.seq} id={record.id} {record.kind} {record.learner} {record.created}: {reason}")
    print(f"{len(found)} refused; `throughgate tablet rejections clear [ID] --folder {args.folder}` forgets them "
          "once read (make a corrected one with `tablet submit`, `progress` or `quiz`)")
    return 0


def rejections_clear(args) -> int:
    outbox = outbox_in(args.folder)
    try:
        cleared = outbox.clear_rejections(args.id)
    finally:
        outbox.close()
    if args.id and not cleared:
        print(f"no refused record {args.id}: `throughgate tablet rejections list --folder {args.folder}` shows them",
              file=sys.stderr)
        return 1
    print(f"cleared {cleared} refused record(s)")
    return 0


def refused_since(outbox: Outbox, before: set[str]) -> int:
    """After `send`: say what the edge refused in this run (and that older refusals are not counted);
    1 if it refused anything now, else 0."""
    rejected = outbox.rejections()
    now = [(record_id, seq, reason) for record_id, seq, reason in rejected if record_id not in before]
    for record_id, seq, reason in now:
        print(f"  refused now: seq={seq} id={record_id}: {reason}", file=sys.stderr)
    if now:
        print(f"the edge refused {len(now)} record(s) in this send: they stay in the outbox, see "
              "`throughgate tablet rejections list`", file=sys.stderr)
    if len(rejected) > len(now):
        print(f"({len(rejected) - len(now)} refused by earlier sends, not counted here: `throughgate tablet "
              "rejections list` shows them, `rejections clear` forgets them)", file=sys.stderr)
    return 1 if now else 0


def register(sub, folder_help: str) -> None:
    p = sub.add_parser("submit", help="record something in the local outbox (works offline), checked with the "
                       "edge's rules")
    p.add_argument("--folder", required=True, help=folder_help)
    p.add_argument("--kind", required=True, choices=sorted(TABLET_KINDS))
    p.add_argument("--learner", required=True)
    p.add_argument("--payload", required=True, help="a JSON object (statement kinds: one xAPI statement with its "
                   "id; `progress` and `quiz` write one for you)")
    p.set_defaults(func=submit)

    p = sub.add_parser("progress", help="record progress in a course as an xAPI statement (progress_statement)")
    p.add_argument("--folder", required=True, help=folder_help)
    p.add_argument("--learner", required=True)
    p.add_argument("--course", required=True, help="the course slug, e.g. maths-1")
    p.add_argument("--item", help="the unit or page in the course, e.g. unit-3 (default: the whole course)")
    p.add_argument("--verb", default="completed", choices=sorted(xapi.VERBS), metavar="VERB",
                   help="what the learner did: completed (default), passed, failed, progressed, attempted, ...")
    p.add_argument("--name", help="the item's title, as staff see it")
    p.add_argument("--score", type=float, help="scaled score from -1 to 1, e.g. 0.8")
    p.add_argument("--completion", action="store_true", help="the item is complete")
    _success_flags(p)
    p.set_defaults(func=progress)

    p = sub.add_parser("quiz", help="record a quiz answer as an xAPI statement (quiz_answer)")
    p.add_argument("--folder", required=True, help=folder_help)
    p.add_argument("--learner", required=True)
    p.add_argument("--course", required=True, help="the course slug, e.g. maths-1")
    p.add_argument("--question", required=True, help="the question's id in the course, e.g. quiz-1/q3")
    p.add_argument("--response", required=True, help="the learner's answer, e.g. b")
    _success_flags(p)
    p.set_defaults(func=quiz)

    rejections = sub.add_parser("rejections", help="records the edge refused: list them, clear them once read")
    rsub = rejections.add_subparsers(dest="rejections_command", required=True, metavar="ACTION")
    p = rsub.add_parser("list", help="each refused record with the edge's reason, oldest first")
    p.add_argument("id", nargs="?", metavar="ID", help="only this record")
    p.add_argument("--folder", required=True, type=existing_folder, help=folder_help)
    p.add_argument("--json", action="store_true", help="the records themselves, each with its reason")
    p.set_defaults(func=rejections_list)
    p = rsub.add_parser("clear", help="forget refused records (all, or one by id) once read")
    p.add_argument("id", nargs="?", metavar="ID", help="only this record")
    p.add_argument("--folder", required=True, type=existing_folder, help=folder_help)
    p.set_defaults(func=rejections_clear)


def _success_flags(parser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--success", dest="success", action="store_true", default=None, help="the answer or "
                       "attempt was right")
    group.add_argument("--failure", dest="success", action="store_false", help="it was wrong")
