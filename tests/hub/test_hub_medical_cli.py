"""`throughgate hub health ...` on a fresh hub: a release summary from the project's own builder is
imported once (again: nothing new), a broken one is refused with one line per problem and exit 2, the
summary shows in plain words with the read recorded as the operator's, the hub key rotates and retires
with the summary still readable, retention counts, and erasure leaves nothing to show."""

from __future__ import annotations

import copy
import json
import re

import pytest

from hub import db
from hub.audit import trail
from hub.medical import keys
from wire.ips_build import EXAMPLE_FACTS, release_summary


@pytest.fixture
def hub(hub_cli_fresh, tmp_path):
    code, out, _ = hub_cli_fresh("people", "add")
    assert code == 0
    hub_cli_fresh.person = out.split()[0]
    bundle = release_summary(EXAMPLE_FACTS, hub_cli_fresh.person, "2026-12-14T09:30:00+00:00")
    (tmp_path / "summary.json").write_text(json.dumps(bundle))
    broken = copy.deepcopy(bundle)
    composition = broken["entry"][0]["resource"]
    composition["section"] = [s for s in composition["section"] if s["code"]["coding"][0]["code"] != "48765-2"]
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    hub_cli_fresh.files = tmp_path
    return hub_cli_fresh


def test_an_operator_imports_reads_rotates_and_erases_a_health_summary(hub):
    person, summary, broken = hub.person, str(hub.files / "summary.json"), str(hub.files / "broken.json")
    code, out, _ = hub("health", "import", "--person", person, summary)
    assert code == 0 and out.startswith(f"Stored the health summary of {person} as record ")
    record = re.search(r"record (\S+) ", out).group(1)
    code, out, _ = hub("health", "import", "--person", person, summary)
    assert code == 0 and out.startswith(f"Already stored: this is the health summary of {person} as record {record}")

    code, out, err = hub("health", "import", "--person", person, broken)
    assert code == 2 and out == ""
    assert err.splitlines()[0].startswith("error: ") and "nothing was stored" in err.splitlines()[0]
    assert re.fullmatch(r"Composition/\S+  Composition\.section  the required section Allergies and Intolerances "
                        r"\(LOINC 48765-2\) is missing.*", err.splitlines()[1])

    code, out, _ = hub("health", "show", "--person", person, "--purpose", "release_planning")
    assert code == 0 and "Sertraline 50 mg tablets: 50 mg once a day" in out and "WARNING: Your tolerance" in out
    code, out, _ = hub("health", "reads", "--person", person)
    assert code == 0 and re.search(r"cli:\S+ +host +cli +summary +Planning care on release", out)

    code, out, err = hub("health", "rotate-key")
    assert code == 0 and "Hub health key 2 is current; 1 person key(s) rewrapped" in out
    assert "rewrapped 1 of 1 person key(s)" in err
    code, out, _ = hub("health", "rotate-key", "--retire-old")
    assert code == 0 and "retired: 1." in out
    assert sorted(keys.hub_keys(hub.instance).keys) == [2]
    code, out, _ = hub("health", "show", "--person", person, "--purpose", "direct_care")
    assert code == 0 and "Sertraline 50 mg tablets" in out

    code, out, _ = hub("health", "retention", "--dry-run")
    assert code == 0 and out.startswith("Due for deletion: 0 health record(s), 0 share link(s), 0 read record(s).")
    code, out, _ = hub("health", "erase", "--person", person)
    assert code == 0 and f"Erased the health records of {person} (1 record(s)) and their key" in out
    code, out, _ = hub("health", "show", "--person", person, "--purpose", "direct_care")
    assert code == 0 and out == f"{person} has no health summary at this hub.\n"

    hub.app()
    with db.connected():
        actions = [(entry["action"], entry["outcome"]) for entry in trail.entries()]
    assert actions.count(("health.import", "ok")) == 2 and ("health.import", "failed") in actions
    assert {"health.read", "health.keys", "health.retention", "health.erase"} <= {a for a, _ in actions}


def test_an_unknown_person_or_file_is_refused_saying_what_to_do(hub):
    code, _, err = hub("health", "import", "--person", "P-ZZZZ-ZZZZ", str(hub.files / "summary.json"))
    assert code == 1 and "no person 'P-ZZZZ-ZZZZ' at this hub" in err
    code, _, err = hub("health", "import", "--person", hub.person, str(hub.files / "missing.json"))
    assert code == 1 and "cannot read" in err and "check the path" in err
