"""The spine end to end with real processes: tablets -> Mosquitto -> edge -> hub."""

from __future__ import annotations

from tablet.fleet import Fleet
from tests.spine.checks import assert_exactly_once
from tests.spine.waiting import hub_has


def test_every_record_reaches_the_hub_exactly_once(stack, tmp_path):
    devices = stack.add_devices(5)
    fleet = Fleet(devices, tmp_path / "tablets", "127.0.0.1", stack.mqtt_port)
    fleet.queue(100)
    fleet.start()
    assert fleet.wait_flushed(60), "tablets still hold unacknowledged records"
    result = fleet.stop()
    assert result.acked == 500 and result.rejected == 0
    records = hub_has(stack, 500)
    assert_exactly_once(result.submitted, records)
    status = stack.edge_status()
    assert status["received"] == 500 and status["records_waiting"] == 0
