"""Pruning forgets only what the hub confirmed long enough ago."""

from __future__ import annotations

from edge import store


def _batch(batch_id: str, seq: int, state: str, delivered: str | None) -> None:
    store.OutBatch.create(id=batch_id, seq=seq, priority=1, count=1, size=10, digest="0" * 64,
                          envelope=None if state == "delivered" else b"x", created="2026-01-01T00:00:00.000Z",
                          state=state, delivered=delivered)
    store.Received.create(id=f"00000000-0000-4000-8000-{seq:012d}", device="tab-1", seq=seq, kind="message",
                          priority=0, learner="L-1", created="2026-01-01T00:00:00Z",
                          received="2026-01-01T00:00:00.000Z", size=10, body=None, batch=batch_id)


def test_prune_forgets_old_delivered_batches_and_their_ids_but_nothing_waiting(tmp_path):
    database = store.open_store(str(tmp_path / "edge.db"))
    try:
        _batch("old", 1, "delivered", "2026-01-01T00:00:00.000Z")
        _batch("recent", 2, "delivered", "2026-11-25T00:00:00.000Z")
        _batch("waiting", 3, "sealed", None)
        assert store.prune("2026-11-01T00:00:00.000Z") == (1, 1)
        assert sorted(b.id for b in store.OutBatch.select()) == ["recent", "waiting"]
        assert sorted(r.batch for r in store.Received.select()) == ["recent", "waiting"]
    finally:
        database.close()
