"""`python -m edge.box.apconf TEMPLATE SECRET_FILE OUT`: the box's access-point hostapd.conf
(rendered with a placeholder) written to OUT (0600) with the edge's RADIUS secret in its place.
Run by throughgate-hostapd-ap.service before each start; the secret never enters a command line."""

from __future__ import annotations

import sys
from pathlib import Path

from edge.box.render import fill_secret
from provisioning.files import write_private


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    template, secret_file, out = (Path(a) for a in args)
    try:
        text = fill_secret(template.read_text(), secret_file.read_text().strip())
    except (OSError, ValueError) as exc:
        print(f"edge.box.apconf: {exc}", file=sys.stderr)
        return 1
    write_private(out, text.encode(), replace=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
