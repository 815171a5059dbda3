"""Text made safe to store and to hand on: spreadsheet cells that never run as formulas."""

from hypothesis import given
from hypothesis import strategies as st

from agmtool.text import FORMULA_STARTS, from_spreadsheet_cell, spreadsheet_cell


@given(st.text())
def test_a_spreadsheet_cell_never_starts_a_formula(value):
    cell = spreadsheet_cell(value)
    assert not cell.startswith(FORMULA_STARTS)
    assert cell in (value, "'" + value)


@given(st.text())
def test_a_spreadsheet_cell_reads_back_as_it_was(value):
    assert from_spreadsheet_cell(spreadsheet_cell(value)) == value
