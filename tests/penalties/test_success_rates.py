"""Success rates as 004 资料处理 2.C defines them (SPEC §8), on a small hand-counted fixture.

March 2026, department A (sales_a, sales_a2, manager_a), department B (sales_b):

| customer | source   | registered     | in March (A unless said)                                  |
|----------|----------|----------------|-----------------------------------------------------------|
| c1       | phone    | 02-10          | call 03-02, visit 03-05, deal 1000 on 03-10               |
| c2       | phone    | 03-03          | visits 03-04 and 03-20; declared invalid                  |
| c3       | walk_in  | 03-06 (pool)   | deal 500 on 03-25 entered by manager_a (credited nobody)  |
| c4       | designer | 03-08          | gift deal 03-15, never confirmed                          |
| c5       | designer | 01-20          | visit 03-12, points deal 03-18 confirmed by manager_a     |
| c6       | phone    | 01-05          | (call 01-06) deals 200 on 03-28 and 03-29                 |
| c7       | phone    | 02-01          | deal 300 on 03-20, call 03-30 (after the deal)            |
| c8       | phone    | 02-01          | deal 02-27; visit 04-01 00:10 (outside March)             |
| c9 (B)   | phone    | 02-15          | call 03-01, visit 03-05, deal 800 on 03-06 (all sales_b)  |
| c10      | store    | 03-22 by a2    | —                                                         |
| c11      | walk_in  | 03-23 by a2    | — (pool)                                                  |
| 13700000001 unmatched: two calls by sales_a, one by sales_b in March                         |
| 13700000002 unmatched: one call by sales_a2 in March                                         |

A, March: signed {c1, c3, c5, c6, c7} = 5; store visitors {c1, c2, c5, c3, c10, c11} = 6;
phone inquirers {c1, c7, p1, p2} = 4, of the signed {c1, c6} had called before their deal;
designer: signed {c5}, brought or inquiring {c4, c5}.
A, January–March: signed + c8 = 6; inquirers = visitors + {c7, p1, p2, c6} = 10.
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from customers.services import (
    customer_declare_invalid,
    deal_confirm,
    deal_record,
    followup_log,
    inquiry_log,
)
from penalties.rates import (
    Period,
    Rate,
    appointment_success_rate,
    designer_success_rate,
    monthly_success_rate,
    success_rates,
    yearly_success_rate,
)
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
MARCH = Period.month(date(2026, 3, 1))
Q1 = Period.year_to_month_end(date(2026, 3, 1))


def at(month, day, hour=10, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


def visit(actor, customer, when):
    return followup_log(
        actor=actor,
        customer=customer,
        data={"kind": "store_visit", "occurred_at": when, "content": "客户到店看了样品和报价单。"},
        now=when,
    )


def call(actor, phone, when):
    return inquiry_log(
        actor=actor, phone=phone, caller_name="", content="问价格和工期", occurred_at=when, now=when
    )


def deal(actor, customer, when, amount, **extra):
    return deal_record(
        actor=actor,
        customer=customer,
        now=when,
        data={
            "occurred_at": when,
            "product": "地板",
            "quantity": Decimal(1),
            "amount": Decimal(amount),
            **extra,
        },
    )


@pytest.fixture
def march(org):
    a, a2, b, m = org.sales_a, org.sales_a2, org.sales_b, org.manager_a
    c = {}
    c["c6"] = register(a, now=at(1, 5), source="phone", phone="13900000006")
    call(a, "13900000006", at(1, 6))
    c["c5"] = register(a, now=at(1, 20), source="designer", phone="13900000005")
    c["c7"] = register(a, now=at(2, 1), source="phone", phone="13900000007")
    c["c8"] = register(a, now=at(2, 1, 11), source="phone", phone="13900000008")
    c["c1"] = register(a, now=at(2, 10), source="phone", phone="13900000001")
    c["c9"] = register(b, now=at(2, 15), source="phone", phone="13900000009")
    deal(a, c["c8"], at(2, 27), 300)

    call(b, "13900000009", at(3, 1))
    call(a, "13900000001", at(3, 2))
    c["c2"] = register(a, now=at(3, 3), source="phone", phone="13900000002")
    visit(a, c["c2"], at(3, 4))
    visit(a, c["c1"], at(3, 5))
    visit(b, c["c9"], at(3, 5, 11))
    c["c3"] = register(a, now=at(3, 6), source="walk_in", phone="13900000003")
    deal(b, c["c9"], at(3, 6), 800)
    c["c4"] = register(a, now=at(3, 8), source="designer", phone="13900000004")
    deal(a, c["c1"], at(3, 10), 1000)
    visit(a, c["c5"], at(3, 12))
    call(a, "13700000001", at(3, 14))
    call(a, "13700000001", at(3, 15))
    call(b, "13700000001", at(3, 15, 11))
    call(a2, "13700000002", at(3, 16))
    deal(a, c["c4"], at(3, 15, 15), 0, gifts="抱枕")
    points = deal(a, c["c5"], at(3, 18), 0, points=100)
    deal_confirm(actor=m, deal=points, now=at(3, 19))
    visit(a, c["c2"], at(3, 20))
    deal(a, c["c7"], at(3, 20, 15), 300)
    c["c10"] = register(a2, now=at(3, 22), source="store", phone="13900000010")
    c["c11"] = register(a2, now=at(3, 23), source="walk_in", phone="13900000011")
    deal(m, c["c3"], at(3, 25), 500)
    deal(a, c["c6"], at(3, 28), 200)
    deal(a, c["c6"], at(3, 29), 150)
    call(a, "13900000007", at(3, 30))
    followup_log(
        actor=m,
        customer=c["c2"],
        data={
            "kind": "callback",
            "occurred_at": at(3, 30, 16),
            "content": "经理亲自回访，客户已另选他家。",
        },
        now=at(3, 30, 16),
    )
    customer_declare_invalid(actor=m, customer=c["c2"], reason="已在别家签约", now=at(3, 31))
    visit(a, c["c8"], at(4, 1, 0, 10))
    return c


def test_fixture_sets_the_facts_the_rates_rely_on(org, march):
    march["c2"].refresh_from_db()
    march["c3"].refresh_from_db()
    assert march["c2"].is_invalid
    assert march["c3"].holder_id is None, "walk-in registered into the department pool"


# --- 当月成功率 --------------------------------------------------------------------------------


def test_monthly_rate_is_signed_over_store_visitors(org, march):
    table = monthly_success_rate(period=MARCH, department_ids=[org.a.pk])
    # Signed: c1, c3, c5 (confirmed points), c6 (two deals, once), c7; not c4 (unconfirmed gift),
    # not c8 (February). Visitors: c1, c2 (twice, invalid: still counted), c5, and the store-
    # channel registrations c3, c10, c11; not c8 (04-01 00:10 Shanghai is April).
    assert table.total == Rate(signed=5, inquired=6)
    assert table.total.percent == pytest.approx(83.333, abs=0.001)
    assert table.by_department == {org.a.pk: Rate(5, 6)}


def test_monthly_rate_of_the_other_department_and_the_company(org, march):
    assert monthly_success_rate(period=MARCH, department_ids=[org.b.pk]).total == Rate(1, 1)
    company = monthly_success_rate(period=MARCH)
    assert company.total == Rate(6, 7)
    assert company.by_department == {org.a.pk: Rate(5, 6), org.b.pk: Rate(1, 1)}


def test_monthly_rate_of_one_person(org, march):
    # sales_a: credited with c1, c5, c6, c7 (c3 went to nobody: it sat in the pool);
    # received c1, c2, c5 in the store and registered the walk-in c3.
    assert monthly_success_rate(period=MARCH, user=org.sales_a).total == Rate(4, 4)
    assert monthly_success_rate(period=MARCH, user=org.sales_a2).total == Rate(0, 2)


# --- 约见成功率 --------------------------------------------------------------------------------


def test_appointment_rate_is_signed_after_a_call_over_callers(org, march):
    table = appointment_success_rate(period=MARCH, department_ids=[org.a.pk])
    # Callers: c1, c7 (called after signing), 13700000001 (twice), 13700000002; c6 called in
    # January. Signed after a call: c1 (call 03-02), c6 (call 01-06); not c7 (call 03-30).
    assert table.total == Rate(signed=2, inquired=4)
    assert table.total.percent == 50.0


def test_appointment_rate_counts_a_caller_once_in_the_company_total(org, march):
    assert appointment_success_rate(period=MARCH, department_ids=[org.b.pk]).total == Rate(1, 2)
    company = appointment_success_rate(period=MARCH)
    # A's 4 callers + B's 2, but 13700000001 called both departments: 5 people.
    assert company.total == Rate(signed=3, inquired=5)
    assert company.by_department[org.a.pk] == Rate(2, 4)
    assert company.by_department[org.b.pk] == Rate(1, 2)


# --- 整年成功率 --------------------------------------------------------------------------------


def test_yearly_rate_is_signed_over_distinct_inquirers_of_the_year(org, march):
    table = yearly_success_rate(period=Q1, department_ids=[org.a.pk])
    # Signed January–March: c1, c3, c5, c6, c7, c8. Inquirers: visitors c1, c2, c3, c5, c10, c11
    # and callers c1 (again), c6, c7, 13700000001, 13700000002: 10 people.
    assert table.total == Rate(signed=6, inquired=10)
    assert table.total.percent == 60.0
    company = yearly_success_rate(period=Q1)
    assert company.total == Rate(signed=7, inquired=11)


def test_year_period_runs_from_january_to_the_end_of_the_month():
    assert Period(date(2026, 1, 1), date(2026, 4, 1)) == Q1
    assert Period.month(date(2026, 12, 15)) == Period(date(2026, 12, 1), date(2027, 1, 1))


# --- 家装顾问成功率 ----------------------------------------------------------------------------


def test_designer_rate_is_designer_signed_over_designer_inquirers(org, march):
    table = designer_success_rate(period=MARCH, department_ids=[org.a.pk])
    # c4 brought in (registered) in March, c5 visited; only c5's confirmed deal counts.
    assert table.total == Rate(signed=1, inquired=2)
    assert table.total.percent == 50.0


# --- scope, periods and zero denominators ----------------------------------------------------


def test_zero_denominators_give_no_percentage(org, march):
    empty = success_rates(month=date(2026, 3, 1), department_ids=[org.a1.pk])
    for rate in (empty.total.month, empty.total.appointment, empty.total.year):
        assert rate == Rate(0, 0) and rate.percent is None
    assert designer_success_rate(period=MARCH, department_ids=[org.b.pk]).total.percent is None
    assert Rate(3, 0).percent is None


def test_records_outside_the_period_are_left_out(org, march):
    april = success_rates(month=date(2026, 4, 1), department_ids=[org.a.pk])
    assert april.total.month == Rate(signed=0, inquired=1), "c8's visit at 00:10 on 04-01"
    assert april.total.year == Rate(signed=6, inquired=11)
    february = success_rates(month=date(2026, 2, 1), department_ids=[org.a.pk])
    assert february.total.month == Rate(signed=1, inquired=0)


def test_success_rates_bundle_reads_each_department(org, march):
    rates = success_rates(month=date(2026, 3, 1))
    a = rates.for_department(org.a.pk)
    assert (a.month, a.appointment, a.year, a.designer) == (
        Rate(5, 6),
        Rate(2, 4),
        Rate(6, 10),
        Rate(1, 2),
    )
    assert rates.for_department(org.a1.pk).month == Rate(0, 0)


def test_the_four_rates_take_one_query(org, march, django_assert_num_queries):
    with django_assert_num_queries(1):
        success_rates(month=date(2026, 3, 1))
    with django_assert_num_queries(1):
        monthly_success_rate(period=MARCH)


# --- dashboards ------------------------------------------------------------------------------


@pytest.fixture
def in_march():
    with time_machine.travel(at(3, 31, 18), tick=False):
        yield


def _panel(response, template):
    return next(p for p in response.context["panels"] if p["template"] == template)


def test_manager_dashboard_shows_the_four_rates_of_their_departments(org, march, login, in_march):
    response = login(org.manager_a).get(reverse("crm:dashboard"))
    rates = _panel(response, "penalties/_manager_panel.html")["rates"]
    assert (rates.month, rates.appointment, rates.year, rates.designer) == (
        Rate(5, 6),
        Rate(2, 4),
        Rate(6, 10),
        Rate(1, 2),
    )
    page = response.content.decode()
    assert 'data-testid="rate-month"' in page and "83.3%" in page


def test_salesperson_dashboard_shows_own_rates(org, march, login, in_march):
    response = login(org.sales_a2).get(reverse("crm:dashboard"))
    rates = _panel(response, "penalties/_own_panel.html")["rates"]
    assert rates.month == Rate(0, 2) and rates.designer == Rate(0, 0)
    assert 'data-testid="own-rate-designer"' in response.content.decode()


def test_company_overview_shows_every_department_side_by_side(org, march, login, in_march):
    response = login(org.gm).get(reverse("penalties:company"), {"month": "2026-03"})
    rows = {r.department.pk: r for r in response.context["rows"]}
    assert rows[org.a.pk].rates.appointment == Rate(2, 4)
    assert rows[org.b.pk].rates.appointment == Rate(1, 2)
    assert rows[org.a1.pk].rates.month == Rate(0, 0)
    assert response.context["total_rates"].appointment == Rate(3, 5)
    page = response.content.decode()
    a1_row = page.split(f'data-department="{org.a1.pk}"')[1].split("</tr>")[0]
    assert "—" in a1_row and "%" not in a1_row


def test_recent_rates_are_the_live_rates_kept_per_scope_and_month(
    org, march, settings, django_assert_num_queries
):
    """The dashboards' cached rates (DASHBOARD_RATES_CACHE_SECONDS) equal the live ones, are
    kept per scope (departments, person) and month, and are read from the cache afterwards."""
    from django.core.cache import cache

    from penalties.rates import recent_success_rates

    cache.clear()
    settings.DASHBOARD_RATES_CACHE_SECONDS = 300
    month = date(2026, 3, 1)
    a, b = org.a.pk, org.b.pk
    scopes = [
        {"department_ids": [a]},
        {"department_ids": [b, a]},
        {"department_ids": None},
        {"user": org.sales_a},
    ]
    for scope in scopes:
        live = success_rates(month=month, **scope)
        assert recent_success_rates(month=month, **scope) == live
        with django_assert_num_queries(0):
            assert recent_success_rates(month=month, **scope) == live
    # Another month is another key: February has none of March's signings.
    assert recent_success_rates(month=date(2026, 2, 1), department_ids=[a]) == success_rates(
        month=date(2026, 2, 1), department_ids=[a]
    )
    assert recent_success_rates(month=date(2026, 2, 1), department_ids=[a]) != (
        recent_success_rates(month=month, department_ids=[a])
    )
    # Switched off, every call computes.
    settings.DASHBOARD_RATES_CACHE_SECONDS = 0
    with django_assert_num_queries(1):
        recent_success_rates(month=month, department_ids=[a])


def test_company_figures_refreshed_in_the_background_serve_the_company_view(
    org, march, settings, django_assert_max_num_queries
):
    """The beat job computes the whole company's rates and customer counts; the company view
    then reads them from the cache (no success-rate query) and shows what the live
    computation gives."""
    from django.core.cache import cache

    from crm.models import Department
    from penalties import stats
    from penalties.rates import recent_success_rates
    from penalties.tasks import company_rates_task

    cache.clear()
    settings.DASHBOARD_RATES_CACHE_SECONDS = 300
    settings.DASHBOARD_COUNTS_CACHE_SECONDS = 300
    month = date(2026, 3, 1)
    # Inside the clock of the run: the cache's expiry is counted from it.
    with time_machine.travel(datetime(2026, 3, 31, 12, tzinfo=SH), tick=False):
        company_rates_task()
        ids = list(Department.objects.values_list("pk", flat=True))
        live_counts = stats._customer_counts(ids)
        with django_assert_max_num_queries(0):
            cached = recent_success_rates(month=month)
        assert cached == success_rates(month=month)
        limit = stats.COUNT_LIVE_DEPARTMENTS
        try:
            stats.COUNT_LIVE_DEPARTMENTS = 0  # the fixture has fewer than 20 departments
            with django_assert_max_num_queries(0):
                assert stats.customer_counts(ids) == live_counts
            # Few departments are counted live, never from the cache.
            stats.COUNT_LIVE_DEPARTMENTS = limit
            expected = stats._customer_counts(ids[:1])
            with django_assert_max_num_queries(1):
                assert stats.customer_counts(ids[:1]) == expected
        finally:
            stats.COUNT_LIVE_DEPARTMENTS = limit
