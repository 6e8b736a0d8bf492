"""A tablet bound to its learner, against the real relay, Mosquitto and the reference tablet client:
its record for another learner is refused with learner_mismatch and the next is acked; an unbound
tablet still sends as anyone."""

from __future__ import annotations

from edge import config as edge_config
from edge import identity, store
from edge.tablets import registry as tablets
from provisioning import pki
from tablet.client import TabletClient
from tablet.outbox import Outbox
from wire.records import timestamp


def _bind(stack, tablet, learner: str) -> None:
    """Re-enrol the tablet with a code naming its learner (staff: `edge tablets code DEVICE --learner L`)."""
    cfg = edge_config.load(stack.edge_dir)
    store.open_store(str(cfg.db_path))
    try:
        code, _ = tablets.create_code(tablet.device, 60, learner=learner)
        issued = tablets.redeem(code, tablet.device, tablet.csr_pem(tablet.device), identity.EdgeFiles(stack.edge_dir),
                                cfg.tablets.cert_days)
    finally:
        store.db.close()
    cert = issued.certificate
    tablet.save_certificate(pki.cert_to_pem(cert).decode(), timestamp(pki.renew_after(cert)))


def _send(stack, tablet, records: list[tuple[str, str]]) -> tuple[Outbox, TabletClient, list]:
    outbox = Outbox(str(tablet.outbox_path))
    made = [outbox.add("message", learner, {"text": text}) for learner, text in records]
    client = TabletClient(tablet, "127.0.0.1", stack.mqtt_port, outbox).start()
    try:
        assert client.wait_flushed(30), outbox.counts()
    finally:
        client.stop()
    return outbox, client, made


def test_a_bound_tablet_is_refused_for_another_learner_and_its_next_record_is_acked(stack_factory):
    stack = stack_factory()
    stack.start_broker()
    bound, unbound = stack.add_devices(2).values()
    _bind(stack, bound, "L-0042")
    stack.start_edge()

    outbox, client, (theirs, other, theirs_again) = _send(
        stack, bound, [("L-0042", "mine"), ("L-0099", "posing as a neighbour"), ("L-0042", "mine again")])
    (error,) = client.errors
    assert (error["code"], error["id"]) == ("learner_mismatch", other.id)
    assert "bound to learner L-0042" in error["reason"] and "L-0099" in error["reason"]
    assert set(outbox.ids("acked")) == {theirs.id, theirs_again.id}
    assert [(rid, reason.split(":")[0]) for rid, _, reason in outbox.rejections()] == [(other.id, "learner_mismatch")]
    outbox.close()

    outbox, client, made = _send(stack, unbound, [("L-0099", "anyone"), ("L-0042", "anyone else")])
    assert client.errors == [] and set(outbox.ids("acked")) == {record.id for record in made}
    outbox.close()

    assert stack.edge.running
    status = stack.edge_status()
    assert status["received"] == 4  # the refused record was not stored; nothing else was lost
