"""Activation codes are limited against guessing per code, not only per address (hub/people/service.py
MAX_CODE_TRIES), through the real POST /v1/phone/activate on SQLite and PostgreSQL: a code's first 4
characters are its public code id, and every wrong code with that id counts against it from whatever
address it came. Five withdraw it and the person's right code is then refused saying to ask their worker
for a new code; four do not. A code made at the edge carries its code id and is counted the same; an
older edge's record without one still registers. The per-address limit still holds."""

from __future__ import annotations

import datetime as dt
import json
import secrets

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from hubkit import post_batch

from hub.people import service as people
from hub.people.models import ActivationCode
from provisioning import signatures
from provisioning.tokens import CROCKFORD, digest, new_enrolment_code
from wire.records import RecordError, new_record, timestamp
from wire.release import check_release

URL = "http://localhost/v1/phone/activate"


def _activate(client, code: str, address: str = "192.0.2.1"):
    """POST /v1/phone/activate as a phone with a new key would, from `address`: (status, answer)."""
    key = ed25519.Ed25519PrivateKey.generate()
    body = json.dumps({"code": code, "key": signatures.public_jwk(key.public_key()), "label": "phone"}).encode()
    headers = {"Content-Type": "application/json", **signatures.sign("POST", URL, {}, body, key)}
    answer = client.post("/v1/phone/activate", data=body, headers=headers, environ_base={"REMOTE_ADDR": address})
    return answer.status_code, answer.get_json()


def _wrong_codes(code: str, n: int) -> list[str]:
    """n wrong codes with the same first 4 characters (its code id) as `code`."""
    found: set[str] = set()
    while len(found) < n:
        raw = "".join(secrets.choice(CROCKFORD) for _ in range(8))
        guess = f"{code[:4]}-{raw[:4]}-{raw[4:]}"
        if guess != code:
            found.add(guess)
    return sorted(found)


def _released(by: str = "olivia") -> tuple[str, str]:
    person = people.add("test")
    _person, code, _row = people.release(person.person_id, by, 7)
    return person.person_id, code


def test_five_wrong_codes_with_its_id_from_five_addresses_withdraw_a_code_and_the_right_one_says_ask_your_worker(
        app, client):
    person, code = _released()
    refused = [_activate(client, guess, f"198.51.100.{n}") for n, guess in enumerate(_wrong_codes(code, 5))]
    assert [(status, answer["error"]) for status, answer in refused] == [(401, "code_unknown")] * 5
    row = ActivationCode.get(ActivationCode.code_sha256 == digest(code))
    assert (row.code_id, row.wrong_tries) == (code[:4], 5) and row.withdrawn_at is not None
    status, answer = _activate(client, code, "203.0.113.9")  # the person, from an address of their own
    assert (status, answer["error"]) == (410, "code_guessed")
    assert "ask your worker for a new code" in answer["reason"]
    new, _row = people.issue_code(person, "olivia", 7)  # the worker gives a new code: it works
    status, answer = _activate(client, new, "203.0.113.9")
    assert (status, answer["person"]) == (201, person)


def test_four_wrong_tries_then_the_right_code_still_works(app, client):
    person, code = _released()
    for guess in _wrong_codes(code, 4):
        assert _activate(client, guess)[0] == 401
    status, answer = _activate(client, code)
    assert (status, answer["person"]) == (201, person)


def test_a_wrong_code_counts_only_against_working_codes_with_its_id(app, client):
    _alex, alex_code = _released()
    _sam, sam_code = _released()
    while sam_code[:4] == alex_code[:4]:
        _sam, sam_code = _released()
    for n, guess in enumerate(_wrong_codes(alex_code, 5)):
        _activate(client, guess, f"198.51.100.{n}")
    sam = ActivationCode.get(ActivationCode.code_sha256 == digest(sam_code))
    assert (sam.wrong_tries, sam.withdrawn_at) == (0, None)
    assert _activate(client, sam_code)[0] == 201
    # a used code is no longer counted: it cannot be withdrawn afterwards
    assert ActivationCode.get(ActivationCode.code_sha256 == digest(sam_code)).used_at is not None
    for n, guess in enumerate(_wrong_codes(sam_code, 5)):
        _activate(client, guess, f"198.51.101.{n}")
    sam = ActivationCode.get(ActivationCode.code_sha256 == digest(sam_code))
    assert (sam.wrong_tries, sam.withdrawn_at) == (0, None)


def _release_record(learner: str, code: str, with_code_id: bool) -> dict:
    issued = dt.datetime.now(dt.UTC)
    payload = {"code_sha256": digest(code), "issued_at": timestamp(issued),
               "expires_at": timestamp(issued + dt.timedelta(days=7)), "issued_by": "mary"}
    if with_code_id:
        payload["code_id"] = code[:4]
    return new_record("release", learner, 1, payload).to_dict() | {"device": "console", "received": timestamp()}


def test_a_code_made_at_the_edge_carries_its_code_id_and_is_counted_too(app, client, edge):
    person = people.add("test").person_id
    people.link(person, edge.edge_id, "L-0042")
    code = new_enrolment_code()
    assert post_batch(client, edge, edge.seal([_release_record("L-0042", code, True)])).status_code == 200
    assert ActivationCode.get(ActivationCode.code_sha256 == digest(code)).code_id == code[:4]
    for n, guess in enumerate(_wrong_codes(code, 5)):
        assert _activate(client, guess, f"198.51.100.{n}")[0] == 401
    status, answer = _activate(client, code)
    assert (status, answer["error"]) == (410, "code_guessed")


def test_an_older_edges_release_without_a_code_id_still_registers_and_works(app, client, edge):
    person = people.add("test").person_id
    people.link(person, edge.edge_id, "L-0042")
    code = new_enrolment_code()
    assert post_batch(client, edge, edge.seal([_release_record("L-0042", code, False)])).status_code == 200
    assert ActivationCode.get(ActivationCode.code_sha256 == digest(code)).code_id is None
    for n, guess in enumerate(_wrong_codes(code, 5)):  # no code id: limited per address only
        _activate(client, guess, f"198.51.100.{n}")
    status, answer = _activate(client, code)
    assert (status, answer["person"]) == (201, person)


def test_a_release_payloads_code_id_is_optional_and_four_crockford_characters():
    payload = {"code_sha256": "a" * 64, "issued_at": "2026-12-01T10:00:00.000Z",
               "expires_at": "2026-12-08T10:00:00.000Z", "issued_by": "mary"}
    check_release(payload)
    check_release(payload | {"code_id": "7K2M"})
    for bad in ("7k2m", "7K2", "7K2MQ", "7K2U", 1234):
        with pytest.raises(RecordError) as refused:
            check_release(payload | {"code_id": bad})
        assert "code_id" in refused.value.args[0] or "code_id" in str(refused.value)


def test_the_per_address_limit_still_holds(app, client):
    _person, code = _released()
    answers = [_activate(client, guess, "192.0.2.7") for guess in ("0000-0000-0001", "1111-0000-0001",
                                                                    "2222-0000-0001", "3333-0000-0001",
                                                                    "4444-0000-0001", "5555-0000-0001")]
    assert [(status, answer["error"]) for status, answer in answers] == [(401, "code_unknown")] * 5 + [
        (429, "too_many_tries")]
    assert _activate(client, code, "192.0.2.7")[0] == 429
    assert _activate(client, code, "192.0.2.8")[0] == 201  # the person's own address is not held up
