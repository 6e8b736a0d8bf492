"""The audit trail: every admin action (API and CLI), append-only and hash-chained.

chain.py holds the rules (canonical encoding, entry hash, verification: pure); trail.py writes and
reads the table (hub/audit/models.py).
"""
