"""Issue 19 round 3: a department's page and a customer's page read the viewer's department
grants once (`crm.selectors.grants_read_once`), and the department page's notice figures read
only running notices and waiting appeals. Each fast path agrees with the live reads."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from allocation.dashboard import department_panel
from allocation.models import PublicNotice
from crm.models import Department
from crm.roles import VIEW_CUSTOMERS
from crm.selectors import (
    departments_managed_by,
    departments_visible_to,
    granted_department_ids,
    grants_read_once,
    manages_department,
    sees_department,
    visible_department_ids,
)
from crm.services import department_save, staff_sync_access
from customers.rights import may_keep_records_of, may_manage_customer
from customers.selectors import customers_visible_to, visibility_condition
from tests.allocation.test_notice_reads import _history
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 20, 10, 0, tzinfo=SH)
PEOPLE = [
    "gm",
    "manager_a",
    "manager_a1",
    "manager_b",
    "sales_a",
    "sales_b",
    "accountant_a",
    "accountant_b",
]


def _live(user, department_ids):
    """The straightforward answers, one query each."""
    return {
        "manages": {d: departments_managed_by(user).filter(pk=d).exists() for d in department_ids},
        "sees": {d: departments_visible_to(user).filter(pk=d).exists() for d in department_ids},
        "visible": sorted(departments_visible_to(user).values_list("pk", flat=True)),
    }


def _answers(user, department_ids):
    return {
        "manages": {d: manages_department(user, d) for d in department_ids},
        "sees": {d: sees_department(user, d) for d in department_ids},
        "visible": visible_department_ids(user),
    }


@pytest.mark.parametrize("who", PEOPLE)
def test_grants_read_once_agree_with_the_live_reads(org, who):
    user = getattr(org, who)
    ids = [org.a.pk, org.a1.pk, org.b.pk, 0]  # 0: no such department
    live = _live(user, ids)
    assert _answers(user, ids) == live  # outside a block: live
    with grants_read_once(user):
        assert _answers(user, ids) == live
        # Everything is now remembered: asking again reads nothing.
        with CaptureQueriesContext(connection) as again:
            assert _answers(user, ids) == live
        assert len(again.captured_queries) == 0
    assert not hasattr(user, "_grant_ids")


def test_customer_rights_inside_a_block_agree(org):
    customers = [
        register(org.sales_a, now=NOW),
        register(org.sales_a1, now=NOW),
        register(org.sales_b, now=NOW),
    ]
    for who in PEOPLE:
        user = getattr(org, who)
        live = [
            (
                may_manage_customer(user, c),
                may_keep_records_of(user, c),
                set(customers_visible_to(user).values_list("pk", flat=True)),
                visibility_condition(user),
            )
            for c in customers
        ]
        with grants_read_once(user):
            remembered = [
                (
                    may_manage_customer(user, c),
                    may_keep_records_of(user, c),
                    set(customers_visible_to(user).values_list("pk", flat=True)),
                    visibility_condition(user),
                )
                for c in customers
            ]
        assert remembered == live, who


def test_a_grant_changed_after_the_block_is_read_live(org):
    """The memo lives for the block only (one page view): a grant given afterwards counts."""
    user = org.manager_b
    with grants_read_once(user):
        assert not manages_department(user, org.a1.pk)
        assert org.a1.pk not in granted_department_ids(user, VIEW_CUSTOMERS)
    a1 = Department.objects.get(pk=org.a1.pk)
    a1.manager = user
    department_save(department=a1)
    staff_sync_access(user=user)
    assert manages_department(user, org.a1.pk)
    assert sees_department(user, org.a1.pk)
    with grants_read_once(user):
        assert manages_department(user, org.a1.pk)


def test_nested_blocks_keep_the_outer_memo(org):
    user = org.manager_a
    with grants_read_once(user):
        manages_department(user, org.a.pk)
        memo = user._grant_ids
        with grants_read_once(user):
            assert user._grant_ids is memo
        assert user._grant_ids is memo  # the inner block did not end the outer one
    assert not hasattr(user, "_grant_ids")


def _department_panel_live(department, *, now):
    """The panel's figures counted over all the department's notices (the former read)."""
    return PublicNotice.objects.filter(department=department).aggregate(
        notices_running=Count("pk", filter=Q(ends_at__gt=now)),
        appeals_waiting=Count("pk", filter=Q(appealed_at__isnull=False, decision="")),
    )


def test_department_notice_figures_agree_with_the_live_count(org, rf):
    notices = _history(org)
    # Bounds: before any notice, on a notice's exact end (ends_at > now is strict), mid-way,
    # after every notice ended.
    clocks = [
        datetime(2026, 2, 1, tzinfo=SH),
        notices[5].ends_at,
        notices[5].ends_at - timedelta(microseconds=1),
        NOW,
        datetime(2026, 3, 12, 9, tzinfo=SH),
        datetime(2026, 6, 1, tzinfo=SH),
    ]
    request = rf.get("/")
    request.user = org.gm
    seen_nonzero = set()
    for department in (org.a, org.a1, org.b):
        for now in clocks:
            got = department_panel(request, department, now=now, today=now.date())
            assert got == _department_panel_live(department, now=now), (department, now)
            seen_nonzero |= {k for k, v in got.items() if v}
    assert seen_nonzero == {"notices_running", "appeals_waiting"}  # the data exercises both


def _grant_queries(queries) -> int:
    return sum(
        1 for q in queries if 'FROM "crm_department"' in q["sql"] and "auth_permission" in q["sql"]
    )


@pytest.mark.parametrize("who", ["manager_a", "accountant_a", "gm"])
def test_customer_page_reads_the_grants_at_most_once_each(org, login, who):
    customer = register(org.sales_a, now=NOW)
    client = login(getattr(org, who))
    with time_machine.travel(NOW, tick=False):
        client.get(f"/customers/{customer.pk}/")  # warm-up
        with CaptureQueriesContext(connection) as page:
            assert client.get(f"/customers/{customer.pk}/").status_code == 200
    # One read of "see" and one of "manage", whatever the sections ask.
    assert 1 <= _grant_queries(page.captured_queries) <= 2


@pytest.mark.parametrize("who", ["manager_a", "accountant_a"])
def test_department_page_reads_the_grants_once(org, login, who):
    client = login(getattr(org, who))
    with time_machine.travel(NOW, tick=False):
        client.get(f"/departments/{org.a.pk}/")
        with CaptureQueriesContext(connection) as page:
            assert client.get(f"/departments/{org.a.pk}/").status_code == 200
        assert _grant_queries(page.captured_queries) == 1
        assert client.get(f"/departments/{org.b.pk}/").status_code == 404
