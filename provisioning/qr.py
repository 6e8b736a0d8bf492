"""QR codes for enrolment offers, with segno (ISO/IEC 18004): as text for a terminal and as SVG
for the staff console. Error correction M survives a scuffed or glare-struck screen."""

from __future__ import annotations

import io

import segno


def qr_text(data: str) -> str:
    """The QR code drawn with block characters, for a terminal (dark modules on a light screen)."""
    buffer = io.StringIO()
    segno.make(data, error="m", micro=False).terminal(out=buffer, compact=True)
    return buffer.getvalue()


def qr_svg(data: str, scale: int = 4) -> str:
    buffer = io.BytesIO()
    segno.make(data, error="m", micro=False).save(buffer, kind="svg", scale=scale, xmldecl=False)
    return buffer.getvalue().decode()
