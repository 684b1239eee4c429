"""The dashboard's faster reads (issue 19) give the answers of the straightforward selectors they
stand in for: the departments read once per request, the ledger proposals through a literal
list of department ids, the protection queue and the inbox on the ids the page read, the
accountant's worklist figures grouped before the department's name is joined. Small data,
explicit clocks."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from allocation.inbox import inbox_for
from allocation.selectors.distribution import protection_queue
from crm.dashboard import managed_department_ids, managed_departments, visible_departments
from crm.models import Department
from crm.selectors import departments_managed_by, departments_visible_to
from customers.dashboard import worklist_summary
from customers.models import Customer
from customers.selectors import incomplete_summary
from customers.services import deal_record
from penalties.dashboard import managed_entries_to_decide
from penalties.models import LedgerEntry
from penalties.selectors import entries_to_decide
from tests.customers.test_activity_summary import activity, customers  # noqa: F401 (fixtures)
from tests.factories import ledger_entry, register

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 4, 13, 10, 0, tzinfo=SH)


def at(*args):
    return datetime(*args, tzinfo=SH)


def request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_managed_departments_are_read_once_per_request(org):
    request = request_for(org.manager_a)
    with CaptureQueriesContext(connection) as ctx:
        first = managed_departments(request)
        ids = managed_department_ids(request)
        again = managed_departments(request)
    assert len(ctx.captured_queries) == 1
    assert first is again
    expected = list(departments_managed_by(org.manager_a).order_by("path"))
    assert [d.pk for d in first] == [d.pk for d in expected] == ids
    assert {d.pk for d in first} == {org.a.pk, org.a1.pk}  # the subtree
    a = next(d for d in first if d.pk == org.a.pk)
    assert a.member_count == 4  # manager_a, sales_a, sales_a2, accountant_a
    # A new request reads again (nothing is kept across requests).
    with CaptureQueriesContext(connection) as ctx:
        managed_departments(request_for(org.manager_a))
    assert len(ctx.captured_queries) == 1


def test_visible_departments_match_the_selector(org):
    for user in (org.accountant_a, org.accountant_b, org.gm, org.sales_a):
        got = [d.pk for d in visible_departments(request_for(user))]
        assert got == list(
            departments_visible_to(user).order_by("path").values_list("pk", flat=True)
        )


def test_proposals_to_decide_match_the_selector(org):
    for actor, person, day in (
        (org.manager_a, org.sales_a, 1),
        (org.manager_a1, org.sales_a1, 2),
        (org.manager_b, org.sales_b, 3),
        (org.gm, org.manager_a, 4),  # about the manager: another decides it
    ):
        ledger_entry(actor, person, "GRABBING", now=at(2026, 4, day, 9), on=date(2026, 4, day))
    assert LedgerEntry.objects.filter(status=LedgerEntry.Status.PROPOSED).count() == 4
    for user in (org.manager_a, org.manager_a1, org.manager_b, org.gm):
        ids = managed_department_ids(request_for(user))
        fast = managed_entries_to_decide(user, ids).order_by("created_at", "pk")
        live = entries_to_decide(user).order_by("created_at", "pk")
        assert list(fast) == list(live), user
        assert fast.count() == live.count()
    assert (
        managed_entries_to_decide(
            org.manager_a, managed_department_ids(request_for(org.manager_a))
        ).count()
        == 2
    )


def test_protection_queue_and_inbox_on_the_ids_read(org):
    # Held since February with no follow-up by the holder: past the month of protection.
    for holder in (org.sales_a, org.sales_a1, org.sales_b):
        register(holder, now=at(2026, 2, 1, 9))
    for user in (org.manager_a, org.manager_b, org.gm):
        ids = managed_department_ids(request_for(user))
        fast = protection_queue(user, as_of=NOW, managed_ids=ids)
        assert list(fast) == list(protection_queue(user, as_of=NOW))
        assert fast.count() == {org.manager_a: 2, org.manager_b: 1, org.gm: 3}[user]
        by_ids = [
            (i.kind, i.title, i.created_at, i.url)
            for i in inbox_for(user, now=NOW, managed_ids=ids)
        ]
        assert by_ids == [(i.kind, i.title, i.created_at, i.url) for i in inbox_for(user, now=NOW)]


def incomplete(org):
    """Department A: overdue, due this week, no deal; A1: overdue; B: overdue."""
    for holder, deal_on in (
        (org.sales_a, at(2026, 1, 5, 10)),
        (org.sales_a, at(2026, 1, 16, 10)),
        (org.sales_a, None),
        (org.sales_a1, at(2026, 1, 5, 10)),
        (org.sales_b, at(2026, 1, 5, 10)),
    ):
        c = register(holder, now=at(2026, 1, 2, 9), address="", region="")
        if deal_on:
            deal_record(
                actor=holder,
                customer=c,
                now=deal_on,
                data={
                    "occurred_at": deal_on,
                    "product": "地板",
                    "quantity": Decimal("1"),
                    "amount": Decimal("3000"),
                },
            )


def test_worklist_figures_match_the_selector(org):
    incomplete(org)
    assert Customer.objects.filter(is_incomplete=True).count() == 5
    for user in (org.accountant_a, org.accountant_b, org.manager_a, org.gm, org.sales_a):
        for today in (date(2026, 4, 13), date(2026, 4, 10), date(2026, 1, 1)):
            assert worklist_summary(user, today=today) == incomplete_summary(user, today=today), (
                user,
                today,
            )
    figures = worklist_summary(org.accountant_a, today=date(2026, 4, 13))
    assert [r["department__name"] for r in figures["by_department"]] == ["上海分部", "华东销售部"]
    assert figures["total"] == 4
    # Nothing left incomplete: the same empty answer.
    Customer.objects.update(is_incomplete=False)
    assert worklist_summary(org.accountant_a, today=date(2026, 4, 13)) == incomplete_summary(
        org.accountant_a, today=date(2026, 4, 13)
    )


def test_a_month_not_summarised_yet_counts_after_the_watermark(org, customers, activity):  # noqa: F811
    """December has no summary row yet (the build ran before any December write): the live
    part still starts after the watermark — the same answers as counting everything live."""
    from customers.models import FollowUp
    from customers.summary import activity_by_department, activity_by_month, summary_build
    from penalties.stats import _department_rows_live, department_rows
    from tests.customers.test_activity_summary import ROW_FIELDS, deal, followup

    c1, c2, _ = customers
    mark = summary_build(now=datetime(2026, 12, 1, 5, tzinfo=SH))
    dec = date(2026, 12, 1)
    followup(org.sales_a, c1, datetime(2026, 12, 1, 9, tzinfo=SH))
    deal(org.sales_b, c2, datetime(2026, 12, 1, 10, tzinfo=SH))
    followup(org.sales_a, c1, datetime(2026, 11, 30, 23, tzinfo=SH))  # backdated: November
    departments = list(Department.objects.order_by("path"))
    for month in (date(2026, 11, 1), dec):
        fast = department_rows(departments, month=month)
        live = _department_rows_live(departments, month=month)
        for f, slow in zip(fast, live, strict=True):
            for name in ROW_FIELDS:
                assert getattr(f, name) == getattr(slow, name), (month, f.department, name)
    ids = [d.pk for d in departments]
    start, end = at(2026, 12, 1, 0), at(2027, 1, 1, 0)
    with CaptureQueriesContext(connection) as ctx:
        got = activity_by_department(ids, start=start, end=end, month=dec)
    assert got[org.a.pk].followups == 1 and got[org.b.pk].deals == 1
    live_part = ctx.captured_queries[-1]["sql"]
    assert str(mark.followup_id) in live_part  # counted after the watermark, not from 0
    by_month = activity_by_month(None, first=dec, last=dec, start=start, end=end)
    assert by_month[dec].followups == 1 and by_month[dec].deals == 1
    assert FollowUp.objects.filter(pk__gt=mark.followup_id).count() == 2


def test_rate_cell_draws_what_the_rate_template_draws():
    from django.template import Context, Template
    from django.template.loader import render_to_string
    from django.utils import translation

    from penalties.rates import Rate

    tag = Template("{% load penalties_rates %}{% rate_cell rate %}")
    rates = [Rate(), Rate(0, 3), Rate(1, 3), Rate(2, 2), Rate(12345, 67890), Rate(5, 0)]
    rates += [Rate(s, i) for i in range(1, 40) for s in range(0, i + 1, 3)]
    for language, thousands in (("zh-hans", False), ("en", False), ("en", True)):
        with translation.override(language), override_settings(USE_THOUSAND_SEPARATOR=thousands):
            for rate in rates * 2:  # the second round from the tag's cache
                expected = render_to_string("penalties/_rate.html", {"rate": rate})
                assert tag.render(Context({"rate": rate})) == expected, (language, rate)
