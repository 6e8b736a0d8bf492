"""`throughgate edge staff|classes|console`: staff accounts, classes, and running the console."""

from __future__ import annotations

import getpass
import sys

from edge import config as edge_config
from edge import store
from edge.console import accounts


def _open(args) -> edge_config.EdgeConfig:
    cfg = edge_config.load(args.instance)
    store.open_store(str(cfg.db_path), migrate=False)  # only edge run migrates
    return cfg


def read_password(username: str) -> str:
    """Prompted twice at a terminal; otherwise the first line of standard input. Never an argument."""
    if sys.stdin.isatty():
        first = getpass.getpass(f"password for {username}: ")
        if getpass.getpass("again: ") != first:
            raise accounts.AccountError("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _done(args, refused: str, action) -> int:
    """Open the store, run action() (which returns what to print); an AccountError is printed as a refusal."""
    _open(args)
    try:
        print(action())
    except accounts.AccountError as exc:
        print(f"{refused}: {exc}", file=sys.stderr)
        return 1
    return 0


def staff_add(args) -> int:
    def add() -> str:
        member = accounts.add_staff(args.username, args.role, read_password(args.username), args.klass or [])
        joined = f" in {', '.join(args.klass)}" if args.klass else ""
        return f"{member.role} {member.username} can log in to the console{joined}"

    return _done(args, "not added", add)


def staff_list(args) -> int:
    header = f"{'user':20} {'role':8} classes"
    return _done(args, "", lambda: "\n".join([header] + [
        f"{r['username']:20} {r['role']:8} {', '.join(r['classes']) or '-'}" for r in accounts.staff_listing()]))


def classes_add(args) -> int:
    return _done(args, "not added", lambda: accounts.add_class(args.name) or f"class {args.name} added")


def classes_assign(args) -> int:
    def assign() -> str:
        learners, tutors = accounts.assign(args.name, args.learner or [], args.tutor or [])
        return f"class {args.name}: {learners} learner(s) and {tutors} tutor(s) added"

    return _done(args, "not assigned", assign)


def classes_list(args) -> int:
    return _done(args, "", lambda: "\n".join(
        f"{row['name']}: tutors {', '.join(row['tutors']) or '-'}; learners {', '.join(row['learners']) or '-'}"
        for row in accounts.classes()) or "no classes yet")


def console(args) -> int:
    from edge.console.server import Console

    try:
        cfg = edge_config.load(args.instance)
        Console(cfg).run_forever()
    except (edge_config.ConfigError, FileNotFoundError) as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


def _command(parent, name: str, func, help_text: str, *arguments: tuple[tuple, dict]) -> None:
    parser = parent.add_parser(name, help=help_text)
    for names, options in arguments:
        parser.add_argument(*names, **options)
    parser.add_argument("--instance", required=True)
    parser.set_defaults(func=func)


def register(sub) -> None:
    """Add the console's commands to `throughgate edge`."""
    staff = sub.add_parser("staff", help="staff accounts for the console (tutor, manager, it)")
    ssub = staff.add_subparsers(dest="staff_command", required=True, metavar="ACTION")
    _command(ssub, "add", staff_add, "add a member of staff (or set their password and role); the password "
             "from a prompt or standard input", (("username",), {}),
             (("--role",), {"required": True, "choices": accounts.ROLES}),
             (("--class",), {"dest": "klass", "action": "append", "help": "a class this tutor teaches (repeatable)"}))
    _command(ssub, "list", staff_list, "staff accounts, roles and classes")

    classes = sub.add_parser("classes", help="classes: their learners and tutors")
    csub = classes.add_subparsers(dest="classes_command", required=True, metavar="ACTION")
    _command(csub, "add", classes_add, "add a class", (("name",), {}))
    _command(csub, "assign", classes_assign, "put learners (pseudonymous ids) and tutors in a class",
             (("name",), {}), (("--learner",), {"action": "append", "help": "a learner id (repeatable)"}),
             (("--tutor",), {"action": "append", "help": "a tutor's user name (repeatable)"}))
    _command(csub, "list", classes_list, "classes with their tutors and learners")
    _command(sub, "console", console, "run the staff console (HTTPS on [console] host and port)")
