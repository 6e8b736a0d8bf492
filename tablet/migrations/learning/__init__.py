"""Migrations of learning.sqlite (tablet.learning): m<NNNN>_<what_it_changes>.py, each with up(db)."""
