"""Observers: what other parts of the edge keep from the records the relay commits, in the same commit.

The relay knows nothing of the console or the course cache. Each part that needs received records
gives the relay an observer (edge/service.py makes the list):

    prepare(rows)   outside the write lock: pick and read (parse JSON, work out columns) what it keeps
                    from the rows the relay is about to commit; returns anything, or None for nothing
    write(prepared) inside the relay's transaction, after the rows are inserted: store what prepare made

So a record's copies exist exactly when the record committed: a commit that fails leaves none of them,
and the slow part (parsing) never holds the store's write lock. `rows` are the relay's row dicts
(edge.store.RECEIVED_COLUMNS: id, device, seq, kind, priority, learner, created, received, size, body).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from edge import store
from edge.attachments import store as attachments_store


class Observer(Protocol):
    name: str

    def prepare(self, rows: Sequence[dict]) -> Any: ...

    def write(self, prepared: Any) -> None: ...


def prepare_all(observers: Sequence[Observer], rows: Sequence[dict]) -> list[tuple[Observer, Any]]:
    """Each observer's share of rows, read before the lock (observers with nothing to keep are left out)."""
    prepared = []
    for observer in observers:
        share = observer.prepare(rows)
        if share is not None:
            prepared.append((observer, share))
    return prepared


def commit(rows: list[dict], observers: Sequence[Observer], attachment_uses: Sequence[tuple[str, str]] = (),
           prepared: list[tuple[Observer, Any]] | None = None) -> None:
    """Insert rows and what the observers keep of them, in one transaction (as the relay commits).
    prepared: what prepare_all already made outside the lock (else it is made here, before the lock)."""
    if prepared is None:
        prepared = prepare_all(observers, rows)
    with store.writing():
        write_all(rows, prepared, attachment_uses)


def write_all(rows: list[dict], prepared: list[tuple[Observer, Any]],
              attachment_uses: Sequence[tuple[str, str]] = ()) -> None:
    """The inside of the relay's transaction: the records, the attachments they name, the observers' shares."""
    store.insert_received(rows)
    attachments_store.link(list(attachment_uses))
    for observer, share in prepared:
        observer.write(share)
