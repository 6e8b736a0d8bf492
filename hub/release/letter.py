"""The release letter, as the hub prints it: provisioning/letter.py, shared with the edge console (which
prints the letter at the moment of release, even while the hub is away)."""

from provisioning.letter import (  # noqa: F401 (the hub's names for the shared letter)
    FONTS,
    QR_LABEL,
    QR_MM,
    Block,
    Letter,
    LetterError,
    blocks,
    html,
    pdf,
    when,
)
