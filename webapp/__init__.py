"""The person's app as built (app/ in the repository, built by `make` with esbuild into webapp/dist/):
static files that the edge serves to tablets and the hub to phones. Python here only finds them; the
app's source and its build are in app/ (docs/app.md)."""

from __future__ import annotations

from pathlib import Path

DIST = Path(__file__).resolve().parent / "dist"
NOT_BUILT = ("the person's app is not built (webapp/dist is missing): run `make deps` in the source tree, or install "
             "a throughgate wheel built by make")


def built() -> bool:
    return (DIST / "asset-manifest.json").is_file()
