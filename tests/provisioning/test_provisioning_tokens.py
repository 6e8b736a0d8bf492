"""Bootstrap tokens and tablet enrolment codes: formats, parsing and what a typo gets back."""

from __future__ import annotations

import pytest

from provisioning import qr, tokens


def test_bootstrap_token_round_trips_and_stores_only_a_digest():
    token = tokens.new_bootstrap_token()
    parsed = tokens.parse_bootstrap_token(f"  {token}\n")
    assert parsed == token
    stored = tokens.digest(token.secret)
    assert token.secret not in stored and tokens.same(token.secret, stored)
    assert not tokens.same(token.secret + "x", stored)


@pytest.mark.parametrize("text", ["", "tgb1.1234.abc", "tgb2.deadbeef." + "a" * 43, "tgb1.deadbeef." + "a" * 42])
def test_malformed_bootstrap_token_says_what_it_should_look_like(text):
    with pytest.raises(tokens.TokenError, match="tgb1"):
        tokens.parse_bootstrap_token(text)


def test_enrolment_code_is_typeable_and_forgiving():
    code = tokens.new_enrolment_code()
    assert len(code) == 14 and code.count("-") == 2
    assert not set(code) & set("ILOU")
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert tokens.normalise_code(typed) == code


@pytest.mark.parametrize("text", ["ABCD-EFGH-JKM", "ABCD-EFGH-JKMN-P", "ABCD-EFGH-JKM!"])
def test_malformed_enrolment_code_is_refused_with_a_reason(text):
    with pytest.raises(tokens.TokenError, match="12 letters"):
        tokens.normalise_code(text)


def test_enrolment_offer_survives_its_qr_uri():
    offer = tokens.EnrolmentOffer("edge-1", "tab-0001", tokens.new_enrolment_code(), "https://10.1.0.1:8443", "ab" * 32)
    assert tokens.parse_offer(offer.to_uri()) == offer
    assert "█" in qr.qr_text(offer.to_uri()) and qr.qr_svg(offer.to_uri()).startswith("<svg")


def test_offer_without_a_ca_pin_is_refused():
    with pytest.raises(tokens.TokenError, match="ca"):
        tokens.parse_offer("throughgate-enrol:?edge=e&device=d&code=ABCD-EFGH-JKMN&url=https://x")


def test_activation_offer_survives_its_qr_link_and_forgives_a_lower_case_code():
    offer = tokens.ActivationOffer("https://hub.example.org:8443", tokens.new_enrolment_code(), "cd" * 32)
    link = offer.to_link()
    assert link == f"https://hub.example.org:8443/app/#/activate?code={offer.code}&ca={'cd' * 32}"
    assert tokens.parse_activation_offer(link) == offer
    typed = link.replace(offer.code, offer.code.lower().replace("-", ""))
    assert tokens.parse_activation_offer(typed) == offer


def test_an_old_letters_activation_offer_is_still_read():
    offer = tokens.ActivationOffer("https://hub.example.org:8443", tokens.new_enrolment_code(), "cd" * 32)
    assert offer.to_uri().startswith("throughgate-activate:?hub=https")
    assert tokens.parse_activation_offer(offer.to_uri()) == offer


@pytest.mark.parametrize(("uri", "says"), [
    ("throughgate-enrol:?hub=https://h&code=ABCD-EFGH-JKMN&ca=" + "ab" * 32, "scan the square on your release letter"),
    ("https://h/?code=ABCD-EFGH-JKMN", "scan the square"),
    ("https://h/app/#/messages?code=ABCD-EFGH-JKMN&ca=" + "ab" * 32, "scan the square"),
    ("https://h/app/?x=1#/activate?code=ABCD-EFGH-JKMN&ca=" + "ab" * 32, "scan the square"),
    ("https://h/app/#/activate?code=ABCD-EFGH-JKMN", "lacks ca: type the code from your letter"),
    ("http://h/app/#/activate?code=ABCD-EFGH-JKMN&ca=" + "ab" * 32, "must start with https://"),
    ("https://h/app/#/activate?code=ABCD-EFGH-JKM&ca=" + "ab" * 32, "12 letters and digits"),
    ("throughgate-activate:?code=ABCD-EFGH-JKMN", "lacks hub, ca: type the code from your letter"),
    ("throughgate-activate:?hub=http://h&code=ABCD-EFGH-JKMN&ca=" + "ab" * 32, "must start with https://"),
    ("throughgate-activate:?hub=https://&code=ABCD-EFGH-JKMN&ca=" + "ab" * 32, "name a host"),
    ("throughgate-activate:?hub=https://h&code=ABCD-EFGH-JKMN&ca=" + "AB" * 32, "64 hex digits"),
    ("throughgate-activate:?hub=https://h&code=ABCD-EFGH-JKM&ca=" + "ab" * 32, "12 letters and digits"),
])
def test_broken_activation_qr_code_is_refused_saying_what_to_do(uri, says):
    with pytest.raises(tokens.TokenError, match=says) as refused:
        tokens.parse_activation_offer(uri)
    assert "enrolment" not in str(refused.value)
