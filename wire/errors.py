"""The shape every refusal on the wire shares: a stable, machine-readable `code` and a `reason` for
people; str() is "code: reason"."""

from __future__ import annotations


class CodedError(ValueError):
    """Base of wire's refusals (wire.batches.BatchError, wire.courses.ManifestError, wire.records.RecordError)."""

    def __init__(self, code: str, reason: str):
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason
