"""Migrations of outbox.sqlite (tablet.outbox): m<NNNN>_<what_it_changes>.py, each with up(db)."""
