"""A request the hub refuses, raised by service functions (no Flask in them) and answered by
hub/errors.py as JSON {"error": code, "reason": what to do} with its HTTP status."""

from __future__ import annotations


class Refused(Exception):
    def __init__(self, status: int, code: str, reason: str, **extra):
        super().__init__(f"{code}: {reason}")
        self.status = status
        self.code = code
        self.reason = reason
        self.extra = extra

    def body(self) -> dict:
        return {"error": self.code, "reason": self.reason, **self.extra}
