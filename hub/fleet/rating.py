"""How well an edge is: red, amber or green, with the reasons, from its last report and the hub's clock. Pure.

Red (someone should act today):
- silent: no report for more than EDGE_SILENT_AFTER_S (or none at all since it enrolled that long ago);
- an alarm in RED_ALARMS (the CRL or the edge's certificate running out, the outbox full, the store unwritable);
- a certificate or the CRL past, or within EXPIRY_RED_DAYS of, its end;
- free disk under DISK_RED_FRACTION of the disk.
Amber (look this week):
- no report yet (enrolled less than EDGE_SILENT_AFTER_S ago);
- any other alarm;
- the oldest record waiting in the outbox older than BACKLOG_AMBER_S, or the backlog grown at each of the
  last GROWING_REPORTS reports;
- the clock more than CLOCK_SKEW_AMBER_S off the hub's;
- a certificate or the CRL within EXPIRY_AMBER_DAYS of its end;
- free disk under DISK_AMBER_FRACTION;
- a course whose sync errored.
Green: none of these. A revoked edge is rated `revoked` and listed last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

RED, AMBER, GREEN, REVOKED = "red", "amber", "green", "revoked"
ORDER = {RED: 0, AMBER: 1, GREEN: 2, REVOKED: 3}

RED_ALARMS = frozenset({"crl_expiring", "edge_cert_expiring", "quota_reached", "relay_commit_failed"})
EXPIRY_RED_DAYS = 3
EXPIRY_AMBER_DAYS = 7  # the edge renews its certificate with 10 days left, re-issues its CRL daily (14 days)
DISK_RED_FRACTION = 0.05
DISK_AMBER_FRACTION = 0.15
BACKLOG_AMBER_S = 3600
GROWING_REPORTS = 3
CLOCK_SKEW_AMBER_S = 60
CERTIFICATE_NAMES = {"edge_client": "the edge's client certificate", "server": "the edge's server certificate",
                     "tablet_ca": "the tablet CA", "crl": "the tablet CRL"}


@dataclass(frozen=True)
class Rating:
    colour: str
    reasons: tuple[str, ...] = ()


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def age(since: str, now: datetime) -> str:
    """'3 d 4 h', '2 h 5 min', '40 s': how long ago, for people."""
    seconds = max(0, int((now - _at(since)).total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min" if minutes else f"{secs} s"


def _expiries(certificates: dict, now: datetime, red: list[str], amber: list[str]) -> None:
    for key, end in certificates.items():
        if end is None:
            continue
        left = _at(end) - now
        what = CERTIFICATE_NAMES.get(key, key)
        if left <= timedelta(0):
            red.append(f"{what} ran out at {end}")
        elif left < timedelta(days=EXPIRY_RED_DAYS):
            red.append(f"{what} runs out at {end}")
        elif left < timedelta(days=EXPIRY_AMBER_DAYS):
            amber.append(f"{what} runs out at {end}")


def _disk(disk: dict, red: list[str], amber: list[str]) -> None:
    if not disk["total_bytes"]:
        return
    share = disk["free_bytes"] / disk["total_bytes"]
    line = f"disk {share:.0%} free ({disk['free_bytes'] // 2**20} MiB)"
    if share < DISK_RED_FRACTION:
        red.append(line)
    elif share < DISK_AMBER_FRACTION:
        amber.append(line)


def _backlog(outbox: dict, backlog: list[int], now: datetime, amber: list[str]) -> None:
    if outbox["oldest"] and (now - _at(outbox["oldest"])).total_seconds() > BACKLOG_AMBER_S:
        amber.append(f"{outbox['records']} records waiting, the oldest for {age(outbox['oldest'], now)}")
    recent = backlog[-(GROWING_REPORTS + 1):]
    if len(recent) > GROWING_REPORTS and all(a < b for a, b in zip(recent, recent[1:], strict=False)):
        amber.append(f"backlog growing at each of the last {GROWING_REPORTS} reports ({recent[0]} to {recent[-1]})")


def _from_report(report: dict, backlog: list[int], now: datetime) -> tuple[list[str], list[str]]:
    red: list[str] = []
    amber: list[str] = []
    for alarm in report["alarms"]:
        (red if alarm["code"] in RED_ALARMS else amber).append(f"alarm {alarm['code']}")
    _expiries(report["certificates"], now, red, amber)
    _disk(report["disk"], red, amber)
    _backlog(report["outbox"], backlog, now, amber)
    skew = report["clock_skew_s"]
    if skew is not None and abs(skew) > CLOCK_SKEW_AMBER_S:
        amber.append(f"clock {skew:+.0f} s off the hub's")
    amber.extend(f"course {c['course']} sync errored" for c in report["courses"] if c["status"] == "errored")
    return red, amber


def rate(*, revoked: bool, enrolled_at: str, received_at: str | None, report: dict | None, backlog: list[int],
         now: datetime, silent_after_s: float) -> Rating:
    """The edge's rating. received_at/report: its last report (None: none yet); backlog: the records waiting
    in its recent reports, oldest first; silent_after_s: EDGE_SILENT_AFTER_S."""
    if revoked:
        return Rating(REVOKED)
    red: list[str] = []
    amber: list[str] = []
    silent_since = received_at or enrolled_at
    if (now - _at(silent_since)).total_seconds() > silent_after_s:
        red.append(f"silent for {age(silent_since, now)}" + ("" if received_at else ": no report since it enrolled"))
    elif received_at is None:
        amber.append("no report yet")
    if report is not None:
        more_red, more_amber = _from_report(report, backlog, now)
        red += more_red
        amber += more_amber
    if red:
        return Rating(RED, tuple(red + amber))
    return Rating(AMBER, tuple(amber)) if amber else Rating(GREEN)


def worst_first(rated: list[tuple[str, Rating]]) -> list[tuple[str, Rating]]:
    """(edge id, rating) pairs: red, then amber, then green, then revoked; by edge id within each."""
    return sorted(rated, key=lambda pair: (ORDER[pair[1].colour], pair[0]))
