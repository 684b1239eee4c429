"""The payroll month export (penalties.excel; SPEC §7): a reason typed as a formula stays text
(issue 12, defect 7), the sums stay numbers, and the export is logged (SPEC §9)."""

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from crm.xlsx import MONEY_FORMAT, text_width
from customers.models import ExportLog
from penalties.services import ledger_confirm
from tests.factories import ledger_entry

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SH)
EXPORT = reverse("penalties:month_export")
REASONS = [
    '=HYPERLINK("http://evil.example","工资单")',
    "+1 记录",
    "-迟交",
    "@张三 核实",
]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def entries(org):
    made = []
    for reason in REASONS:
        entry = ledger_entry(
            org.manager_a, org.sales_a, "GRABBING", now=NOW, on=date(2026, 11, 19), reason=reason
        )
        ledger_confirm(actor=org.manager_a, entry=entry, now=NOW)
        made.append(entry)
    return made


def _book(client):
    response = client.get(EXPORT, {"month": "2026-11"})
    assert response.status_code == 200
    return load_workbook(BytesIO(response.content))


def test_formula_like_reasons_read_back_as_the_same_text(org, login, entries):
    book = _book(login(org.gm))
    lines = book.worksheets[2]
    column = [cell.value for cell in lines[1]].index(_("Reason"))
    reasons = [row[column] for row in lines.iter_rows(min_row=2)]
    assert sorted(c.value for c in reasons) == sorted(REASONS)
    assert all(c.data_type == "s" and c.quotePrefix for c in reasons)
    for sheet in book.worksheets:
        assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row), sheet.title


def test_sums_stay_numbers(org, login, entries):
    by_person = _book(login(org.gm)).worksheets[1]
    total = [row[-2] for row in by_person.iter_rows(min_row=2)]
    assert [c.data_type for c in total] == ["n"]
    assert Decimal(str(total[0].value)) == 4 * entries[0].amount


def test_the_payroll_export_is_logged(org, login, entries):
    _book(login(org.manager_a))
    entry = ExportLog.objects.get()
    assert (entry.actor, entry.list_name, entry.filters, entry.rows, entry.at) == (
        org.manager_a,
        "ledger_month",
        "month=2026-11",
        4,
        NOW,
    )


def test_every_sheet_is_laid_out_with_money_formatted(org, login, entries):
    """Issue 14, build 4: bold frozen header, a filter, widths by content, ¥ amounts with
    thousands separators; named in the viewer's language with an ASCII fallback."""
    client = login(org.gm)
    response = client.get(EXPORT, {"month": "2026-11"})
    book = load_workbook(BytesIO(response.content))
    by_department, by_person, lines = book.worksheets
    for sheet, rows in ((by_department, 1), (by_person, 1), (lines, len(REASONS))):
        header = sheet[1]
        assert all(c.font.b for c in header), sheet.title
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(header))}{rows + 1}"
        widths = [
            sheet.column_dimensions[get_column_letter(i)].width for i in range(1, len(header) + 1)
        ]
        assert all(w and w > 8.43 for w in widths), (sheet.title, widths)
    amount = [c.value for c in lines[1]].index(_("Amount (yuan)"))
    assert {row[amount].number_format for row in lines.iter_rows(min_row=2)} == {MONEY_FORMAT}
    assert by_person.cell(2, by_person.max_column - 1).number_format == MONEY_FORMAT
    assert by_department.cell(2, 2).number_format == MONEY_FORMAT
    reason = [c.value for c in lines[1]].index(_("Reason")) + 1
    expected = max(text_width(text) for text in REASONS) + 2
    assert lines.column_dimensions[get_column_letter(reason)].width == expected
    name = pgettext("file name", "ledger-%(month)s.xlsx") % {"month": "2026-11"}
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"ledger-2026-11.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
