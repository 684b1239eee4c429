"""年度评价 (001 四.4; SPEC §11): which customers are due, who submits and who adds the managers'
verdicts, the 12-25 deadline with reminders from 12-01, the overdue list and KPI line from 12-26,
and the yearly table's 总体评价/联系人评价."""

import importlib
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from constance.test import override_config
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from crm.models import Notification
from customers.services import deal_record
from penalties.defaults import RULES
from penalties.models import LedgerEntry
from sales.selectors.yearly import yearly_table
from service.models import YearlyEvaluation
from service.selectors.yearly import due_customers, due_date, overdue_rows, overdue_year
from service.services.yearly import (
    YearlyEvaluationError,
    yearly_evaluation_add_director,
    yearly_evaluation_add_manager,
    yearly_evaluation_submit,
    yearly_evaluations_run,
)
from tests.factories import register

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
DATA = {
    "transaction_grade": "good",
    "transaction_note": "全年回款及时",
    "credit_grade": "A",
    "credit_note": "",
    "contact_grade": "fair",
    "contact_note": "采购经理换人",
}


def at(*args):
    return datetime(*args, tzinfo=SH)


def sold(actor, customer, when):
    return deal_record(
        actor=actor,
        customer=customer,
        now=when,
        data={
            "occurred_at": when,
            "product": "地板",
            "quantity": Decimal("10"),
            "amount": Decimal("1000"),
            "paid": Decimal("1000"),
        },
    )


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(org):
    """sales_a holds c1 (a 2026 deal) and c2 (a 2025 deal only); sales_a1 (上海分部, under A)
    holds c3 (a 2026 deal)."""
    c1 = register(org.sales_a, name="甲公司", phone="13800000001")
    c2 = register(org.sales_a, name="乙公司", phone="13800000002")
    c3 = register(org.sales_a1, name="丙公司", phone="13800000003")
    sold(org.sales_a, c1, at(2026, 3, 2, 10))
    sold(org.sales_a, c2, at(2025, 6, 2, 10))
    sold(org.sales_a1, c3, at(2026, 5, 6, 10))
    return c1, c2, c3


def submit(actor, customer, year=2026, now=None):
    return yearly_evaluation_submit(
        actor=actor, customer=customer, year=year, data=DATA, now=now or at(2026, 12, 10, 9)
    )


def test_due_customers_are_the_held_ones_with_deals_that_year(org, world):
    c1, c2, c3 = world
    assert set(due_customers(2026)) == {c1, c3}
    assert set(due_customers(2025)) == {c2}


def test_only_the_holder_submits_once_for_a_year_with_deals(org, world, english):
    c1, c2, _c3 = world
    with pytest.raises(YearlyEvaluationError, match="holder"):
        submit(org.sales_a2, c1)
    with pytest.raises(YearlyEvaluationError, match="holder"):
        submit(org.manager_a, c1)
    with pytest.raises(YearlyEvaluationError, match="no deals in 2026"):
        submit(org.sales_a, c2)
    ev = submit(org.sales_a, c1)
    assert ev.department_id == org.a.pk and not ev.is_late
    with pytest.raises(YearlyEvaluationError, match="already submitted"):
        submit(org.sales_a, c1)
    late = submit(org.sales_a, c2, year=2025, now=at(2026, 1, 3, 9))
    assert late.is_late


def test_the_business_manager_then_the_supervising_manager(org, world, english):
    c1, _c2, c3 = world
    ev = submit(org.sales_a, c1)
    now = at(2026, 12, 28, 9)
    with pytest.raises(YearlyEvaluationError, match="business manager's evaluation comes first"):
        yearly_evaluation_add_director(actor=org.gm, evaluation=ev, note="好", now=now)
    for outsider in (org.manager_b, org.gm, org.sales_a):  # A has a manager: not the GM
        with pytest.raises(YearlyEvaluationError, match="department's manager"):
            yearly_evaluation_add_manager(actor=outsider, evaluation=ev, note="好", now=now)
    with pytest.raises(YearlyEvaluationError, match="Write"):
        yearly_evaluation_add_manager(actor=org.manager_a, evaluation=ev, note="  ", now=now)
    yearly_evaluation_add_manager(actor=org.manager_a, evaluation=ev, note="重点维护", now=now)
    with pytest.raises(YearlyEvaluationError, match="already in"):
        yearly_evaluation_add_manager(actor=org.manager_a, evaluation=ev, note="再次", now=now)
    # A has no parent department: the GM is the supervising manager.
    with pytest.raises(YearlyEvaluationError, match="supervising manager adds"):
        yearly_evaluation_add_director(actor=org.manager_a, evaluation=ev, note="好", now=now)
    yearly_evaluation_add_director(actor=org.gm, evaluation=ev, note="同意", now=now)
    ev.refresh_from_db()
    assert (ev.manager_by, ev.director_by) == (org.manager_a, org.gm)

    # 上海分部 (under A): its manager first, then A's manager as the supervising manager.
    ev3 = submit(org.sales_a1, c3)
    yearly_evaluation_add_manager(actor=org.manager_a1, evaluation=ev3, note="稳定", now=now)
    with pytest.raises(YearlyEvaluationError, match="supervising manager adds"):
        yearly_evaluation_add_director(actor=org.gm, evaluation=ev3, note="好", now=now)
    yearly_evaluation_add_director(actor=org.manager_a, evaluation=ev3, note="好", now=now)


def test_the_yearly_table_shows_the_evaluations(org, world):
    c1, _c2, _c3 = world
    ev = submit(org.sales_a, c1)
    yearly_evaluation_add_manager(
        actor=org.manager_a, evaluation=ev, note="重点维护", now=at(2026, 12, 28, 9)
    )
    row = {r.year: r for r in yearly_table(c1, as_of=date(2026, 12, 30))}[2026]
    assert "重点维护" in row.evaluation and "A" in row.evaluation
    assert "采购经理换人" in row.contact_evaluation


def test_deadline_reminders_overdue_list_and_kpi_line(org, world):
    """Reminders daily 12-01..12-25 (once a day), nothing before; on 12-26 a 0-yuan KPI line per
    missing evaluation on its holder (once) and one notice to the managers; the overdue list."""
    c1, _c2, c3 = world
    assert due_date(2026) == date(2026, 12, 25)
    assert overdue_year(date(2026, 12, 25)) is None and overdue_year(date(2026, 12, 26)) == 2026
    now = at(2026, 12, 1, 8, 15)
    assert yearly_evaluations_run(as_of=date(2026, 11, 30), now=now).reminded == 0
    first = yearly_evaluations_run(as_of=date(2026, 12, 1), now=now)
    assert first.reminded == 2 and first.proposed == 0  # sales_a and sales_a1
    assert yearly_evaluations_run(as_of=date(2026, 12, 1), now=now).reminded == 0
    assert Notification.objects.filter(recipient=org.sales_a).count() == 1
    submit(org.sales_a, c1)
    last = yearly_evaluations_run(as_of=date(2026, 12, 25), now=now)
    assert last.reminded == 1 and last.proposed == 0  # only sales_a1 still owes one
    assert Notification.objects.filter(recipient=org.sales_a).count() == 1

    overdue = yearly_evaluations_run(as_of=date(2026, 12, 26), now=at(2026, 12, 26, 8, 15))
    assert overdue.reminded == 0 and overdue.proposed == 1
    entry = LedgerEntry.objects.get(rule__code="YEARLY_EVALUATION_MISSING")
    assert (entry.person, entry.customer, entry.amount) == (org.sales_a1, c3, Decimal("0"))
    assert entry.occurred_on == date(2026, 12, 25) and entry.status == "proposed"
    # 上海分部's manager and the manager above are told once.
    assert overdue.overdue_notified == 2
    again = yearly_evaluations_run(as_of=date(2026, 12, 27), now=at(2026, 12, 27, 8, 15))
    assert (again.proposed, again.overdue_notified) == (0, 0)
    assert LedgerEntry.objects.filter(rule__code="YEARLY_EVALUATION_MISSING").count() == 1
    # The overdue list: the managers above see it; B's manager does not.
    assert list(overdue_rows(org.manager_a, 2026)) == [c3]
    assert list(overdue_rows(org.manager_b, 2026)) == []


def test_the_due_date_is_the_admins(org, world):
    with override_config(YEARLY_EVALUATION_DUE="12-20", YEARLY_EVALUATION_REMINDERS_FROM="12-10"):
        now = at(2026, 12, 9, 8)
        assert yearly_evaluations_run(as_of=date(2026, 12, 9), now=now).reminded == 0
        assert yearly_evaluations_run(as_of=date(2026, 12, 10), now=now).reminded == 2
        run = yearly_evaluations_run(as_of=date(2026, 12, 21), now=now)
        assert run.proposed == 2 and run.reminded == 0


def test_a_dry_run_writes_nothing(org, world):
    run = yearly_evaluations_run(as_of=date(2026, 12, 26), now=at(2026, 12, 26, 8), dry_run=True)
    assert run.proposed == 2
    assert not LedgerEntry.objects.filter(rule__code="YEARLY_EVALUATION_MISSING").exists()
    assert not Notification.objects.exists()


def test_the_rule_row_matches_its_migration():
    migration = importlib.import_module("penalties.migrations.0007_yearly_evaluation_missing")
    (frozen,) = migration.NEW_RULES
    (default,) = [r for r in RULES if r[0] == "YEARLY_EVALUATION_MISSING"]
    assert frozen[0] == default[0] and frozen[1] == default[1] and frozen[2] == default[2]
    assert [Decimal(v) for v in frozen[3:6]] == list(default[3:6])
    assert tuple(frozen[6:]) == tuple(default[6:])


# --- pages ------------------------------------------------------------------------------


def test_the_holder_fills_and_the_manager_adds_theirs(org, world, login):
    c1, _c2, _c3 = world
    client = login(org.sales_a)
    page = client.get(reverse("service:yearly_list"), {"year": 2026})
    assert page.status_code == 200 and "甲公司" in page.content.decode()
    assert "丙公司" not in page.content.decode()  # not hers
    url = reverse("service:yearly_evaluate", args=[c1.pk, 2026])
    response = client.post(url, DATA)
    ev = YearlyEvaluation.objects.get(customer=c1, year=2026)
    assert response.status_code == 302 and ev.submitted_by == org.sales_a
    assert client.get(url).status_code == 302  # once submitted: to the evaluation
    assert login(org.sales_a2).get(url).status_code == 404
    assert login(org.sales_b).get(reverse("service:yearly_detail", args=[ev.pk])).status_code == 404

    client = login(org.manager_a)
    detail = client.get(reverse("service:yearly_detail", args=[ev.pk]))
    assert 'data-testid="manager-form"' in detail.content.decode()
    client.post(reverse("service:yearly_manager", args=[ev.pk]), {"manager-note": "重点维护"})
    ev.refresh_from_db()
    assert ev.manager_note == "重点维护" and ev.manager_by == org.manager_a
    # The GM is not A's business manager: the page offers nothing, a POST changes nothing.
    login(org.gm).post(reverse("service:yearly_director", args=[ev.pk]), {"director-note": "同意"})
    ev.refresh_from_db()
    assert ev.director_by == org.gm


def test_the_overdue_page_is_the_managers(org, world, login):
    _c1, c2, _c3 = world
    url = reverse("service:yearly_overdue")
    assert login(org.sales_a).get(url).status_code == 404
    assert login(org.accountant_a).get(url).status_code == 404
    page = login(org.manager_a).get(url, {"year": 2025})
    assert page.status_code == 200 and "乙公司" in page.content.decode()
    assert "乙公司" not in login(org.manager_b).get(url, {"year": 2025}).content.decode()


def test_the_list_reads_a_constant_number_of_queries(org, login):
    client = login(org.manager_a)
    url = reverse("service:yearly_list")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"year": 2026}).status_code == 200
        return len(queries)

    c = register(org.sales_a, name="一号", phone="13900000001")
    sold(org.sales_a, c, at(2026, 2, 2, 10))
    one = count()
    for i in range(2, 7):
        c = register(org.sales_a, name=f"{i}号", phone=f"1390000000{i}")
        sold(org.sales_a, c, at(2026, 2, 2, 10))
    assert count() == one
