"""Excel export and import (customers.excel, customers.views.excel): the export shows what the
list shows, masked the same; the import registers through the same rules as the register page
and, by default, writes nothing unless every row is good."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from customers import excel
from customers.models import Contact, Customer, Nature, Source
from tests.factories import register

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


# --- template ------------------------------------------------------------------------------


def test_template_downloads_and_its_example_row_imports(org, login):
    client = login(org.sales_a)
    response = client.get(reverse("customers:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == [excel.column_label(k) for k in excel.import_keys()]
    assert len(rows) == 2

    response = upload(client, response.content)
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert customer.name == excel.EXAMPLE["name"]
    assert customer.holder == org.sales_a and customer.nature == "direct_user"
    assert customer.is_organisation is True and customer.source == "phone"
    assert Contact.objects.get(customer=customer).mobile == excel.EXAMPLE["contact_mobile"]


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
