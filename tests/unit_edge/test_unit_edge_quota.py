"""edge.intake.quota: room left in the outbox, from what was measured plus what was added since."""

from __future__ import annotations

from edge.intake.quota import Quota


class Disk:
    """What the store would report: bytes held."""

    def __init__(self, held: int = 0):
        self.held = held

    def measure(self) -> int:
        return self.held


def test_new_quota_has_the_whole_limit_as_room_until_measured():
    quota = Quota(1000, Disk(400).measure)

    assert (quota.used, quota.room()) == (0, 1000)


def test_refresh_measures_what_the_store_holds():
    disk = Disk(400)
    quota = Quota(1000, disk.measure)

    assert quota.refresh() == 400
    assert (quota.used, quota.room()) == (400, 600)


def test_added_bytes_use_up_room_until_the_next_refresh():
    disk = Disk(400)
    quota = Quota(1000, disk.measure)
    quota.refresh()

    quota.add(250)
    quota.add(50)
    assert quota.room() == 300

    disk.held = 100  # sealing and delivery freed space
    quota.refresh()
    assert quota.room() == 900


def test_room_is_never_negative_when_more_is_held_than_the_limit():
    quota = Quota(1000, Disk(1500).measure)
    quota.refresh()

    assert quota.room() == 0
    quota.add(10)
    assert quota.room() == 0 and quota.used == 1510
