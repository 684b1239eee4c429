"""Excel export and import (customers.excel, customers.views.excel): the export shows what the
list shows, masked the same; the import registers through the same rules as the register page
and, by default, writes nothing unless every row is good."""

from datetime import datetime
from io import BytesIO
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from customers import excel
from customers.models import Contact, Customer, CustomerClass, ImportJob, Nature, Settlement, Source
from customers.services.imports import import_job_create, import_job_run
from tests.factories import register

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_URL = reverse("customers:import")
EXPORT_URL = reverse("customers:export")


def xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    for values in rows:
        wb.active.append(values)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def sheet(*records: dict) -> bytes:
    """The template's header and one row per record (column key → value)."""
    keys = excel.import_keys()
    return xlsx(
        [[excel.column_label(k) for k in keys]]
        + [[record.get(k, "") for k in keys] for record in records]
    )


_seq = iter(range(1_000_000))


def good(**overrides) -> dict:
    n = next(_seq)
    record = {"name": f"导入客户{n}有限公司", "phone": f"137{n:08d}", "source": "phone"}
    record.update(overrides)
    return record


def upload(client, data: bytes, *, name="x.xlsx", **extra):
    file = SimpleUploadedFile(name, data, content_type=XLSX)
    return client.post(IMPORT_URL, {"file": file, **extra})


def error_rows(response) -> set[int]:
    return {error.row for error in response.context["result"].errors}


def read_export(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    data = b"".join(response.streaming_content)
    wb = load_workbook(BytesIO(data), read_only=True)
    return list(wb.worksheets[0].iter_rows(values_only=True))


# --- template (issue 14: defect 5, build 4) ---------------------------------------------------

TEMPLATE_URL = reverse("customers:import_template")
CODED = ["is_organisation", "nature", "settlement_method", "customer_class", "intent_grade"]
CODED += ["source", "contact_gender"]


def template(client):
    response = client.get(TEMPLATE_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    return response


def with_rows(content: bytes, *records: dict) -> bytes:
    """The downloaded template, unchanged but for `records` typed below its example row."""
    wb = load_workbook(BytesIO(content))
    keys = excel.import_keys()
    for record in records:
        wb.active.append([record.get(k) for k in keys])
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_unchanged_template_imports_nothing_and_blocks_no_key(org, login):
    client = login(org.sales_a)
    content = template(client).content
    response = upload(client, content)
    assert response.status_code == 400
    assert "示例" in response.context["file_error"] or "example" in response.context["file_error"]
    assert Customer.objects.count() == 0
    # The example's phone, tax id and name stay free for a real customer.
    example = excel.EXAMPLE
    register(org.sales_b, name=example["name"], phone=example["phone"], tax_id=example["tax_id"])
    assert Customer.objects.get().holder == org.sales_b


def test_example_row_is_skipped_and_the_real_row_below_it_imported(org, login):
    client = login(org.sales_a)
    real = good(nature=str(Nature.DIRECT_USER.label), source=str(Source.PHONE.label))
    response = upload(client, with_rows(template(client).content, real))
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.imported, result.failed, result.problems) == (1, False, [])
    assert [row.row for row in result.skipped] == [2]
    assert Customer.objects.get().name == real["name"]
    page = response.content.decode()
    assert 'data-testid="import-skipped"' in page and excel.example_marker() in page


@pytest.mark.parametrize(
    "name",
    [
        "【示例】上海示例贸易有限公司",
        "[示例] 另一家公司",
        "（示例）某某公司",
        "【Example】Acme",
        "上海示例贸易有限公司",
    ],
    ids=["marker", "square-brackets", "full-width-parens", "english", "old-template-bare-name"],
)
def test_example_row_is_skipped_whatever_else_it_holds(org, login, name):
    # The example row rewritten with valid, new data is still the example row.
    data = sheet(good(name=name, tax_id="91310000MA1FL2345X"), good())
    response = upload(login(org.sales_a), data)
    assert response.status_code == 200
    assert [row.row for row in response.context["result"].skipped] == [2]
    assert Customer.objects.count() == 1
    assert not Customer.objects.filter(tax_id__icontains="MA1FL2345X").exists()


def test_a_real_name_merely_containing_the_word_example_imports(org, login):
    assert upload(login(org.sales_a), sheet(good(name="示例科技有限公司"))).status_code == 302
    assert Customer.objects.get().name == "示例科技有限公司"


def test_example_row_skipped_by_a_background_import_is_recorded_as_skipped(org, login):
    client = login(org.sales_a)
    content = with_rows(template(client).content, good(), good())
    job = import_job_create(
        actor=org.sales_a,
        upload=SimpleUploadedFile("big.xlsx", content),
        only_valid=False,
        rows=2,
        now=NOW,
    )
    job = import_job_run(job_id=job.pk, now=NOW)
    assert (job.status, job.imported) == (ImportJob.Status.DONE, 2)
    assert [(row[0], row[-1]) for row in job.errors] == [(2, True)]
    page = client.get(reverse("customers:import_job", args=[job.pk])).content.decode()
    assert 'data-testid="import-skipped"' in page
    assert 'data-testid="import-errors"' not in page


def test_template_is_laid_out_with_dropdowns_of_chinese_labels(org, login):
    response = template(login(org.sales_a))
    wb = load_workbook(BytesIO(response.content))
    ws, values = wb.worksheets
    keys = excel.import_keys()
    header = ws[1]
    assert [c.value for c in header] == [excel.column_label(k) for k in keys]
    assert all(c.font.b for c in header), "bold header"
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:")
    for index, key in enumerate(keys, start=1):
        width = ws.column_dimensions[get_column_letter(index)].width
        assert width and width > 8.43, (key, width)  # wider than Excel's default
    example = ws[2]
    assert example[0].value.startswith("【示例】")
    assert all(c.font.i and c.font.color.rgb.endswith("808080") for c in example if c.value)
    # One dropdown per coded column, offering the Chinese labels listed on the value sheet.
    by_column = {
        str(dv.sqref).split(":")[0].rstrip("0123456789"): dv
        for dv in ws.data_validations.dataValidation
    }
    assert len(by_column) == len(CODED)
    listed = {str(c.value) for row in values.iter_rows(min_row=2) for c in row if c.value}
    for key in CODED:
        dv = by_column[get_column_letter(keys.index(key) + 1)]
        assert dv.type == "list" and str(dv.sqref).endswith(f"{excel.MAX_ROWS + 2}")
        sheet_name, cells = dv.formula1.split("!")
        first, last = cells.replace("$", "").split(":")
        offered = [c.value for row in values[first:last] for c in row]
        assert sheet_name.strip("'") == values.title
        assert offered == excel._choice_labels(key), key
    assert {"直接用户", "电话", "重要客户", "现款现货", "男", "是", "否"} <= listed
    codes = {"direct_user", "phone", "potential", "cash", "walk_in"}
    assert not codes & listed, "the value sheet shows labels, not codes"
    assert values[1][0].font.b and values.freeze_panes == "A2"


def test_template_is_named_in_chinese_with_an_ascii_fallback(org, login):
    disposition = template(login(org.sales_a))["Content-Disposition"]
    name = excel.template_file_name()
    assert disposition == (
        f'attachment; filename="customer-import-template.xlsx"; '
        f"filename*=UTF-8''{quote(name.name)}"
    )


def test_every_coded_column_imports_its_chinese_label_and_its_code(org, login):
    labels = good(
        is_organisation=_("No"),
        nature=str(Nature.DISTRIBUTOR.label),
        settlement_method=str(Settlement.ROLLING.label),
        customer_class=str(CustomerClass.IMPORTANT.label),
        intent_grade="A",
        source=str(Source.FRIEND.label),
        contact_name="王五",
        contact_gender=str(Contact.Gender.FEMALE.label),
        contact_mobile="13911112222",
    )
    codes = good(
        nature="distributor",
        settlement_method="rolling",
        customer_class="important",
        source="friend",
        contact_name="赵六",
        contact_gender="F",
        contact_mobile="13911113333",
    )
    response = upload(login(org.sales_a), sheet(labels, codes))
    assert response.status_code == 302
    for customer in Customer.objects.all():
        assert (customer.nature, customer.settlement_method) == ("distributor", "rolling")
        assert (customer.customer_class, customer.source) == ("important", "friend")
        assert customer.contacts.get().gender == "F"
    assert Customer.objects.get(name=labels["name"]).is_organisation is False


# --- import: success -------------------------------------------------------------------------


def test_good_file_imports_every_row_to_the_uploader(org, login):
    client = login(org.sales_a)
    data = sheet(
        good(nature=str(Nature.DIRECT_USER.label), source=str(Source.PHONE.label)),
        good(nature="direct_user", source="phone", intent_grade="A", is_organisation=_("No")),
        good(phone=13812340000, postcode=200120, customer_class=""),  # typed as numbers
    )
    response = upload(client, data)
    assert response.status_code == 302
    assert response.url == reverse("customers:list")
    customers = list(Customer.objects.order_by("id"))
    assert len(customers) == 3
    assert {c.holder for c in customers} == {org.sales_a}
    assert [c.nature for c in customers] == ["direct_user", "direct_user", ""]
    assert [c.intent_grade for c in customers] == ["C", "A", "C"]
    assert customers[1].is_organisation is False
    assert (customers[2].phone, customers[2].postcode) == ("13812340000", "200120")
    assert customers[2].customer_class == "potential"


def test_headers_may_be_field_names_in_any_order(org, login):
    data = xlsx([["source", "name"], ["phone", "按字段名导入有限公司"]])
    assert upload(login(org.manager_a), data).status_code == 302
    assert Customer.objects.get().holder == org.manager_a


# --- import: all or nothing --------------------------------------------------------------------


@pytest.mark.parametrize(
    "broken",
    [
        {"name": ""},
        {"phone": "12ab"},
        {"source": "carrier pigeon"},
        {"contact_name": "王五", "contact_gender": "M"},  # contact without a number
        {"name": "长" * 10_000},
    ],
    ids=["blank-name", "malformed-phone", "unknown-source", "contact-no-number", "10kB-name"],
)
def test_one_broken_row_writes_nothing(org, login, broken):
    data = sheet(good(), good(**broken), good())
    response = upload(login(org.sales_a), data)
    assert response.status_code == 400
    assert Customer.objects.count() == 0
    assert error_rows(response) == {3}
    assert response.context["result"].failed


def test_phone_registered_by_someone_else_is_refused_without_revealing_it(org, login):
    other = register(org.sales_b, phone="13912345678", address="广州市天河区保密路8号")
    response = upload(login(org.sales_a), sheet(good(), good(), good(phone="13912345678")))
    assert response.status_code == 400
    assert Customer.objects.count() == 1
    assert error_rows(response) == {4}
    content = response.content.decode()
    assert "13912345678" not in content
    assert other.address not in content


def test_same_phone_twice_in_the_file_names_the_earlier_row(org, login):
    data = sheet(good(), good(phone="13600001111"), good(), good(phone="136 0000 1111"))
    response = upload(login(org.sales_a), data)
    assert response.status_code == 400
    assert Customer.objects.count() == 0
    [error] = response.context["result"].errors
    assert error.row == 5
    expected = _(
        "Duplicates row %(row)d of this file (same phone, tax id or organisation name)."
    ) % {"row": 3}
    assert error.message == expected


def test_only_valid_keeps_the_good_rows(org, login):
    data = sheet(good(), good(name=""), good(phone="12ab"), good())
    response = upload(login(org.sales_a), data, only_valid="on")
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.imported, result.failed) == (2, False)
    assert error_rows(response) == {3, 4}
    assert Customer.objects.filter(holder=org.sales_a).count() == 2


def test_only_valid_still_catches_a_repeat_of_an_earlier_row(org, login):
    data = sheet(good(tax_id="91310000MA1FL2345X"), good(tax_id="91310000-ma1fl2345x"))
    response = upload(login(org.sales_a), data, only_valid="on")
    assert response.status_code == 200
    assert Customer.objects.count() == 1
    [error] = response.context["result"].errors
    assert error.row == 3
    assert error.message == _(
        "Duplicates row %(row)d of this file (same phone, tax id or organisation name)."
    ) % {"row": 2}


# --- import: the file as a whole ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("x.xlsx", b"hello"),
        ("x.csv", b"name,source\n"),
        ("x.xlsx", b"PK\x03\x04 not really a zip"),
        ("x.xlsx", xlsx([])),  # empty sheet
        ("x.xlsx", xlsx([["名字", "电话号码"], ["某公司", "13800000000"]])),  # wrong header
        ("x.xlsx", sheet()),  # header only
    ],
    ids=["not-excel", "csv", "corrupt-zip", "empty", "wrong-header", "no-rows"],
)
def test_unusable_file_is_refused_whole(org, login, name, data):
    response = upload(login(org.sales_a), data, name=name)
    assert response.status_code == 400
    assert response.context["file_error"]
    assert Customer.objects.count() == 0


def test_missing_file_is_refused(org, login):
    response = login(org.sales_a).post(IMPORT_URL, {})
    assert response.status_code == 400
    assert response.context["file_error"]


def test_too_many_rows_are_refused(org, login, monkeypatch):
    monkeypatch.setattr(excel, "MAX_ROWS", 2)
    response = upload(login(org.sales_a), sheet(good(), good(), good()))
    assert response.status_code == 400
    assert "2" in response.context["file_error"]
    assert Customer.objects.count() == 0


# --- import: who -----------------------------------------------------------------------------


def test_accountant_cannot_import(org, login):
    client = login(org.accountant_a)
    assert client.get(IMPORT_URL).status_code == 404
    assert upload(client, sheet(good())).status_code == 404
    assert client.get(reverse("customers:import_template")).status_code == 404
    assert Customer.objects.count() == 0


def test_import_page_shows_the_form_and_the_template_link(org, login):
    response = login(org.sales_a).get(IMPORT_URL)
    assert response.status_code == 200
    assert reverse("customers:import_template") in response.content.decode()


# --- export ----------------------------------------------------------------------------------


def test_salesperson_export_of_the_pool_is_masked(org, login):
    pooled = register(
        org.sales_a2,
        source="walk_in",
        phone="13812345678",
        address="上海市保密路1号",
        email="boss@example.com",
        bank_account="6222000011112222",
    )
    assert pooled.pool == "department"
    rows = read_export(login(org.sales_a).get(EXPORT_URL, {"scope": "pool"}))
    assert len(rows) == 2
    header, row = rows
    record = dict(zip(header, row, strict=True))
    assert record[_("Code")] == pooled.code
    assert record[excel._label("phone")] == "138****5678"
    for name in ("address", "email", "bank_account"):
        assert record[excel._label(name)] == "***"
    flat = repr(rows)
    assert "13812345678" not in flat and "上海市保密路1号" not in flat


def test_export_follows_scope_and_filters(org, login):
    mine_a = register(org.sales_a, intent_grade="A")
    register(org.sales_a, intent_grade="B")
    register(org.sales_b, intent_grade="A")
    rows = read_export(login(org.sales_a).get(EXPORT_URL, {"intent_grade": "A"}))
    assert [row[0] for row in rows[1:]] == [mine_a.code]
    assert rows[1][1] == mine_a.name  # unmasked: it is theirs


def test_manager_of_another_department_does_not_get_department_a(org, login):
    a_customers = [register(org.sales_a), register(org.sales_a1)]
    b_customer = register(org.sales_b)
    rows = read_export(login(org.manager_b).get(EXPORT_URL, {"scope": "all"}))
    codes = [row[0] for row in rows[1:]]
    assert codes == [b_customer.code]
    assert not {c.code for c in a_customers} & set(codes)


def test_export_is_ordered_newest_first_with_holder_and_filename(org, login):
    first, second = register(org.sales_a), register(org.sales_a)
    response = login(org.manager_a).get(EXPORT_URL, {"scope": "all"})
    assert "customers-" in response["Content-Disposition"]
    rows = read_export(response)
    assert [row[0] for row in rows[1:]] == [second.code, first.code]
    assert rows[1][-3:-1] == (org.sales_a.display_name, org.a.name)


def test_text_that_looks_like_a_formula_stays_text(org, login):
    register(org.sales_a, name='=HYPERLINK("http://evil","x")')
    response = login(org.sales_a).get(EXPORT_URL)
    cell = load_workbook(BytesIO(b"".join(response.streaming_content))).active["B2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://evil","x")', "s")


def _export_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        read_export(client.get(EXPORT_URL, {"scope": "all"}))
    return len(captured)


def test_export_query_count_does_not_grow_with_rows(org, login):
    client = login(org.manager_a)
    for _n in range(5):
        register(org.sales_a)
    few = _export_queries(client)
    for _n in range(45):
        register(org.sales_a2)
    assert _export_queries(client) == few


# --- how the workbooks look (issue 14, build 4) ------------------------------------------------


def full_workbook(response):
    """The whole workbook with its styles (read-only mode drops them)."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(BytesIO(content))


def assert_laid_out(ws, *, rows: int, columns: int) -> None:
    """A bold, shaded, frozen header; a filter over the table; no column at the default."""
    last = get_column_letter(columns)
    header = ws[1][:columns]
    assert all(c.font.b and c.fill.fgColor.rgb.endswith("DDE5F0") for c in header), ws.title
    assert ws.freeze_panes == "A2", ws.title
    assert ws.auto_filter.ref == f"A1:{last}{rows + 1}", ws.title
    for index in range(1, columns + 1):
        width = ws.column_dimensions[get_column_letter(index)].width
        assert width and width > 8.43, (ws.title, index, width)


def test_archive_export_is_laid_out_and_named_in_chinese(org, login):
    long_name = "上海浦东新区长名称国际贸易有限公司"  # 17 CJK characters: 34 columns wide
    register(org.sales_a, name=long_name, address="上海市" + "长" * 120)
    register(org.sales_a)
    with time_machine.travel(NOW, tick=False):
        response = login(org.sales_a).get(EXPORT_URL)
    ws = full_workbook(response).active
    assert_laid_out(ws, rows=2, columns=len(excel.export_header()))
    widths = {
        ws.cell(1, i).value: ws.column_dimensions[get_column_letter(i)].width
        for i in range(1, ws.max_column + 1)
    }
    assert widths[excel._label("name")] == 36  # CJK counted double, plus a margin
    assert widths[excel._label("address")] == 50  # capped
    name = pgettext("file name", "customers-%(date)s.xlsx") % {"date": "2026-11-30"}
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"customers-2026-11-30.xlsx\"; filename*=UTF-8''{quote(name)}"
    )


def test_duplicates_report_sheets_are_laid_out_and_named(org, login):
    response = login(org.gm).get(
        reverse("customers:duplicates_report_export"), {"month": "2026-01"}
    )
    assert response.status_code == 200
    wb = full_workbook(response)
    for ws in wb.worksheets:
        assert_laid_out(ws, rows=0, columns=ws.max_column)
    name = pgettext("file name", "duplicates-%(month)s.xlsx") % {"month": "2026-01"}
    assert response["Content-Disposition"].endswith(f"filename*=UTF-8''{quote(name)}")
