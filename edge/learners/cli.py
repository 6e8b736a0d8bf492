"""`throughgate edge learners set|clear|import|list`: learners' names, kept only at this edge."""

from __future__ import annotations

import sys
from pathlib import Path

from edge import config as edge_config
from edge import store
from edge.learners import csvimport, names
from wire.text import for_terminal


def _open(args) -> None:
    store.open_store(str(edge_config.load(args.instance).db_path), migrate=False)  # only edge run migrates


def learners_set(args) -> int:
    _open(args)
    try:
        done = names.set_name(args.learner, args.name, args.prison_number or "", by="cli")
    except names.NamesError as exc:
        print(f"not set: {exc}", file=sys.stderr)
        return 1
    number = f", prison number {done.prison_number}" if done.prison_number else ""
    print(for_terminal(f"learner {done.learner}: {done.name}{number}"))
    return 0


def learners_clear(args) -> int:
    _open(args)
    if not names.clear_name(args.learner, by="cli"):
        print(f"learner {for_terminal(args.learner)} has no name here: nothing to clear", file=sys.stderr)
        return 1
    print(f"learner {args.learner}: name cleared")
    return 0


def learners_import(args) -> int:
    _open(args)
    try:
        data = Path(args.file).read_bytes()[:csvimport.MAX_BYTES + 1]
        result = csvimport.preview(data) if args.dry_run else csvimport.apply(data, by="cli")
    except OSError as exc:
        print(f"not imported: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    except csvimport.ImportRefused as exc:
        print(f"not imported: {exc}", file=sys.stderr)
        return 1
    for row in result.refused:
        print(for_terminal(f"line {row.line}: {row.problem}"), file=sys.stderr)
    if result.refused:
        print(f"not imported: {len(result.refused)} line(s) refused; nothing was changed. Correct them and "
              "import the file again", file=sys.stderr)
        return 1
    verb = "would import" if args.dry_run else "imported"
    print(f"{verb}: {result.summary}")
    return 0


def learners_list(args) -> int:
    _open(args)
    rows = names.listing()
    if not rows:
        print("no learner names yet (throughgate edge learners set|import)")
        return 0
    print(f"{'learner':12} {'prison no':10} {'updated':24} name")
    for row in rows:
        print(for_terminal(f"{row.learner:12} {row.prison_number or '-':10} {row.updated_at:24} {row.name}"))
    return 0


def _command(parent, name: str, func, help_text: str, *arguments: tuple[tuple, dict]) -> None:
    parser = parent.add_parser(name, help=help_text)
    for option_names, options in arguments:
        parser.add_argument(*option_names, **options)
    parser.add_argument("--instance", required=True)
    parser.set_defaults(func=func)


def register(sub) -> None:
    """Add `throughgate edge learners`."""
    learners = sub.add_parser("learners", help="learners' names (personal data, kept only at this edge)")
    lsub = learners.add_subparsers(dest="learners_command", required=True, metavar="ACTION")
    _command(lsub, "set", learners_set, "set one learner's name (and prison number)", (("learner",), {}),
             (("--name",), {"required": True}), (("--prison-number",), {"help": "e.g. A1234BC"}))
    _command(lsub, "clear", learners_clear, "remove one learner's name and prison number", (("learner",), {}))
    _command(lsub, "import", learners_import, "import names from a CSV file (learner id, name, prison number): "
             "all rows or none", (("file",), {}), (("--dry-run",), {"action": "store_true",
                                                                      "help": "say what would change; change nothing"}))
    _command(lsub, "list", learners_list, "learners with a name")
