"""`throughgate hub workers caseload add --name` and `remove`, run in-process through the hub's parser on
a real instance: names kept with the caseload, refusals that say what to do, nothing in clear on disk."""

from __future__ import annotations


def test_the_cli_keeps_a_name_with_the_caseload_and_says_when_it_is_gone(hub_cli_fresh, tmp_path):
    hub = hub_cli_fresh
    assert hub("workers", "add", "dewi", "--role", "offender_manager")[0] == 0
    person = hub("people", "add")[1].strip()
    code, _out, err = hub("workers", "caseload", "add", "dewi", person, "--prison-number", "A1234BC")
    assert code == 1 and "add --name too" in err
    code, _out, err = hub("workers", "caseload", "add", "dewi", person, "--name", "Sam\x1b[2JJones")
    assert code == 1 and "plain text, on one line" in err
    code, out, _ = hub("workers", "caseload", "add", "dewi", person, "--name", "Sam Jones", "--prison-number",
                       "a1234bc")
    assert code == 0
    assert out.strip() == f"{person} is in dewi's caseload. Their name is kept for the workers who see them."
    assert "Sam Jones" not in hub("audit", "export")[1]  # the trail says names were set, never which

    code, out, _ = hub("workers", "caseload", "remove", "dewi", person)
    assert code == 0 and "the hub no longer keeps their name" in out
    assert "Sam" not in (tmp_path / "hub.db").read_bytes().decode("latin-1")

