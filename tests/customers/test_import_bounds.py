"""Reading an uploaded workbook is bounded by the template's columns, not by the file (issue 12,
defect 10: a 98 KB xlsx with a far-right cell cost 702 MB in the web process)."""

import time
import tracemalloc
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from customers import excel
from customers.models import Customer
from tests.customers.test_excel import XLSX, good, upload

FAR_COLUMN = 16_384  # XFD, Excel's last column
FAR_ROW = 1_048_576  # Excel's last row


def _template_sheet(records, *, far_cells=(), header_extra=None) -> bytes:
    """The template's header and `records`, plus stray cells {(row, column): value}."""
    keys = excel.import_keys()
    wb = Workbook()
    ws = wb.active
    ws.append([excel.column_label(k) for k in keys])
    for record in records:
        ws.append([record.get(k, "") for k in keys])
    for (row, column), value in far_cells:
        ws.cell(row=row, column=column, value=value)
    if header_extra:
        column, value = header_extra
        ws.cell(row=1, column=column, value=value)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _file(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("x.xlsx", data, content_type=XLSX)


def test_a_far_right_cell_on_every_row_costs_no_memory(db):
    count = 1_000  # unbounded, these rows alone took 130 MB
    records = [good() for _ in range(count)]
    far = [((row, FAR_COLUMN), "x") for row in range(2, count + 2)]
    data = _template_sheet(records, far_cells=far)
    assert len(data) < 200_000, "a small file, like the 98 KB one of the report"
    tracemalloc.start()
    try:
        rows = excel.read_workbook(_file(data))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(rows) == count
    assert rows[0][1]["name"] == records[0]["name"]
    assert peak < 50 * 1024 * 1024, f"peak {peak / 1024 / 1024:.0f} MB"


def test_a_cell_at_the_last_row_and_column_is_ignored_quickly(org, login):
    data = _template_sheet([good(), good()], far_cells=[((FAR_ROW, FAR_COLUMN), "x")])
    started = time.monotonic()
    response = upload(login(org.sales_a), data)
    elapsed = time.monotonic() - started
    assert response.status_code == 302, "the stray cell has no header: it is ignored"
    assert Customer.objects.count() == 2
    assert elapsed < 10, f"{elapsed:.1f} s"


def test_a_customer_on_the_last_row_is_still_read(db):
    keys = excel.import_keys()
    last = good()
    far = [((FAR_ROW, keys.index(k) + 1), v) for k, v in last.items()]
    rows = excel.read_workbook(_file(_template_sheet([good()], far_cells=far)))
    assert [number for number, _record in rows] == [2, FAR_ROW]
    assert rows[1][1]["name"] == last["name"]


@pytest.mark.parametrize("column", [excel.MAX_COLUMNS + 1, FAR_COLUMN])
def test_a_header_beyond_the_template_is_refused_with_a_clear_message(org, login, column):
    label = excel.column_label("remarks")
    data = _template_sheet([good()], header_extra=(column, label))
    response = upload(login(org.sales_a), data)
    assert response.status_code == 400
    message = response.context["file_error"]
    assert ("XFD" if column == FAR_COLUMN else "BI") in message
    assert Customer.objects.count() == 0


def test_blank_columns_between_the_template_columns_are_fine(org, login):
    data = _template_sheet([good()], header_extra=(excel.MAX_COLUMNS, ""))
    assert upload(login(org.sales_a), data).status_code == 302
