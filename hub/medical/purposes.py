"""Why someone reads a person's health summary. A worker picks one before the contents are shown, and
it goes into the read's health_read row, which the person sees on their phone: the reason is for them
to read, so it is in plain words."""

from __future__ import annotations

PURPOSES = {
    "direct_care": "Direct care",
    "release_planning": "Planning care on release",
    "medicines": "Checking medicines",
    "person_asked": "The person asked me to",
}


def label(purpose: str) -> str:
    """The purpose in words, as kept and shown (a key of PURPOSES, or already words: the phone, a share)."""
    return PURPOSES.get(purpose, purpose)
