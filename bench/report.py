"""The table people read and the one JSON line machines read (always the last line of stdout)."""

from __future__ import annotations

import json

RELAY_TARGET = 0.7  # relay / broker-only, at least
STORM_TARGET_S = 30.0  # seconds for the storm, at most
WIRE_TARGET = 0.25  # uplink bytes / raw record JSON bytes, at most


def summary(results: dict, run_seconds: float) -> dict:
    broker, relay, storm, uplink = (results.get(name) for name in ("broker", "relay", "storm", "uplink"))
    broker_per_s = broker and broker["per_s"]
    relay_per_s = relay and relay["per_s"]
    sqlite = uplink and uplink["sqlite"]
    postgres = uplink and uplink["postgres"]
    return {
        "relay_per_s": _round(relay_per_s),
        "broker_per_s": _round(broker_per_s),
        "relay_vs_broker": _round(relay_per_s / broker_per_s, 3) if relay_per_s and broker_per_s else None,
        "relay_p99_ms": _round(relay and relay["p99_ms"], 1),
        "storm_records": storm and storm["acked"],
        "storm_records_expected": storm and storm["records"],
        "storm_complete": storm and storm["complete"],
        "storm_seconds": _round(storm and storm["seconds"], 2),
        "storm_timeout_s": storm and storm["timeout_s"],
        "storm_p99_ms": _round(storm and storm["p99_ms"], 1),
        "storm_edge_committed": storm and storm["committed_when_stopped"],
        "storm_edge_all_committed_s": _round(storm and storm["edge_all_committed_s"], 1),
        "wire_bytes_ratio": _round(uplink and uplink["wire_bytes_ratio"], 4),
        "hub_ingest_sqlite_per_s": _round(sqlite and sqlite["per_s"]),
        "hub_ingest_postgres_per_s": _round(postgres and postgres["per_s"]),
        "run_seconds": round(run_seconds, 1),
        "failed_phases": [name for name, value in results.items() if value is None],
    }


def _absent(results: dict, name: str) -> str:
    """Why a phase has no figures: it failed, or `--only` left it out."""
    return "  failed (see stderr)" if name in results else "  not run (--only)"


def table(results: dict, figures: dict) -> str:
    broker, relay, storm, uplink = (results.get(name) for name in ("broker", "relay", "storm", "uplink"))
    rows: list[tuple[str, str, str, str]] = []

    def row(what: str, value: str, target: str = "", verdict: str = "") -> None:
        rows.append((what, value, target, verdict))

    row("1 BROKER ONLY (Mosquitto, edge config)", "")
    if broker:
        row(f"  QoS 1 messages/s, 1 publisher -> 1 idle subscriber ({broker['messages']:,})",
            f"{broker['per_s']:,.0f}/s")
        row("  mean record size", f"{broker['mean_record_bytes']:.0f} B")
        row("  CPU s: broker", f"{broker['broker_cpu_s']:.1f}")
    else:
        row(_absent(results, "broker"), "-")
    row("2 RELAY (tablet -> Mosquitto -> edge commit -> ack on tablet)", "")
    if relay:
        row(f"  records/s committed and acked, 1 tablet ({relay['records']:,})", f"{relay['per_s']:,.0f}/s")
        row("  relay / broker only", _fmt(figures["relay_vs_broker"], "{:.2f}"), f">= {RELAY_TARGET}",
            _verdict(figures["relay_vs_broker"], RELAY_TARGET, at_least=True))
        row("  submit-to-ack p50 / p99", f"{relay['p50_ms']:.0f} / {relay['p99_ms']:.0f} ms")
        row("  CPU s: edge / broker / tablet", _cpu(relay["cpu_s"], ("edge", "broker", "tablet")))
    else:
        row(_absent(results, "relay"), "-")
    row("3 RECONNECT STORM (all connect at once, outboxes full)", "")
    if storm:
        row(f"  {storm['sessions']:,} tablets x {storm['per_session']} records in {storm['workers']} processes",
            f"{storm['records']:,}")
        if storm["complete"]:
            row("  seconds until all committed and acked", f"{storm['seconds']:.1f} s", f"<= {STORM_TARGET_S:.0f} s",
                _verdict(storm["seconds"], STORM_TARGET_S, at_least=False))
        else:
            row(f"  acked on the tablets when the {storm['timeout_s']:.0f} s timeout ended it",
                f"{storm['acked']:,}", f"<= {STORM_TARGET_S:.0f} s", "MISS")
        row("  committed at the edge by then", f"{storm['committed_when_stopped'] or 0:,}")
        row("  edge had committed every record after", _fmt(storm["edge_all_committed_s"], "{:.1f} s"))
        row("  submit-to-ack p50 / p99 (first publish -> ack; acked ones)",
            f"{_fmt(storm['p50_ms'], '{:,.0f}')} / {_fmt(storm['p99_ms'], '{:,.0f}')} ms")
        row("  MQTT publishes (resends included)", f"{storm['publishes']:,}")
        row("  CPU s: edge / broker / tablets", _cpu(storm["cpu_s"], ("edge", "broker", "tablets")))
    else:
        row(_absent(results, "storm"), "-")
    row("4 UPLINK (sealed batches, HTTP POST via counting proxy)", "")
    if uplink:
        row(f"  raw record JSON ({uplink['records']:,} records)", f"{uplink['raw_bytes_per_record']:.0f} B/record")
        row("  bytes on the wire towards the hub", f"{uplink['wire_bytes_per_record']:.1f} B/record")
        row("  wire / raw JSON", f"{uplink['wire_bytes_ratio']:.3f}", f"<= {WIRE_TARGET}",
            _verdict(uplink["wire_bytes_ratio"], WIRE_TARGET, at_least=False))
        for name in ("sqlite", "postgres"):
            hub = uplink[name]
            row(f"  hub ingest, {'SQLite' if name == 'sqlite' else 'PostgreSQL'} (HTTP, 1 edge, sequential)",
                f"{hub['per_s']:,.0f} records/s" if hub else "null (no PostgreSQL)")
    else:
        row(_absent(results, "uplink"), "-")
    width = max(len(r[0]) for r in rows) + 2
    value_width = max(len(r[1]) for r in rows) + 2
    lines = [f"{'':{width}}{'value':>{value_width}}  target   result", "-" * (width + value_width + 18)]
    lines += [f"{what:{width}}{value:>{value_width}}  {target:8} {verdict}".rstrip() for what, value, target, verdict
              in rows]
    lines.append(f"total run time {figures['run_seconds']:.0f} s")
    return "\n".join(lines)


def json_line(figures: dict) -> str:
    return json.dumps(figures, separators=(", ", ": "))


def _round(value, digits: int = 0):
    if value is None:
        return None
    return round(value, digits) if digits else round(value)


def _fmt(value, pattern: str) -> str:
    return "-" if value is None else pattern.format(value)


def _verdict(value, target: float, at_least: bool) -> str:
    if value is None:
        return "MISS"
    return "ok" if (value >= target if at_least else value <= target) else "MISS"


def _cpu(cpu: dict, names: tuple[str, ...]) -> str:
    return " / ".join(f"{cpu.get(name, 0):.1f}" for name in names)
