"""`throughgate PART ...`: each part (hub, edge, tablet, ...) registers its own subcommands."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from wire.schema import SchemaError

PARTS = ("hub.cli", "edge.cli", "edge.box.cli", "tablet.cli", "throughgate.demo")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="throughgate", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log at debug level")
    parts = parser.add_subparsers(dest="part", required=True, metavar="PART")
    for module in PARTS:
        importlib.import_module(module).register(parts)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    try:
        return args.func(args) or 0
    except KeyboardInterrupt:
        return 130
    except SchemaError as exc:  # a database this code cannot use (e.g. written by a newer release): say what to do
        print(exc, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
