"""The funnel from its per-month summary (issue 19 round 3; sales/models/summaries.py
`FunnelFigure`) against the live computation, on small data: after the build and after what
may happen since — opportunities opened, moved forwards and back, won and lost on the edges
of months in Asia/Shanghai, customers moving to another holder, department or pool and back
— for every role, narrowed by department or person, with and without the person rows, over
a year, a month and several months."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from customers.models import Customer
from sales.models import FunnelFigure, Opportunity, Stage, SummaryState
from sales.selectors import reports
from sales.selectors.reports import Period
from sales.selectors.summaries import funnel_groups
from sales.services.opportunities import opportunity_create, opportunity_move
from sales.services.summaries import funnel_build, summaries_build
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=SH)
ROLES = ["gm", "manager_a", "manager_b", "manager_a1", "accountant_a", "sales_a", "sales_b"]
PERIODS = [
    Period(date(2026, 1, 1), date(2026, 12, 31)),
    Period(date(2026, 6, 1), date(2026, 6, 30)),
    Period(date(2026, 7, 1), date(2026, 7, 31)),
    Period(date(2026, 3, 1), date(2026, 8, 31)),
    Period(date(2027, 1, 1), date(2027, 12, 31)),
]


def _live(fn, **kwargs):
    states = list(SummaryState.objects.all())
    SummaryState.objects.all().delete()
    try:
        return fn(**kwargs)
    finally:
        SummaryState.objects.bulk_create(states)


def _rows(rows):
    return [(r.key, r.label, r.department, sorted(_cells(r).items())) for r in rows]


def _cells(row):
    return {s: (c.count, c.amount, c.weighted) for s, c in row.cells.items() if c.count}


def _key(report):
    return (
        sorted(_cells(report.total).items()),
        _rows(report.departments),
        sorted(_rows(report.people), key=repr),
    )


def _check(org, *, read=True) -> None:
    for role in ROLES:
        user = getattr(org, role)
        for department, person in (
            (None, None),
            (org.a, None),
            (org.a1, None),
            (org.b, None),
            (None, org.sales_a),
            (None, org.sales_b),
            (org.a, org.sales_b),
        ):
            for period in PERIODS:
                for people in (True, False):
                    args = {
                        "user": user,
                        "period": period,
                        "department": department,
                        "person": person,
                        "people": people,
                    }
                    fast = reports.funnel(**args)
                    live = _live(reports.funnel, **args)
                    assert _key(fast) == _key(live), (role, department, person, period, people)
    if read:  # the summary answered (it is not the live path twice)
        year = PERIODS[0]
        assert funnel_groups(org.gm, start=year.start, end=year.end) is not None


def _open(org, holder, amount, close, *, at=NOW):
    customer = register(holder, now=at)
    return opportunity_create(
        actor=holder,
        customer=customer,
        data={"product": "集成灶", "expected_amount": Decimal(amount), "expected_close": close},
        now=at,
    )


def _move(opportunity, stage, at, *, actor=None):
    actor = actor or opportunity.customer.holder
    return opportunity_move(
        actor=actor,
        opportunity=opportunity,
        stage=stage,
        reason="价格" if stage == Stage.LOST else "",
        now=at,
    )


@pytest.fixture
def pipeline(org):
    """Opportunities of sales_a, sales_a2, sales_a1 and sales_b at every stage, expected to
    close this year and next, some won or lost."""
    made = {
        "a_contact": _open(org, org.sales_a, 1000, date(2026, 6, 30)),
        "a_needs": _open(org, org.sales_a, 2000, date(2026, 7, 1)),
        "a2_proposal": _open(org, org.sales_a2, 4000, date(2026, 6, 15)),
        "a1_contact": _open(org, org.sales_a1, 300, date(2026, 8, 31)),
        "b_contact": _open(org, org.sales_b, 10000, date(2027, 1, 10)),
        "b_won": _open(org, org.sales_b, 700, date(2026, 5, 5)),
    }
    _move(made["a_needs"], Stage.NEEDS, NOW + timedelta(hours=1))
    _move(made["a2_proposal"], Stage.NEEDS, NOW + timedelta(hours=1))
    _move(made["a2_proposal"], Stage.PROPOSAL, NOW + timedelta(hours=2))
    _move(made["b_won"], Stage.WON, datetime(2026, 3, 31, 23, 30, tzinfo=SH))
    org.made = made
    return org


def test_the_funnel_equals_the_live_computation_after_the_build(pipeline):
    funnel_build(now=NOW)
    assert FunnelFigure.objects.filter(by_holder=False).exists()
    _check(pipeline)


def test_the_funnel_follows_opportunities_opened_moved_won_and_lost_after_the_build(pipeline):
    org = pipeline
    funnel_build(now=NOW)
    made = org.made
    # Closed on the edges of months in Asia/Shanghai (UTC is still in the month before).
    _move(made["a_contact"], Stage.WON, datetime(2026, 7, 1, 0, 10, tzinfo=SH))
    _move(made["a_needs"], Stage.LOST, datetime(2026, 6, 30, 23, 59, tzinfo=SH))
    # Back a stage, then forward two.
    _move(made["a2_proposal"], Stage.NEEDS, NOW + timedelta(days=1))
    _move(made["a2_proposal"], Stage.NEGOTIATION, NOW + timedelta(days=2))
    made["new"] = _open(org, org.sales_b, 55, date(2026, 6, 1), at=NOW + timedelta(days=3))
    made["new_lost"] = _open(org, org.sales_a2, 66, date(2026, 9, 1), at=NOW + timedelta(days=3))
    _move(made["new_lost"], Stage.LOST, datetime(2026, 8, 1, 0, 0, tzinfo=SH))
    _check(org)


def test_the_funnel_is_correct_built_over_opportunities_closed_on_month_edges(pipeline):
    org = pipeline
    _move(org.made["a_contact"], Stage.WON, datetime(2026, 7, 1, 0, 0, tzinfo=SH))
    _move(org.made["a_needs"], Stage.LOST, datetime(2026, 6, 30, 23, 59, 59, tzinfo=SH))
    funnel_build(now=NOW)
    _check(org)


def test_customers_moving_after_the_build_take_their_opportunities_along(pipeline):
    org = pipeline
    funnel_build(now=NOW)
    made = org.made
    moved = made["a_contact"].customer
    moved.holder, moved.department = org.sales_b, org.b
    moved.save()
    pooled = made["a2_proposal"].customer
    pooled.holder, pooled.pool = None, "department"
    pooled.save()
    company = made["a1_contact"].customer
    company.holder, company.pool, company.department = None, "company", None
    company.save()
    back = made["b_won"].customer
    back.holder, back.department = org.sales_a, org.a
    back.save()
    back.holder, back.department = org.sales_b, org.b
    back.save()
    _check(org)
    # Moved again, then an opportunity of the moved customer changes: still counted where
    # the customer is now.
    moved.holder, moved.department = org.sales_a1, org.a1
    moved.save()
    _move(Opportunity.objects.get(pk=made["a_contact"].pk), Stage.NEEDS, NOW, actor=org.sales_a1)
    _check(org)
    # The next build puts everybody where they are.
    funnel_build(now=NOW + timedelta(days=1))
    _check(org)


def test_a_customer_whose_first_opportunity_comes_after_the_build_and_then_moves(pipeline):
    org = pipeline
    funnel_build(now=NOW)
    opportunity = _open(org, org.sales_a2, 123, date(2026, 6, 1), at=NOW + timedelta(days=1))
    customer = Customer.objects.get(pk=opportunity.customer_id)
    customer.holder, customer.department = org.sales_b2, org.b
    customer.save()
    _check(org)


def test_without_the_summary_or_for_other_days_the_funnel_is_live(pipeline):
    org = pipeline
    assert funnel_groups(org.gm, start=date(2026, 1, 1), end=date(2026, 12, 31)) is None
    summaries_build(as_of=date(2026, 3, 10), now=NOW)
    assert funnel_groups(org.gm, start=date(2026, 1, 1), end=date(2026, 12, 31)) is not None
    assert funnel_groups(org.gm, start=date(2026, 1, 2), end=date(2026, 12, 31)) is None
    assert funnel_groups(org.gm, start=date(2026, 1, 1), end=date(2026, 12, 30)) is None


def test_the_page_reads_the_figures(pipeline):
    org = pipeline
    funnel_build(now=NOW)
    year = PERIODS[0]
    live = _live(reports.funnel, user=org.gm, period=year)
    FunnelFigure.objects.filter(stage=Stage.CONTACT).update(amount=Decimal("0.01"))
    fast = reports.funnel(user=org.gm, period=year)
    assert fast.total.cells[Stage.CONTACT].amount != live.total.cells[Stage.CONTACT].amount
    assert fast.total.cells[Stage.WON].amount == live.total.cells[Stage.WON].amount
