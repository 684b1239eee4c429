"""Ledger pages: who sees and does what (salespeople only their own; 404 across departments),
bad input (clear message, nothing written), month close and the payroll export, dashboards
with a query count that does not grow with the number of departments."""

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from crm.models import Staff
from customers.services import inquiry_log
from penalties.models import ClosedMonth, LedgerEntry, PenaltyRule
from penalties.services import ledger_confirm
from tests.factories import DepartmentFactory, ledger_entry, make_person, register

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SH)

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def record(actor, person, code, amount=None, *, now=NOW, on=date(2026, 11, 19), **kw):
    return ledger_entry(actor, person, code, amount, now=now, on=on, **kw)


@pytest.fixture
def ledger(org):
    return {
        "a": record(org.manager_a, org.sales_a, "GRABBING"),
        "a2": record(org.manager_a, org.sales_a2, "WRONG_INFO"),
        "b": record(org.manager_b, org.sales_b, "THIN_CONTENT"),
    }


def shown(response) -> set[int]:
    return {e.pk for e in response.context["entries"]}


def test_salesperson_sees_only_own_entries_and_gets_404_for_others(org, login, ledger):
    client = login(org.sales_a)
    response = client.get(reverse("penalties:ledger"), {"month": "2026-11"})
    assert shown(response) == {ledger["a"].pk}
    assert client.get(reverse("penalties:detail", args=[ledger["a"].pk])).status_code == 200
    assert client.get(reverse("penalties:detail", args=[ledger["a2"].pk])).status_code == 404
    assert client.get(reverse("penalties:new")).status_code == 404
    assert client.get(reverse("penalties:months")).status_code == 404
    assert client.get(reverse("penalties:company")).status_code == 404
    # Nor can they decide their own entry by posting.
    client.post(reverse("penalties:confirm", args=[ledger["a"].pk]))
    ledger["a"].refresh_from_db()
    assert ledger["a"].status == "proposed"


def test_managers_and_accountants_see_their_departments_the_gm_everything(org, login, ledger):
    assert shown(login(org.manager_a).get(reverse("penalties:ledger"))) == {
        ledger["a"].pk,
        ledger["a2"].pk,
    }
    assert shown(login(org.accountant_b).get(reverse("penalties:ledger"))) == {ledger["b"].pk}
    assert shown(login(org.gm).get(reverse("penalties:ledger"))) == {e.pk for e in ledger.values()}
    client = login(org.manager_b)
    assert client.get(reverse("penalties:detail", args=[ledger["a"].pk])).status_code == 404
    client.post(reverse("penalties:confirm", args=[ledger["a"].pk]))
    assert LedgerEntry.objects.get(pk=ledger["a"].pk).status == "proposed"


def test_manager_confirms_and_waives_from_the_pages(org, login, ledger):
    client = login(org.manager_a)
    response = client.post(reverse("penalties:confirm", args=[ledger["a"].pk]), follow=True)
    assert "已确认" in response.content.decode() or "confirmed" in response.content.decode()
    response = client.post(reverse("penalties:waive", args=[ledger["a2"].pk]), {"reason": ""})
    assert LedgerEntry.objects.get(pk=ledger["a2"].pk).status == "proposed"
    client.post(reverse("penalties:waive", args=[ledger["a2"].pk]), {"reason": "信息已更正"})
    statuses = dict(LedgerEntry.objects.values_list("pk", "status"))
    assert statuses[ledger["a"].pk] == "confirmed" and statuses[ledger["a2"].pk] == "waived"
    # Confirming twice: a message, nothing changes.
    response = client.post(reverse("penalties:confirm", args=[ledger["a"].pk]), follow=True)
    assert response.status_code == 200
    assert list(response.context["messages"])[0].level_tag == "error"


def test_recording_an_amount_out_of_range_shows_the_rule_and_writes_nothing(org, login):
    client = login(org.manager_a)
    rule = PenaltyRule.objects.get(code="LEAVER_DISTRIBUTED")
    data = {
        "person": org.sales_a.pk,
        "rule": rule.pk,
        "amount": "350",
        "occurred_on": "2026-11-19",
        "reason": "私自分配离职员工客户",
    }
    response = client.post(reverse("penalties:new"), data)
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert "100" in errors[0] and "300" in errors[0]
    assert not LedgerEntry.objects.exists()
    response = client.post(reverse("penalties:new"), {**data, "amount": "abc"})
    assert response.status_code == 200 and not LedgerEntry.objects.exists()
    response = client.post(reverse("penalties:new"), {**data, "amount": "200"})
    entry = LedgerEntry.objects.get()
    assert response.status_code == 302 and entry.amount == 200 and entry.created_by == org.manager_a


def test_a_manager_cannot_record_for_another_department(org, login):
    rule = PenaltyRule.objects.get(code="GRABBING")
    response = login(org.manager_a).post(
        reverse("penalties:new"),
        {
            "person": org.sales_b.pk,
            "rule": rule.pk,
            "amount": "500",
            "occurred_on": "2026-11-19",
            "reason": "x",
        },
    )
    assert response.status_code == 200 and not LedgerEntry.objects.exists()


def test_entry_into_a_closed_month_is_refused_with_a_message(org, login):
    ClosedMonth.objects.create(month=date(2026, 10, 1), closed_at=NOW, closed_by=org.gm)
    rule = PenaltyRule.objects.get(code="GRABBING")
    response = login(org.manager_a).post(
        reverse("penalties:new"),
        {
            "person": org.sales_a.pk,
            "rule": rule.pk,
            "amount": "500",
            "occurred_on": "2026-10-19",
            "reason": "x",
        },
    )
    assert "2026-10" in response.context["form"].non_field_errors()[0]
    assert not LedgerEntry.objects.exists()


def test_gm_closes_a_month_and_exports_it_for_payroll(org, login, ledger):
    october = record(org.manager_a, org.sales_a, "GRABBING", on=date(2026, 10, 15))
    reward = record(org.manager_a, org.sales_a2, "REWARD_MONEY", "-300", on=date(2026, 10, 20))
    other = record(org.manager_b, org.sales_b, "WRONG_INFO", on=date(2026, 10, 21))
    for entry in (october, reward):
        ledger_confirm(actor=org.manager_a, entry=entry, now=NOW)
    ledger_confirm(actor=org.manager_b, entry=other, now=NOW)

    client = login(org.manager_a)
    client.post(reverse("penalties:month_close"), {"month": "2026-10"})
    assert not ClosedMonth.objects.exists()  # only the GM closes

    client = login(org.gm)
    response = client.post(reverse("penalties:month_close"), {"month": "2026-13"}, follow=True)
    assert list(response.context["messages"])[0].level_tag == "error"
    client.post(reverse("penalties:month_close"), {"month": "2026-10"})
    assert ClosedMonth.objects.filter(month=date(2026, 10, 1)).exists()

    response = client.get(reverse("penalties:month_export"), {"month": "2026-10"})
    book = load_workbook(BytesIO(response.content))
    by_department = {
        row[0]: row[-1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)
    }
    assert by_department == {"华东销售部": 200, "华南销售部": 20}
    by_person = {
        row[1]: row[-2] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)
    }
    assert by_person == {"sales_a": 500, "sales_a2": -300, "sales_b": 20}
    assert book.worksheets[2].max_row == 4  # header + three entries

    # A manager exports only their departments.
    response = login(org.manager_b).get(reverse("penalties:month_export"), {"month": "2026-10"})
    book = load_workbook(BytesIO(response.content))
    assert [r[0] for r in book.worksheets[0].iter_rows(min_row=2, values_only=True)] == [
        "华南销售部"
    ]


def test_a_bad_month_parameter_gives_a_message_not_an_error(org, login):
    client = login(org.gm)
    response = client.get(reverse("penalties:ledger"), {"month": "November"})
    assert response.status_code == 200
    assert list(response.context["messages"])[0].level_tag == "error"
    response = client.get(reverse("penalties:month_export"), {"month": "x"})
    assert response.status_code == 302


def test_reverse_from_the_page(org, login, ledger):
    ledger_confirm(actor=org.manager_a, entry=ledger["a"], now=NOW)
    client = login(org.manager_a)
    client.post(reverse("penalties:reverse", args=[ledger["a"].pk]), {"reason": "申诉成立"})
    reversal = LedgerEntry.objects.get(reversal_of=ledger["a"])
    assert reversal.amount == -500
    page = client.get(reverse("penalties:detail", args=[ledger["a"].pk])).content.decode()
    assert f"/penalties/{reversal.pk}/" in page


def _dashboard_queries(client, url) -> int:
    client.get(url)  # warm the per-process caches (constance, content types, session)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _add_department(n: int, org):
    department = DepartmentFactory(name=f"新部门{n}")
    manager = make_person(f"mgr{n}", Staff.Role.MANAGER, department, manages=department)
    sales = make_person(f"sales{n}", Staff.Role.SALESPERSON, department)
    customer = register(sales, now=NOW, phone=f"1380000{n:04d}")
    inquiry_log(
        actor=sales,
        phone=f"1380000{n:04d}",
        caller_name="",
        content="问价",
        occurred_at=NOW,
        now=NOW,
    )
    record(manager, sales, "GRABBING", customer=None)
    return customer


def test_company_dashboard_queries_do_not_grow_with_departments(org, login):
    client = login(org.gm)
    url = reverse("penalties:company")
    _add_department(1, org)
    few = _dashboard_queries(client, url)
    for n in range(2, 6):
        _add_department(n, org)
    many = _dashboard_queries(client, url)
    assert many == few
    response = client.get(url)
    rows = response.context["rows"]
    assert len(rows) == 8
    assert response.content.decode().count("<svg") == 5
    assert response.context["totals"]["to_confirm"] == 5


def test_dashboards_of_each_role_keep_constant_queries(org, login):
    _add_department(1, org)
    counts = {}
    for user in (org.gm, org.manager_a, org.sales_a):
        counts[user.username] = _dashboard_queries(login(user), reverse("crm:dashboard"))
    for n in range(2, 5):
        _add_department(n, org)
        record(org.manager_a, org.sales_a, "WRONG_INFO")
    for user in (org.gm, org.manager_a, org.sales_a):
        assert _dashboard_queries(login(user), reverse("crm:dashboard")) == counts[user.username]


def test_manager_dashboard_shows_success_rate_and_quota(org, login):
    customer = register(org.sales_a, now=NOW, phone="13900001111", intent_grade="A")
    for _ in range(4):
        inquiry_log(
            actor=org.sales_a,
            phone="13900001111",
            caller_name="",
            content="问价",
            occurred_at=NOW,
            now=NOW,
        )
    from customers.services import deal_record

    deal_record(
        actor=org.sales_a,
        customer=customer,
        now=NOW,
        data={
            "occurred_at": NOW,
            "product": "地板",
            "quantity": Decimal(1),
            "amount": Decimal(100),
            "paid": Decimal(100),
        },
    )
    response = login(org.manager_a).get(reverse("crm:dashboard"))
    panel = next(
        p for p in response.context["panels"] if p["template"] == "penalties/_manager_panel.html"
    )
    # Four calls from one caller are one phone inquirer (004 counts people); nobody visited.
    rates = panel["rates"]
    assert (rates.appointment.signed, rates.appointment.inquired) == (1, 1)
    assert rates.month.percent is None
    quota = {q.staff.user.username: q for q in panel["quota"]}
    assert quota["sales_a"].held == 1 and quota["sales_a"].missing == 4


def test_admin_shows_the_catalogue_in_chinese_and_the_ledger_read_only(org, login, ledger):
    from tests.factories import make_person

    admin_user = make_person("root", Staff.Role.GENERAL_MANAGER)
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = login(admin_user)
    page = client.get("/admin/penalties/penaltyrule/").content.decode()
    assert "记录超过截止时间录入（迟录）" in page
    assert client.get("/admin/penalties/ledgerentry/").status_code == 200
    assert client.get("/admin/penalties/ledgerentry/add/").status_code == 403
    response = client.post(
        f"/admin/penalties/ledgerentry/{ledger['a'].pk}/change/", {"amount": "1"}
    )
    assert response.status_code == 403
    assert LedgerEntry.objects.get(pk=ledger["a"].pk).amount == 500


def test_ledger_to_decide_and_months_pages_keep_their_query_count_as_entries_grow(
    org, login, ledger
):
    """Who may decide each row is worked out from one read of the managed departments."""
    client = login(org.manager_a)
    pages = [
        reverse("penalties:ledger") + "?month=2026-11",
        reverse("penalties:to_decide"),
        reverse("penalties:months"),
    ]
    few = [_dashboard_queries(client, url) for url in pages]
    for _ in range(12):
        record(org.manager_a, org.sales_a2, "WRONG_INFO")
        record(org.manager_a, org.sales_a1, "THIN_CONTENT")
    assert [_dashboard_queries(client, url) for url in pages] == few
    response = client.get(pages[0])
    assert len(response.context["decidable"]) == 26  # every proposal of departments a and a1


def test_the_general_manager_names_the_person_by_username_instead_of_a_company_list(org, login):
    """Issue 19: the GM's form has no list of every person (10,000 at scale); a username is
    typed, an unknown one is refused in Chinese and writes nothing, a manager keeps the list."""
    client = login(org.gm)
    page = client.get(reverse("penalties:new")).content.decode()
    assert 'name="person"' in page and '<select name="person"' not in page
    rule = PenaltyRule.objects.get(code="GRABBING")
    data = {
        "rule": rule.pk,
        "amount": "500",
        "occurred_on": "2026-11-19",
        "reason": "抢单，经核实",
    }
    response = client.post(reverse("penalties:new"), {**data, "person": "no.such.user"})
    assert response.status_code == 200 and not LedgerEntry.objects.exists()
    assert "没有" in str(response.context["form"].errors["person"])
    response = client.post(reverse("penalties:new"), {**data, "person": " " + org.sales_b.username})
    entry = LedgerEntry.objects.get()
    assert response.status_code == 302 and entry.person == org.sales_b
    # The manager still picks from their department's people.
    page = login(org.manager_a).get(reverse("penalties:new")).content.decode()
    assert '<select name="person"' in page
