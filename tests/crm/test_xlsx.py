"""crm.xlsx, the one cell writer of every workbook: text that a spreadsheet would run as a
formula (= + - @, tab, CR) stays text and reads back unchanged; everything else is untouched."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from crm import xlsx

RISKY = [
    '=HYPERLINK("http://evil.example","点我")',
    "+86 138 0000 0000",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


def _round_trip(values, *, write_only: bool, font=None):
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("x") if write_only else wb.active
    xlsx.append(ws, values, font=font)
    buffer = BytesIO()
    wb.save(buffer)
    return list(load_workbook(BytesIO(buffer.getvalue())).worksheets[0][1])


@pytest.mark.parametrize("write_only", [True, False], ids=["write-only", "normal"])
def test_formula_like_text_reads_back_as_the_same_text(write_only):
    cells = _round_trip(RISKY, write_only=write_only)
    # XML itself reads a carriage return back as a line feed; the text is otherwise unchanged.
    assert [c.value for c in cells] == [text.replace("\r", "\n") for text in RISKY]
    assert {c.data_type for c in cells} == {"s"}, "no cell is a live formula"
    assert all(c.quotePrefix for c in cells), "editing the cell keeps it text"


@pytest.mark.parametrize("write_only", [True, False], ids=["write-only", "normal"])
def test_numbers_dates_and_plain_text_stay_what_they_are(write_only):
    values = [-300, Decimal("-12.50"), 1.5, date(2026, 10, 1), "华东销售部", "", None, True]
    cells = _round_trip(values, write_only=write_only)
    assert [c.data_type for c in cells[:3]] == ["n", "n", "n"]
    assert cells[0].value == -300 and cells[1].value == -12.5
    assert cells[3].is_date and cells[3].value.date() == date(2026, 10, 1)
    assert cells[4].value == "华东销售部" and not cells[4].quotePrefix
    assert cells[7].value is True


def test_control_characters_are_dropped_and_lazy_text_is_written():
    cells = _round_trip(["甲\x00乙\x1b", gettext_lazy("Yes")], write_only=True)
    assert cells[0].value == "甲乙"
    assert cells[1].value in ("是", "Yes")


def test_a_header_font_applies_to_risky_and_plain_cells():
    cells = _round_trip(["=x", "名称", 3], write_only=False, font=Font(bold=True))
    assert [c.font.b for c in cells] == [True, True, True]
    assert cells[0].data_type == "s" and cells[0].value == "=x"
