"""Learners' names (edge.learners): one set and cleared, a CSV import (UTF-8 with or without BOM, commas or
semicolons, common header spellings) all or nothing, with each refused line's number and what to fix, the limits,
hostile text kept plain, and the `throughgate edge learners` commands."""

from __future__ import annotations

import logging
import subprocess

import pytest
from storekit import CLI, ROOT

from edge import store
from edge.learners import csvimport, names


@pytest.fixture
def db(tmp_path):
    store.open_store(str(tmp_path / "edge.db"))
    yield
    store.db.close()


def _kept() -> dict:
    return {row.learner: (row.name, row.prison_number) for row in names.listing()}


GOOD = "Learner ID,Name,Prison Number\nL-0042,Ada Lovelace,A1234BC\nL-0107,Grace Hopper,\n"


def test_a_good_file_imports_every_row_and_a_second_import_says_what_changed(db):
    assert csvimport.apply(GOOD.encode(), by="manager1").summary == "2 new, 0 changed, 0 unchanged, 0 refused"
    assert _kept() == {"L-0042": ("Ada Lovelace", "A1234BC"), "L-0107": ("Grace Hopper", "")}

    again = csvimport.preview(b"learner,name\nL-0042,Ada King\nL-0107,Grace Hopper\nL-0200,Alan Turing\n")
    assert [(r.learner, r.state, r.before) for r in again.rows] == [
        ("L-0042", "changed", "Ada Lovelace"), ("L-0107", "unchanged", ""), ("L-0200", "new", "")]


def test_a_bom_semicolons_and_other_header_spellings_are_read(db):
    data = "\ufeffFull name;Prison No.;learner_id\r\nZoë Ó Briain;b9876cd;L-0042\r\n".encode()
    csvimport.apply(data, by="manager1")
    assert _kept() == {"L-0042": ("Zoë Ó Briain", "B9876CD")}
    csvimport.apply(b"learner;name;prison number\nL-0042;Zo\xc3\xab O'Brien;\n", by="manager1")
    assert _kept() == {"L-0042": ("Zoë O'Brien", "B9876CD")}  # an empty cell keeps the prison number


def test_one_bad_line_is_refused_with_its_number_and_nothing_is_imported(db):
    names.set_name("L-0001", "Kept As Is", by="manager1")
    data = b"learner id,name\nL-0042,Ada Lovelace\nnot an id!,Someone\nL-0107,\nL-0042,Again\n"
    result = csvimport.apply(data, by="manager1")
    assert [(r.line, r.state) for r in result.refused] == [(3, "refused"), (4, "refused"), (5, "refused")]
    assert "is not a learner id" in result.refused[0].problem
    assert "the name is empty" in result.refused[1].problem
    assert "on line 2 too" in result.refused[2].problem
    assert _kept() == {"L-0001": ("Kept As Is", "")}


@pytest.mark.parametrize(("data", "says"), [
    (b"name,prison number\nAda,A1\n", "no column is the learner"),
    ("learner,name\nL-1,Ada\n".encode("utf-16"), "not UTF-8"),
    (b"learner,name\n" + b"".join(b"L-%d,Name %d\n" % (n, n) for n in range(csvimport.MAX_ROWS + 1)),
     f"more than {csvimport.MAX_ROWS} learners"),
    (b"learner,name\n" + b"x" * csvimport.MAX_BYTES, "at most 2 MiB"),
    (b"", "the file is empty"),
])
def test_a_file_that_cannot_be_read_is_refused_saying_what_to_fix(db, data, says):
    with pytest.raises(csvimport.ImportRefused, match=says):
        csvimport.apply(data, by="manager1")
    assert _kept() == {}


def test_hostile_text_is_kept_plain_and_a_name_too_long_is_refused(db):
    data = ("learner,name\nL-0042,\"\u202eevil\u202c \x1b[31mAda\x07\"\nL-0107,=HYPERLINK(\"x\")\n"
            f"L-0200,{'A' * 101}\n").encode()
    result = csvimport.preview(data)
    assert [(r.name, r.state) for r in result.rows[:2]] == [("evil [31mAda", "new"), ('=HYPERLINK("x")', "new")]
    assert result.rows[2].state == "refused" and "at most 100" in result.rows[2].problem


def test_setting_a_name_logs_who_and_whose_but_never_the_name(db, caplog):
    with caplog.at_level(logging.INFO, logger="edge.learners"):
        names.set_name("L-0042", "Ada Lovelace", by="manager1")
        assert names.clear_name("L-0042", by="manager1")
    assert "L-0042" in caplog.text and "manager1" in caplog.text
    assert "Ada" not in caplog.text
    assert _kept() == {}


def _edge(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60, cwd=ROOT, input=stdin)


def test_the_learners_commands_set_import_and_list_names(instance, tmp_path):
    done = _edge("learners", "set", "L-0042", "--name", "Ada Lovelace", "--prison-number", "A1234BC",
                 "--instance", str(instance))
    assert (done.returncode, done.stdout) == (0, "learner L-0042: Ada Lovelace, prison number A1234BC\n")

    bad = tmp_path / "bad.csv"
    bad.write_text("learner,name\nL-0107,Grace Hopper\nL-0200,\n")
    refused = _edge("learners", "import", str(bad), "--instance", str(instance))
    assert refused.returncode == 1
    assert "line 3: the name is empty" in refused.stderr and "nothing was changed" in refused.stderr

    good = tmp_path / "good.csv"
    good.write_text("learner;name\nL-0107;Grace Hopper\nL-0042;Ada Lovelace\n")
    dry = _edge("learners", "import", str(good), "--dry-run", "--instance", str(instance))
    assert dry.stdout == "would import: 1 new, 0 changed, 1 unchanged, 0 refused\n"
    assert _edge("learners", "import", str(good), "--instance", str(instance)).stdout == (
        "imported: 1 new, 0 changed, 1 unchanged, 0 refused\n")

    listed = _edge("learners", "list", "--instance", str(instance)).stdout.splitlines()
    assert listed[0].split() == ["learner", "prison", "no", "updated", "name"]
    assert [line.split()[:2] + line.split()[3:] for line in listed[1:]] == [
        ["L-0042", "A1234BC", "Ada", "Lovelace"], ["L-0107", "-", "Grace", "Hopper"]]
