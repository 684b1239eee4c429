"""crm.xlsx, the one cell writer of every workbook: text that a spreadsheet would run as a
formula (= + - @, tab, CR) stays text and reads back unchanged; everything else is untouched."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.http import HttpResponse
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


# --- the house style (issue 14, build 4) ---------------------------------------------------------


def _saved(wb):
    buffer = BytesIO()
    wb.save(buffer)
    return load_workbook(BytesIO(buffer.getvalue()))


@pytest.mark.parametrize(
    ("value", "width"),
    [
        ("abc", 3),
        ("华东销售部", 10),
        ("Ａ1", 3),
        ("第一行\nsecond line", 11),
        (None, 0),
        (date(2026, 11, 30), 10),
        (1234, 4),
        (Decimal("38600"), 5),
    ],
)
def test_text_width_counts_east_asian_characters_double(value, width):
    assert xlsx.text_width(value) == width


def test_money_is_measured_as_shown():
    assert xlsx.text_width(Decimal("38600"), xlsx.MONEY_FORMAT) == len("38,600.00")


@pytest.mark.parametrize("write_only", [True, False], ids=["write-only", "normal"])
def test_table_has_a_bold_frozen_filtered_header_and_widths_by_content(write_only):
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("表") if write_only else wb.active
    table = xlsx.Table(ws, ["名称", "金额", "备注"], formats={1: xlsx.MONEY_FORMAT})
    table.append(["上海华东贸易有限公司", Decimal("38600"), "长" * 100])
    table.append(["=1+1", Decimal("-12.5"), ""])
    table.append(["只列出前 2 行。" * 10], font=xlsx.NOTE_FONT, measure=False)
    table.close()
    ws = _saved(wb).worksheets[0]
    assert [c.value for c in ws[1]] == ["名称", "金额", "备注"]
    assert all(c.font.b and c.fill.fgColor.rgb.endswith("DDE5F0") for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:C4"
    widths = [ws.column_dimensions[letter].width for letter in "ABC"]
    assert widths == [22, 11, xlsx.MAX_WIDTH], "CJK double, a margin, capped; notes ignored"
    assert ws["B2"].number_format == xlsx.MONEY_FORMAT and ws["B2"].data_type == "n"
    assert ws["A3"].data_type == "s" and ws["A3"].quotePrefix, "formula guard still applies"
    assert ws["A4"].font.i and not ws["A2"].font.i


def test_a_streamed_table_measures_only_its_first_rows(monkeypatch):
    monkeypatch.setattr(xlsx, "SAMPLE_ROWS", 2)
    wb = Workbook(write_only=True)
    table = xlsx.Table(wb.create_sheet("x"), ["Name"])
    for text in ["a" * 12, "b", "c" * 40]:  # the third row comes after the widths are set
        table.append([text])
    table.close()
    ws = _saved(wb).active
    assert ws.column_dimensions["A"].width == 14
    assert ws.auto_filter.ref == "A1:A4" and ws["A4"].value == "c" * 40


def test_dropdown_offers_the_cells_of_another_sheet():
    wb = Workbook()
    values = wb.create_sheet("可填写的值")
    for label in ["是", "否"]:
        values.append([label])
    source = xlsx.sheet_range(values, 1, 1, 2)
    xlsx.dropdown(wb.active, 3, source, first_row=2, last_row=10, prompt="请选择")
    [validation] = _saved(wb).active.data_validations.dataValidation
    assert validation.type == "list" and str(validation.sqref) == "C2:C10"
    assert validation.formula1 == "'可填写的值'!$A$1:$A$2"
    assert validation.allow_blank and validation.prompt == "请选择"


def test_file_name_header_follows_rfc_6266_with_an_ascii_fallback():
    name = xlsx.FileName(name="客户档案导出-2026-11-30.xlsx", fallback="customers-2026-11-30.xlsx")
    assert name.header() == (
        'attachment; filename="customers-2026-11-30.xlsx"; '
        "filename*=UTF-8''%E5%AE%A2%E6%88%B7%E6%A1%A3%E6%A1%88%E5%AF%BC%E5%87%BA-2026-11-30.xlsx"
    )
    response = xlsx.attach(HttpResponse(), name)
    assert response["Content-Disposition"] == name.header()


@pytest.mark.parametrize(
    ("unsafe", "fallback"),
    [('a"b\\c/d.xlsx', "a_b_c_d.xlsx"), ("重复.xlsx", "download.xlsx"), ("Café.xlsx", "Cafe.xlsx")],
)
def test_header_cannot_be_broken_by_the_name(unsafe, fallback):
    header = xlsx.FileName(name=unsafe, fallback=unsafe).header()
    assert f'filename="{fallback}"' in header
    assert header.count('"') == 2 and "/" not in header.split("filename*=")[1]
