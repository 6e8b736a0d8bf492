"""The spine end to end with real processes: tablets -> Mosquitto -> edge -> hub."""

from __future__ import annotations

import time

from tablet.fleet import Fleet
from tests.spine.checks import assert_exactly_once


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def test_every_record_reaches_the_hub_exactly_once(stack, tmp_path):
    devices = stack.add_devices(5)
    fleet = Fleet(devices, tmp_path / "tablets", "127.0.0.1", stack.broker_port)
    fleet.queue(100)
    fleet.start()
    assert fleet.wait_flushed(60), "tablets still hold unacknowledged records"
    result = fleet.stop()
    assert result.acked == 500 and result.rejected == 0
    records = wait_for(lambda: (r := stack.hub_records()) and len(r) >= 500 and r, 60, "500 records at the hub")
    assert_exactly_once(result.submitted, records)
    status = stack.edge_status()
    assert status["received"] == 500 and status["records_waiting"] == 0
