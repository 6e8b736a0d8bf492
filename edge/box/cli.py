"""`throughgate box ...`: render a site file into the box's configuration, and check it with the real tools."""

from __future__ import annotations

import sys
from pathlib import Path

from edge.box import check, render, site


def render_cmd(args) -> int:
    try:
        parsed = site.load(args.site)
    except site.SiteError as exc:
        print(exc, file=sys.stderr)
        return 2
    out = Path(args.out)
    files = render.render(parsed, str(args.site))
    for name, text in sorted(files.items()):
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    print(f"{len(files)} files for site {parsed.site_id} written to {out}: {', '.join(sorted(files))}")
    return 0


def check_cmd(args) -> int:
    try:
        problems = check.check(args.dir)
    except check.CheckError as exc:
        print(f"box check could not run: {exc}", file=sys.stderr)
        return 3
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {args.dir}", file=sys.stderr)
        return 1
    print(f"{args.dir}: dnsmasq --test, nft -c, the Mosquitto and hostapd start tests: all passed")
    return 0


def register(parts) -> None:
    box = parts.add_parser("box", help="the box's own configuration (firmware-config)")
    sub = box.add_subparsers(dest="command", required=True, metavar="COMMAND")
    cmd = sub.add_parser("render", help="render a site file into hostapd, dnsmasq, nftables, Mosquitto and "
                                        "systemd files")
    cmd.add_argument("--site", required=True, help="the site file (TOML; see firmware-config/README.md)")
    cmd.add_argument("--out", required=True, help="the folder to write into")
    cmd.set_defaults(func=render_cmd)
    cmd = sub.add_parser("check", help="check rendered files with dnsmasq, nft, mosquitto and hostapd (root)")
    cmd.add_argument("dir", help="a folder `box render` wrote")
    cmd.set_defaults(func=check_cmd)
