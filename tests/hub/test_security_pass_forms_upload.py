"""Security pass: a small XLSForm must not take the hub's memory when it is published.

Publishing (/work/forms/publish, `throughgate hub forms publish`) read each sheet with openpyxl's iter_rows,
which makes a cell object for every column up to the sheet's last one, in every row: a 7 KB workbook with one
cell in column XFD (16,384) of row 400 took 39 s and 2.1 GB of the hub's memory, and at row 2,000 (the rows
the hub allows) about 10 GB, so a team manager's upload, or a workbook someone handed them, could take the hub
down. Now a sheet wider than MAX_COLUMNS or longer than MAX_ROWS is refused, saying which, before its rows are
read."""

from __future__ import annotations

import io
import subprocess
import sys

import openpyxl
import pytest
from formkit import xlsform

from hub.forms import xlsform as reader


def _wide(row: int, column: int, sheet: str = "survey") -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(xlsform("wide", "1")))
    target = workbook[sheet] if sheet in workbook.sheetnames else workbook.create_sheet(sheet)
    target.cell(row, column, "x")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_workbook_with_a_cell_far_to_the_right_is_refused_at_once():
    data = _wide(400, 16384)
    assert len(data) < 10_000
    script = ("import sys\nfrom hub.forms import xlsform as reader\n"
              "try:\n    reader.read(sys.stdin.buffer.read())\n"
              "except reader.FormRefused as refused:\n    print(refused.problems[0])\n")
    try:
        ran = subprocess.run([sys.executable, "-c", script], input=data, capture_output=True, timeout=15,
                             check=True)
    except subprocess.TimeoutExpired:
        pytest.fail("reading a 7 KB workbook was still running after 15 s")
    assert b"columns" in ran.stdout and b"16384" in ran.stdout, ran.stdout


@pytest.mark.parametrize(("row", "column", "sheet"), [(reader.MAX_ROWS + 5, 1, "choices"),
                                                       (2, reader.MAX_COLUMNS + 1, "notes")])
def test_a_sheet_too_long_or_too_wide_is_refused_naming_it(row, column, sheet):
    with pytest.raises(reader.FormRefused) as refused:
        reader.read(_wide(row, column, sheet))
    assert f"the {sheet} sheet" in refused.value.problems[0], refused.value.problems


def test_a_form_of_ordinary_size_is_published():
    assert reader.read(_wide(40, 30)).fields
