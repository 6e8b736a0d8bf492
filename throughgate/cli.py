"""`throughgate PART ...`: each part (hub, edge, tablet, ...) registers its own subcommands."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from wire.schema import SchemaError
from wire.settings import SettingsError

PARTS = ("hub.cli", "edge.cli", "edge.box.cli", "tablet.cli", "phone.cli", "throughgate.demo")
PART_MODULES = {"hub": "hub.cli", "edge": "edge.cli", "box": "edge.box.cli", "tablet": "tablet.cli",
                "phone": "phone.cli", "demo": "throughgate.demo"}
"""The module each part's commands come from: `throughgate edge ...` imports only edge.cli (the hub's
modules take about 0.3 s to import; tests start the command line hundreds of times)."""
EXIT_BROKEN_PIPE = 141
"""What a shell reports for a command killed by SIGPIPE (128 + 13): `| head` stopped reading."""


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser: with argv (a command line), only the part it names, when it names one; every part
    without argv, for `throughgate --help`, or for a part misspelt, so argparse can list them."""
    parser = argparse.ArgumentParser(prog="throughgate", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log at debug level")
    parts = parser.add_subparsers(dest="part", required=True, metavar="PART")
    words = [word for word in argv or () if not word.startswith("-")]
    named = PART_MODULES.get(words[0]) if words else None
    for module in (named,) if named else PARTS:
        importlib.import_module(module).register(parts)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        argv = sys.argv[1:] if argv is None else argv
        args = build_parser(argv).parse_args(argv)
        logging.basicConfig(
            level=logging.DEBUG if args.verbose else logging.INFO,
            format="%(asctime)s %(name)s %(levelname)s %(message)s",
            stream=sys.stderr,
        )
        code = args.func(args) or 0
        sys.stdout.flush()  # a reader that went away shows here, not as a traceback at exit
        return code
    except KeyboardInterrupt:
        return 130
    except SettingsError as exc:  # edge.toml or a site file refused at load: the message names the file and key
        print(exc, file=sys.stderr)
        return 2
    except SchemaError as exc:  # a database this code cannot use (e.g. written by a newer release): say what to do
        print(exc, file=sys.stderr)
        return 1
    except BrokenPipeError:
        return reader_gone()


def reader_gone() -> int:
    """The reader of our output stopped reading (`throughgate hub records --json | head`): stop quietly,
    as command-line tools do on SIGPIPE. Python would otherwise flush stdout again at exit and print a
    second BrokenPipeError, so stdout is pointed at /dev/null first."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
