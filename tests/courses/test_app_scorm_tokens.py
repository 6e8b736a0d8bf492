"""The content origin's capability tokens (provisioning/capability.py): a course file's URL opens only the course
version it was made for, for one learner, until it expires, and only if this edge made it."""

from __future__ import annotations

import base64
import json
import os

import pytest

from provisioning import capability

KEY = bytes(range(32))
NOW = 1_800_000_000


def _mint(**overrides):
    args = {"learner": "L-0042", "device": "tab-0000", "course": "intro-maths", "version": 2, "now": NOW} | overrides
    return capability.mint(KEY, **args)


def test_a_token_opens_its_course_version_for_its_learner_until_it_expires():
    token, expires = _mint()
    assert expires == NOW + capability.TTL_S
    grant = capability.verify(KEY, token, now=expires - 1, course="intro-maths", version=2, learner="L-0042")
    assert grant == capability.Grant("L-0042", "tab-0000", "intro-maths", 2, expires)


def test_an_expired_token_is_refused_and_says_to_open_the_course_again():
    token, expires = _mint()
    with pytest.raises(capability.TokenError) as refused:
        capability.verify(KEY, token, now=expires)
    assert refused.value.code == "token_expired" and "open the course again" in refused.value.reason


def test_a_token_made_for_another_learner_is_refused():
    token, _ = _mint(learner="L-0001")
    with pytest.raises(capability.TokenError) as refused:
        capability.verify(KEY, token, now=NOW, learner="L-0042")
    assert refused.value.code == "token_other_learner"


def test_a_token_for_another_course_or_version_is_refused():
    token, _ = _mint()
    for other in ({"course": "english-2"}, {"version": 1}):
        with pytest.raises(capability.TokenError) as refused:
            capability.verify(KEY, token, now=NOW, **other)
        assert refused.value.code == "token_other_course"


def _payload(token: str) -> dict:
    encoded = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))


def _with_payload(token: str, fields: dict) -> str:
    body = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(body).rstrip(b"=").decode() + "." + token.split(".")[1]


@pytest.mark.parametrize("change", [{"l": "L-0001"}, {"e": NOW + 10 * capability.TTL_S}, {"c": "english-2"},
                                    {"v": 3}])
def test_a_tampered_token_is_refused(change):
    """The payload is readable (nothing in it is secret) but any change breaks its HMAC."""
    token, _ = _mint()
    forged = _with_payload(token, _payload(token) | change)
    with pytest.raises(capability.TokenError) as refused:
        capability.verify(KEY, forged, now=NOW)
    assert refused.value.code == "token_forged"


def test_a_token_another_edge_made_is_refused():
    token, _ = capability.mint(os.urandom(32), learner="L-0042", device="tab-0000", course="intro-maths", version=2,
                               now=NOW)
    with pytest.raises(capability.TokenError) as refused:
        capability.verify(KEY, token, now=NOW)
    assert refused.value.code == "token_forged"


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "!!!.???", "x" * 2000 + ".y", None])
def test_a_damaged_token_is_refused_not_an_error(token):
    with pytest.raises(capability.TokenError) as refused:
        capability.verify(KEY, token, now=NOW)
    assert refused.value.code in ("token_malformed", "token_forged")


@pytest.mark.parametrize("learner", ["", "L 0042", "L/0042", "x" * 65, "L-\u00e9"])
def test_a_token_is_made_only_for_a_learner_id(learner):
    with pytest.raises(capability.TokenError):
        _mint(learner=learner)


def test_the_key_is_made_once_private_and_kept(tmp_path):
    key = capability.load_key(tmp_path)
    assert len(key) == 32 and capability.load_key(tmp_path) == key
    assert (tmp_path / capability.KEY_FILE).stat().st_mode & 0o777 == 0o600
