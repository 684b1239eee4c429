"""The duplicate and fake records report (customers.quality, views/quality.py; SPEC §8, 002 §5.2.2):
every detection rule, who sees what, the Excel download, bad input, constant query counts."""

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from customers.models import Contact, Customer, CustomerKey
from customers.quality.report import (
    Kind,
    ReportMonth,
    duplicate_groups,
    fake_records,
)
from customers.quality.rules import Problem, name_core_py, phone_digits_py, uscc_check_char
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
JANUARY = ReportMonth(date(2026, 1, 1))
REPORT = reverse("customers:duplicates_report")
EXPORT = reverse("customers:duplicates_report_export")


@pytest.fixture(autouse=True)
def clock():
    """The pages read the clock (default month, no future months): February 2026 here."""
    with time_machine.travel(datetime(2026, 2, 10, 9, tzinfo=SH), tick=True):
        yield


_seq = iter(range(1, 100_000))


def clean(**overrides) -> dict:
    """Plausible data that no fake-data rule flags (the factory's 测试客户 names would be)."""
    n = next(_seq)
    data = {
        "name": f"华东贸易{n}号有限公司",
        "phone": f"137{n % 10_000:04d}2468",
        "address": f"上海市浦东新区世纪大道{n}号",
        "postcode": "200120",
        "fax": "",
        "tax_id": "",
    }
    data.update(overrides)
    return data


def customer(actor, *, on=datetime(2026, 1, 15, 10, tzinfo=SH), contacts=None, **overrides):
    return register(actor, now=on, contacts=contacts, **clean(**overrides))


def unkeyed(c: Customer) -> Customer:
    """As if registered before the duplicate keys existed (or imported around them)."""
    CustomerKey.objects.filter(customer=c).delete()
    return c


def force(c: Customer, **fields) -> Customer:
    """Write values the forms would refuse, as an old import did."""
    Customer.objects.filter(pk=c.pk).update(**fields)
    c.refresh_from_db()
    return c


def uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


def groups(user, kind, month=JANUARY, **kw):
    return {g.value: g for g in duplicate_groups(user, kind=kind, month=month, **kw).items}


def member_ids(group) -> set[int]:
    return {m.customer.pk for m in group.members}


def findings(user, c: Customer, month=JANUARY) -> dict[str, str] | None:
    """field → problem code for customer `c`, None when the list leaves it out. The database
    picks the customers and Python words the problems: a customer listed with nothing to say
    ({}) would mean the two disagree."""
    for record in fake_records(user, month=month, per_page=1000).items:
        if record.customer.pk == c.pk:
            return {f.name: f.code for f in record.findings}
    return None


def expect(field: str, problem: str | None):
    return {field: problem} if problem else None


# --- likely duplicates ----------------------------------------------------------------------


def test_contact_mobile_equal_to_another_customers_phone_is_a_duplicate(org):
    first = customer(org.sales_a, phone="13824575678")
    second = customer(org.sales_a2)
    # Added around the keys (imported): the keys would have refused it.
    Contact.objects.create(customer=second, name="李四", gender="M", mobile="+86 138 2457 5678")
    group = groups(org.gm, Kind.PHONE)["13824575678"]
    assert member_ids(group) == {first.pk, second.pk}
    where = {m.customer.pk: m.where for m in group.members}
    assert where[first.pk] == ["电话"]
    assert len(where[second.pk]) == 1 and "李四" in where[second.pk][0]


def test_same_phone_typed_differently_is_one_group(org):
    first = unkeyed(customer(org.sales_a, phone="021-6235 7913"))
    second = unkeyed(customer(org.sales_a2, phone="（０２１）６２３５７９１３"))
    third = customer(org.sales_b, phone="021.6235.7913")
    group = groups(org.gm, Kind.PHONE)["02162357913"]
    assert member_ids(group) == {first.pk, second.pk, third.pk}
    assert group.size == 3


def test_one_customer_carrying_a_number_twice_is_not_a_duplicate(org):
    contact = {"name": "王五", "gender": "M", "mobile": "139 2468 1357"}
    customer(org.sales_a, phone="13924681357", contacts=[contact])
    assert "13924681357" not in groups(org.gm, Kind.PHONE)


def test_malformed_phones_are_left_to_the_fake_data_list(org):
    force(customer(org.sales_a), phone="无")
    force(customer(org.sales_b), phone="无")
    assert groups(org.gm, Kind.PHONE) == {}


def test_same_tax_id_in_other_case_and_spacing_is_a_duplicate(org):
    code = uscc("91310115MA1K4B2C3")
    first = unkeyed(customer(org.sales_a, tax_id=code))
    second = customer(org.sales_b, tax_id=" ".join([code[:6], code[6:12], code[12:]]).lower())
    group = groups(org.gm, Kind.TAX_ID)[code]
    assert member_ids(group) == {first.pk, second.pk}


def test_tax_ids_of_junk_are_not_grouped(org):
    force(customer(org.sales_a), tax_id="无")
    force(customer(org.sales_b), tax_id="无")
    assert groups(org.gm, Kind.TAX_ID) == {}


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("上海华东（集团）有限公司", "上海 华东 集团"),
        ("上海华东股份有限公司", "上海华东有限责任公司"),
        ("上海华东公司", "上海华东分公司"),
        ("ＡＢＣ Trading, Co.", "abc trading co"),
        ("张　三", "张三"),
    ],
)
def test_names_equal_after_the_looser_normalisation_are_a_duplicate(org, one, other):
    first = unkeyed(customer(org.sales_a, name=one))
    second = customer(org.sales_b, name=other)
    assert name_core_py(one) == name_core_py(other)
    group = groups(org.gm, Kind.NAME)[name_core_py(one)]
    assert member_ids(group) == {first.pk, second.pk}


def test_different_names_and_empty_cores_are_not_grouped(org):
    customer(org.sales_a, name="上海华东贸易有限公司")
    customer(org.sales_b, name="上海华南贸易有限公司")
    customer(org.sales_a, name="有限公司")
    customer(org.sales_b, name="公司")
    assert groups(org.gm, Kind.NAME) == {}


def test_the_month_covers_registrations_up_to_its_end_and_marks_its_new_ones(org):
    december = datetime(2025, 12, 10, 9, tzinfo=SH)
    old_a = unkeyed(customer(org.sales_a, phone="13524681357", on=december))
    old_b = unkeyed(customer(org.sales_b, phone="13524681357", on=december))
    new_a = unkeyed(customer(org.sales_a, phone="13624681357", on=december))
    new_b = customer(org.sales_b, phone="13624681357", on=datetime(2026, 1, 31, 23, tzinfo=SH))
    customer(org.sales_b, phone="13524681357", on=datetime(2026, 2, 1, 0, tzinfo=SH))
    january = groups(org.gm, Kind.PHONE)
    assert member_ids(january["13524681357"]) == {old_a.pk, old_b.pk}
    assert not january["13524681357"].is_new
    assert member_ids(january["13624681357"]) == {new_a.pk, new_b.pk}
    assert january["13624681357"].is_new
    assert "13624681357" not in groups(org.gm, Kind.PHONE, ReportMonth(date(2025, 12, 1)))


def test_groups_are_paged_newest_first(org):
    for day in (5, 6, 7):
        phone = f"1352468{day:02d}57"
        unkeyed(customer(org.sales_a, phone=phone, on=datetime(2026, 1, day, 9, tzinfo=SH)))
        customer(org.sales_b, phone=phone, on=datetime(2026, 1, day, 10, tzinfo=SH))
    first = duplicate_groups(org.gm, kind=Kind.PHONE, month=JANUARY, per_page=2)
    assert [g.value for g in first.items] == ["13524680757", "13524680657"]
    assert first.has_next
    second = duplicate_groups(org.gm, kind=Kind.PHONE, month=JANUARY, page=2, per_page=2)
    assert [g.value for g in second.items] == ["13524680557"] and not second.has_next


def test_a_large_group_lists_its_first_members_and_counts_the_rest(org):
    made = [unkeyed(customer(org.sales_a, tax_id=uscc("91310115MA1K4B2C3"))) for _ in range(4)]
    group = groups(org.gm, Kind.TAX_ID, members_shown=2)[uscc("91310115MA1K4B2C3")]
    assert member_ids(group) == {made[0].pk, made[1].pk}
    assert group.more == 2 and group.hidden == 0


def test_phone_normalisation_matches_the_database():
    assert phone_digits_py("+86 138-2457-5678") == "13824575678"
    assert phone_digits_py("8613824575678") == "13824575678"
    assert phone_digits_py("（０２１）６２３５ ７９１３") == "02162357913"


# --- obviously fake data --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "problem"),
    [
        ("13800000000", Problem.REPEATED),
        ("11111111111", Problem.REPEATED),
        ("66666666", Problem.REPEATED),
        ("12345678901", Problem.SEQUENCE),
        ("13987654321", Problem.SEQUENCE),
        ("12058273641", Problem.INVALID),  # no mobile begins 12
        ("2581357924", Problem.INVALID),  # ten digits without an area code
        ("10086", Problem.INVALID),
        ("13824575678", None),
        ("+86 139 2468 1357", None),
        ("021-6235 7913", None),
        ("0571 8826 1357", None),
        ("62357913", None),
        ("400-820-8820", None),
    ],
)
def test_phone_rules(org, phone, problem):
    c = force(customer(org.sales_a), phone=phone)
    assert findings(org.gm, c) == expect("phone", problem)


def test_fax_and_contact_numbers_are_checked_too(org):
    c = force(customer(org.sales_a), fax="00000000")
    Contact.objects.create(customer=c, name="李四", gender="M", mobile="13800000000", phone="123")
    found = findings(org.gm, c)
    assert found == {
        "fax": Problem.REPEATED,
        "contact_mobile": Problem.REPEATED,
        "contact_phone": Problem.INVALID,
    }


def test_a_customer_whose_only_fake_number_is_a_contacts_is_listed(org):
    c = customer(org.sales_a)
    Contact.objects.create(customer=c, name="李四", gender="M", mobile="13912345670")
    assert findings(org.gm, c) == {"contact_mobile": Problem.SEQUENCE}


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("测试", Problem.PLACEHOLDER),
        ("TEST 有限公司", Problem.PLACEHOLDER),
        ("xxx", Problem.PLACEHOLDER),
        ("无", Problem.SHORT),
        ("未知", Problem.PLACEHOLDER),
        ("客户1", Problem.PLACEHOLDER),
        ("某某公司", Problem.PLACEHOLDER),
        ("有限公司", Problem.SHORT),
        ("李", Problem.SHORT),
        ("测试仪器有限公司", None),
        ("无锡华光有限公司", None),
        ("张三", None),
    ],
)
def test_name_rules(org, name, problem):
    c = customer(org.sales_a, name=name)
    assert findings(org.gm, c) == expect("name", problem)


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("无", Problem.PLACEHOLDER),
        ("不详", Problem.PLACEHOLDER),
        ("同上", Problem.PLACEHOLDER),
        ("XXX", Problem.PLACEHOLDER),
        ("上海", Problem.SHORT),
        ("上海市 浦东", Problem.SHORT),
        ("北京市朝阳区建国路88号", None),
        ("北京市朝阳区", None),
    ],
)
def test_address_rules(org, address, problem):
    c = customer(org.sales_a, address=address)
    assert findings(org.gm, c) == expect("address", problem)


@pytest.mark.parametrize(
    ("postcode", "problem"),
    [
        ("12345", Problem.INVALID),
        ("20O120", Problem.INVALID),
        ("000000", Problem.REPEATED),
        ("200120", None),
        ("２００１２０", None),
    ],
)
def test_postcode_rules(org, postcode, problem):
    c = force(customer(org.sales_a), postcode=postcode)
    assert findings(org.gm, c) == expect("postcode", problem)


VALID_USCC = uscc("91310115MA1K4B2C3")
WRONG_CHECK = VALID_USCC[:17] + ("0" if VALID_USCC[17] != "0" else "1")


@pytest.mark.parametrize(
    ("tax_id", "problem"),
    [
        (VALID_USCC, None),
        (VALID_USCC.lower(), None),
        ("914403001922038216", None),  # a real company's code
        ("310115123456789", None),  # the old 15-character 税号
        (WRONG_CHECK, Problem.CHECKSUM),
        ("91310000MA1FL2345X", Problem.CHECKSUM),
        ("9131011SMA1K4B2C3" + "0", Problem.FORMAT),  # a letter among the region digits
        ("9I310115MA1K4B2C30", Problem.FORMAT),  # I is not one of the 31 symbols
        ("000000000000000000", Problem.REPEATED),
        ("9131011512345678", Problem.LENGTH),
        ("91310115MA1K4B2C3*", Problem.CHARS),
        ("无", Problem.CHARS),
    ],
)
def test_tax_id_rules(org, tax_id, problem):
    c = force(customer(org.sales_a), tax_id=tax_id)
    assert findings(org.gm, c) == expect("tax_id", problem)


def test_check_character_matches_published_codes():
    assert uscc_check_char("91440300708461136") == "T"
    assert uscc_check_char("91110000802100433") == "B"


def test_plausible_customer_has_no_findings_and_blanks_are_not_fake(org):
    c = customer(org.sales_a, tax_id=VALID_USCC, fax="021-6235 7913")
    blank = force(customer(org.sales_a), address="", postcode="", phone="")
    assert findings(org.gm, c) is None and findings(org.gm, blank) is None


def test_fake_data_after_the_month_is_not_in_it(org):
    c = customer(org.sales_a, name="测试", on=datetime(2026, 2, 1, 9, tzinfo=SH))
    assert findings(org.gm, c) is None
    assert findings(org.gm, c, ReportMonth(date(2026, 2, 1))) == {"name": Problem.PLACEHOLDER}


# --- who sees what --------------------------------------------------------------------------


@pytest.fixture
def across(org):
    """One phone registered in department A (华东) and department B (华南), one fake each."""
    a = unkeyed(customer(org.sales_a, phone="13524681357", address="无"))
    b = customer(org.sales_b, phone="13524681357", address="无")
    return a, b


def report(client, **params):
    return client.get(REPORT, {"month": "2026-01", **params})


def shown(response) -> set[int]:
    import re

    return {int(pk) for pk in re.findall(r'data-customer="(\d+)"', response.content.decode())}


@pytest.mark.parametrize("kind", ["phone", "fake"])
def test_each_role_sees_its_own_side(org, login, across, kind):
    a, b = across
    assert shown(report(login(org.gm), kind=kind)) == {a.pk, b.pk}
    assert shown(report(login(org.manager_a), kind=kind)) == {a.pk}
    assert shown(report(login(org.manager_b), kind=kind)) == {b.pk}
    assert shown(report(login(org.accountant_a), kind=kind)) == {a.pk}
    assert shown(report(login(org.accountant_b), kind=kind)) == {b.pk}
    # 上海分部's manager sees neither: the group does not show at all.
    assert shown(report(login(org.manager_a1), kind=kind)) == set()


def test_manager_is_told_how_many_share_the_value_outside(org, across):
    group = groups(org.manager_a, Kind.PHONE)["13524681357"]
    assert (group.size, group.visible, group.hidden) == (2, 1, 1)
    assert groups(org.gm, Kind.PHONE)["13524681357"].hidden == 0


def test_salespeople_get_404(org, login, across):
    client = login(org.sales_a)
    assert report(client).status_code == 404
    assert client.get(EXPORT, {"month": "2026-01"}).status_code == 404


def test_navigation_offers_the_report_to_managers_accountants_and_the_gm(org, login):
    offered_to = {"gm": True, "manager_a": True, "accountant_a": True, "sales_a": False}
    for who, offered in offered_to.items():
        body = login(getattr(org, who)).get(reverse("crm:dashboard")).content.decode()
        assert ('data-nav="duplicates"' in body) is offered, who


def test_worklist_links_to_the_report(org, login):
    body = login(org.accountant_a).get(reverse("customers:worklist")).content.decode()
    assert REPORT in body


# --- the page and the download ------------------------------------------------------------


def test_default_month_is_the_current_one(org, login, across):
    late = customer(org.sales_a, name="测试", on=datetime(2026, 2, 3, 9, tzinfo=SH))
    client = login(org.gm)
    with time_machine.travel(datetime(2026, 2, 10, 9, tzinfo=SH), tick=False):
        response = client.get(REPORT, {"kind": "fake"})
    assert response.status_code == 200
    assert response.context["month"] == ReportMonth(date(2026, 2, 1))
    assert late.pk in shown(response)
    with time_machine.travel(datetime(2026, 2, 10, 9, tzinfo=SH), tick=False):
        assert late.pk not in shown(client.get(REPORT, {"kind": "fake", "month": "2026-01"}))


@pytest.mark.parametrize("month", ["2026-13", "abc", "1999-12", "2026-1x", "２０２６-01", "9" * 50])
def test_bad_month_answers_a_message_not_an_error(org, login, month):
    client = login(org.manager_a)
    with time_machine.travel(datetime(2026, 2, 10, 9, tzinfo=SH), tick=False):
        for url in (REPORT, EXPORT):
            response = client.get(url, {"month": month})
            assert response.status_code == 400
            assert 'data-testid="error"' in response.content.decode()
            assert response["Content-Type"].startswith("text/html")


def test_future_month_is_refused(org, login):
    with time_machine.travel(datetime(2026, 2, 10, 9, tzinfo=SH), tick=False):
        response = login(org.gm).get(REPORT, {"month": "2026-03"})
    assert response.status_code == 400 and 'data-testid="error"' in response.content.decode()


def test_odd_kind_and_page_fall_back_quietly(org, login, across):
    client = login(org.gm)
    response = report(client, kind="nonsense", page="x")
    assert response.status_code == 200 and response.context["kind"] == "phone"
    assert report(client, page="99999999999999").status_code == 200


def test_page_lists_each_tab(org, login):
    a = unkeyed(customer(org.sales_a, tax_id=VALID_USCC, name="上海华东集团"))
    b = customer(org.sales_b, tax_id=VALID_USCC.lower(), name="上海华东有限公司")
    client = login(org.gm)
    for kind in ("tax_id", "name"):
        response = report(client, kind=kind)
        assert shown(response) == {a.pk, b.pk}, kind
        assert reverse("customers:detail", args=[a.pk]) in response.content.decode()


def test_excel_download_holds_every_tab(org, login, across):
    a, b = across
    name_a = unkeyed(customer(org.sales_a, name="上海华东集团"))
    name_b = customer(org.sales_b, name="上海华东有限公司")
    response = login(org.gm).get(EXPORT, {"month": "2026-01"})
    assert response.status_code == 200
    # Named in the viewer's language (RFC 6266 filename*) with an ASCII fallback (issue 14).
    assert (
        "filename=\"duplicates-2026-01.xlsx\"; filename*=UTF-8''" in response["Content-Disposition"]
    )
    wb = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert len(wb.sheetnames) == 4
    phone, tax, name, fake = (list(ws.iter_rows(values_only=True)) for ws in wb.worksheets)
    assert {row[4] for row in phone[1:]} == {a.code, b.code}
    assert all(row[0] == "13524681357" and row[1] == 2 for row in phone[1:])
    assert "电话" in {row[9] for row in phone[1:]}
    assert tax[1:] == []
    assert {row[4] for row in name[1:]} == {name_a.code, name_b.code}
    fake_rows = {(row[0], row[7]) for row in fake[1:]}
    assert (a.code, "无") in fake_rows and (b.code, "无") in fake_rows


def test_excel_download_keeps_to_the_managers_side(org, login, across):
    a, b = across
    response = login(org.manager_b).get(EXPORT, {"month": "2026-01"})
    wb = load_workbook(BytesIO(b"".join(response.streaming_content)))
    codes = {row[4] for row in wb.worksheets[0].iter_rows(min_row=2, values_only=True)}
    codes |= {row[0] for row in wb.worksheets[3].iter_rows(min_row=2, values_only=True)}
    assert codes == {b.code}
    hidden = [row[2] for row in wb.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert hidden == [1]


# --- cost -----------------------------------------------------------------------------------


def _duplicates(org, count: int, start: int) -> None:
    for i in range(start, start + count):
        phone = f"1352468{i:02d}57"
        tax_id = uscc(f"91310115MA1K4B{i:02d}1")
        first = unkeyed(customer(org.sales_a, phone=phone, tax_id=tax_id, name=f"华北{i}号集团"))
        Contact.objects.create(customer=first, name="李四", gender="M", mobile="123")
        customer(org.sales_b, phone=phone, tax_id=tax_id.lower(), name=f"华北{i}号有限公司")


@pytest.mark.parametrize("who", ["gm", "manager_a"])
def test_query_count_does_not_grow_with_the_groups(org, login, who):
    client = login(getattr(org, who))
    urls = [(REPORT, {"kind": kind}) for kind in ("phone", "tax_id", "name", "fake")]
    urls.append((EXPORT, {}))

    def counts():
        result = []
        for url, params in urls:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, {"month": "2026-01", **params})
                if url == EXPORT:
                    b"".join(response.streaming_content)
            result.append(len(queries.captured_queries))
        return result

    _duplicates(org, 2, start=0)
    small = counts()
    assert len(groups(org.gm, Kind.PHONE)) == 2
    _duplicates(org, 8, start=2)
    assert len(groups(org.gm, Kind.PHONE)) == 10
    assert len(groups(org.gm, Kind.TAX_ID)) == 10
    assert len(groups(org.gm, Kind.NAME)) == 10
    assert counts() == small
