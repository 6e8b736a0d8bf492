"""The hub's key files and the public document edges load."""

from __future__ import annotations

import json
import stat

import pytest

from hub import keys
from wire import keys as wire_keys
from wire import receipts


def test_generated_key_files_are_private_to_their_owner(tmp_path):
    keys.generate(tmp_path / "s.pem", tmp_path / "r.pem")
    for name in ("s.pem", "r.pem"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600


def test_generate_never_replaces_an_existing_key(tmp_path):
    keys.generate(tmp_path / "s.pem", tmp_path / "r.pem")
    before = (tmp_path / "s.pem").read_bytes()
    with pytest.raises(keys.KeyFileError, match="already exists"):
        keys.generate(tmp_path / "s.pem", tmp_path / "other.pem")
    assert (tmp_path / "s.pem").read_bytes() == before
    assert not (tmp_path / "other.pem").exists()


def test_loaded_keys_are_the_generated_ones(tmp_path):
    made = keys.generate(tmp_path / "s.pem", tmp_path / "r.pem")
    loaded = keys.load(tmp_path / "s.pem", tmp_path / "r.pem")
    assert loaded.public_document() == made.public_document()


def test_public_document_round_trips_and_verifies_receipts(tmp_path):
    hub_keys = keys.generate(tmp_path / "s.pem", tmp_path / "r.pem")
    document = json.loads(json.dumps(hub_keys.public_document()))
    assert set(document) == {"sealing_key", "sealing_key_id", "receipt_key"}
    assert "PRIVATE" not in document["sealing_key"] + document["receipt_key"]
    public = wire_keys.HubPublicKeys.from_document(json.dumps(document))
    assert public.sealing.id == document["sealing_key_id"] == hub_keys.sealing_key_id
    receipt = receipts.sign_receipt({"batch": "b", "digest": "d"}, hub_keys.signing)
    assert receipts.verify_receipt(receipt, public.receipt, "b", "d")["batch"] == "b"


def test_public_document_with_a_wrong_key_id_is_refused(tmp_path):
    document = keys.generate(tmp_path / "s.pem", tmp_path / "r.pem").public_document()
    with pytest.raises(ValueError, match="does not match"):
        wire_keys.HubPublicKeys.from_document(document | {"sealing_key_id": "0" * 16})


def test_missing_key_file_says_to_run_init(tmp_path):
    with pytest.raises(keys.KeyFileError, match=f"run `throughgate hub init --instance {tmp_path}`"):
        keys.load(tmp_path / "sealing_key.pem", tmp_path / "receipt_key.pem")


def test_unreadable_key_file_says_to_restore_it(tmp_path):
    keys.generate(tmp_path / "s.pem", tmp_path / "r.pem")
    (tmp_path / "bad.pem").write_text("not a key")
    with pytest.raises(keys.KeyFileError, match="restore it from backup"):
        keys.load(tmp_path / "bad.pem", tmp_path / "r.pem")
