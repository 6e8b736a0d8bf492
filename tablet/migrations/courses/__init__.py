"""Migrations of courses.sqlite (tablet.courses): m<NNNN>_<what_it_changes>.py, each with up(db)."""
