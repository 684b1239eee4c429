"""The follow-up quota has two spellings (ARCHITECTURE "One rule, one source"): the dashboard's
ORM (`customers.day.quota_progress`) and the month-end scan's SQL
(`penalties.services.scans.quota_shortfall`). On the month's edges in Asia/Shanghai, with
corrections and other people's follow-ups, both owe the same."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from customers.day import quota_progress
from customers.services import followup_amend, followup_log
from penalties.services.scans import quota_shortfall
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
GOOD = "上门拜访，客户确认方案，约定下周签合同并交定金。"
MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)


def log(actor, customer, when):
    return followup_log(
        actor=actor,
        customer=customer,
        now=when,
        data={"kind": "callback", "occurred_at": when, "content": GOOD},
    )


CASES = {
    # name: (follow-ups by the holder, extra steps) → follow-ups that count in March
    "last minute of February": [datetime(2026, 2, 28, 23, 59, tzinfo=SH)],
    "first minute of March": [datetime(2026, 3, 1, 0, 0, tzinfo=SH)],
    "last minute of March": [datetime(2026, 3, 31, 23, 59, tzinfo=SH)],
    "first minute of April": [datetime(2026, 4, 1, 0, 0, tzinfo=SH)],
    "UTC March, Shanghai April": [datetime(2026, 4, 1, 7, 0, tzinfo=SH)],
    "two in March": [datetime(2026, 3, 3, 9, tzinfo=SH), datetime(2026, 3, 9, 9, tzinfo=SH)],
}


@pytest.mark.parametrize("grade", ["A", "B", "C", "D"])
@pytest.mark.parametrize("case", list(CASES))
def test_the_dashboard_and_the_scan_owe_the_same(org, grade, case):
    c = register(org.sales_a, intent_grade=grade, now=datetime(2026, 1, 5, 9, tzinfo=SH))
    for when in CASES[case]:
        log(org.sales_a, c, when)
    orm = sum(r.missing for r in quota_progress(org.sales_a, today=date(2026, 3, 20)))
    sql = quota_shortfall(MARCH, APRIL).get(org.sales_a.pk, 0)
    assert orm == sql
    assert scoped(org) == sql


def scoped(org) -> int:
    """The department's path (the manager's dashboard: only the holders' follow-ups are read)
    owes what the company-wide path owes, whoever else is in the list."""
    alone = quota_shortfall(MARCH, APRIL, holders=[org.sales_a.pk]).get(org.sales_a.pk, 0)
    many = quota_shortfall(
        MARCH, APRIL, holders=[org.sales_b.pk, org.sales_a.pk, org.manager_a.pk, org.sales_a.pk]
    ).get(org.sales_a.pk, 0)
    assert alone == many
    return alone


def test_corrections_and_other_peoples_followups_count_for_neither(org):
    c = register(org.sales_a, intent_grade="B", now=datetime(2026, 1, 5, 9, tzinfo=SH))
    original = log(org.sales_a, c, datetime(2026, 3, 2, 10, tzinfo=SH))
    with transaction.atomic():
        followup_amend(
            actor=org.sales_a,
            original=original,
            data={"content": GOOD + "（更正）"},
            now=datetime(2026, 3, 3, 9, tzinfo=SH),
        )
    log(org.manager_a, c, datetime(2026, 3, 4, 10, tzinfo=SH))
    orm = sum(r.missing for r in quota_progress(org.sales_a, today=date(2026, 3, 20)))
    sql = quota_shortfall(MARCH, APRIL).get(org.sales_a.pk, 0)
    assert orm == sql == scoped(org) == 2  # B owes 3; only the holder's original counts


def test_a_customer_moved_to_another_department_owes_its_new_holder_only(org):
    """Follow-ups logged by the previous holder do not count for the new one, in either path;
    the department's path agrees with the company's for both holders and both departments."""
    c = register(org.sales_a, intent_grade="A", now=datetime(2026, 1, 5, 9, tzinfo=SH))
    log(org.sales_a, c, datetime(2026, 3, 2, 10, tzinfo=SH))
    log(org.sales_a, c, datetime(2026, 3, 9, 10, tzinfo=SH))
    type(c).objects.filter(pk=c.pk).update(holder=org.sales_b, department=org.b)
    log(org.sales_b, c, datetime(2026, 3, 31, 23, 59, tzinfo=SH))
    everyone = quota_shortfall(MARCH, APRIL)
    for person in (org.sales_a, org.sales_b):
        orm = sum(r.missing for r in quota_progress(person, today=date(2026, 3, 20)))
        alone = quota_shortfall(MARCH, APRIL, holders=[person.pk]).get(person.pk, 0)
        assert orm == everyone.get(person.pk, 0) == alone
    assert everyone.get(org.sales_b.pk) == 3 and org.sales_a.pk not in everyone
    assert quota_shortfall(MARCH, APRIL, holders=[]) == {}
