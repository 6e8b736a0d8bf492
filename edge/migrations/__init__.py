"""The edge store's schema versions: numbered migrations (m0001_baseline.py, …) run by wire.schema.

edge.store.open_store applies the pending ones (the relay, the uplink and every command that writes);
`throughgate edge migrate --instance DIR` applies them on its own, or with --dry-run lists them. A
store made before versions were recorded is adopted at version 0: m0001 brings any earlier release's
store to the baseline. A store newer than this code is refused (wire.schema.SchemaTooNew) and left as it is.
"""

from __future__ import annotations

import functools

from wire import schema


@functools.cache
def migrations() -> tuple[schema.Migration, ...]:
    return schema.load(__name__)


def edge_schema(path: str) -> schema.Schema:
    """The edge store at `path` (named so in every message), with this package's migrations."""
    return schema.Schema(f"edge store at {path}", migrations())
