"""Plain-text tables for the hub's commands. Every cell is printed through wire.text.for_terminal:
a course title or any other text from outside cannot send escape sequences to the terminal."""

from __future__ import annotations

from wire.text import for_terminal


def table(headers: list[str], rows: list[list]) -> str:
    cells = [[str(h) for h in headers]] + [["-" if v is None else for_terminal(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in cells]
    return "\n".join(lines)


def records_table(records: list[dict]) -> str:
    headers = ["CURSOR", "RECEIVED AT HUB", "EDGE", "DEVICE", "LEARNER", "KIND", "SEQ", "ID"]
    return table(headers, [[r["cursor"], r["received_at_hub"], r["edge"], r["device"], r["learner"],
                            r["kind"], r["seq"], r["id"]] for r in records])


def summary_text(summary: dict) -> str:
    parts = [f"{summary['total']} records"]
    for title, key in (("EDGE", "by_edge"), ("LEARNER", "by_learner"), ("KIND", "by_kind")):
        parts.append(table([title, "RECORDS"], [[name, n] for name, n in summary[key].items()]))
    return "\n\n".join(parts)


def edges_table(edges) -> str:
    return table(["EDGE", "STATUS", "CERTIFICATE UNTIL", "SIGNING KEYS", "ENROLLED", "REVOKED"],
                 [[e.edge_id, e.status, e.cert_not_after, ",".join(e.key_ids) or None, e.enrolled_at, e.revoked_at]
                  for e in edges])


def tokens_table(tokens, now: str) -> str:
    def state(t) -> str:
        if t.used_at:
            return f"used {t.used_at}"
        return t.state(now)

    return table(["TOKEN ID", "EDGE", "CREATED", "EXPIRES", "STATE"],
                 [[t.token_id, t.edge_id, t.created, t.expires, state(t)] for t in tokens])
