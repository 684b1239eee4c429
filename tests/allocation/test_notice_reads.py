"""The notice board's fast reads (issue 19) agree with the straightforward ordering: the newest
notices by reclaim time (ties by id) through the ends_at bound, per viewer scope, on data with
tied timestamps, several departments, company-pool notices, appealed/decided/ended notices and
a previous holder who moved department."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from allocation.models import PublicNotice
from allocation.selectors.notices import newest_notices, notices_visible_to
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 20, 10, 0, tzinfo=SH)
BASE = datetime(2026, 3, 1, 9, 0, tzinfo=SH)


def _history(org):
    """40 notices: reclaim times tied in threes, notice lengths that do not follow the reclaim
    order (so ends_at order differs from reclaimed_at order, with ties of ends_at too), over
    departments a, a1, b and the company pool; some appealed, some decided, most ended."""
    holders = [org.sales_a, org.sales_a1, org.sales_b, org.sales_a2, org.sales_b2]
    customers = {h.pk: register(h, now=datetime(2026, 1, 5, 10, tzinfo=SH)) for h in holders}
    departments = [org.a, org.a1, org.b, None]
    notices = []
    for i in range(40):
        holder = holders[i % len(holders)]
        department = departments[(i * 7) % len(departments)]
        reclaimed_at = BASE + timedelta(hours=5 * (i // 3))
        length = [timedelta(0), timedelta(days=6), timedelta(days=1), timedelta(days=3)][i % 4]
        fields = {}
        if i % 5 == 1:
            fields = {"appealed_at": reclaimed_at + timedelta(hours=1), "appeal_reason": "x"}
        if i % 10 == 1:
            fields.update(decision="confirmed", decided_at=reclaimed_at + timedelta(hours=2))
        notices.append(
            PublicNotice.objects.create(
                customer=customers[holder.pk],
                previous_holder=holder,
                department=department,
                policy="no_followup",
                pool="company" if department is None else "department",
                reclaimed_at=reclaimed_at,
                # one ends exactly when it was opened (the bound's equality edge)
                ends_at=reclaimed_at + length,
                **fields,
            )
        )
    return notices


def _straight(qs, limit):
    return list(qs.order_by("-reclaimed_at", "-pk").values_list("pk", flat=True)[:limit])


def _fast(qs, limit):
    return list(newest_notices(qs, limit=limit).values_list("pk", flat=True))


def _viewers(org):
    return [
        org.gm,
        org.manager_a,
        org.manager_a1,
        org.manager_b,
        org.sales_a,
        org.sales_a2,
        org.sales_a1,
        org.sales_b,
        org.accountant_a,
    ]


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 7, 10, 17, 40, 200])
def test_newest_notices_equal_the_straightforward_order(org, limit):
    _history(org)
    # sales_a moved to b after the reclaims: still sees their own notices of a.
    org.sales_a.staff.department = org.b
    org.sales_a.staff.save()
    org.sales_a.refresh_from_db()
    for user in _viewers(org):
        scope = notices_visible_to(user)
        assert _fast(scope, limit) == _straight(scope, limit), (user.username, limit)
        mine = scope.filter(previous_holder=user.pk)
        assert _fast(mine, limit) == _straight(mine, limit), (user.username, limit)
    # narrow sets: one department only, and nothing at all
    one = PublicNotice.objects.filter(department=org.a1)
    assert _fast(one, limit) == _straight(one, limit)
    assert _fast(PublicNotice.objects.none(), limit) == []
    assert _fast(PublicNotice.objects.filter(department=-1), limit) == []


def _board_ids(client, query):
    body = client.get(reverse("allocation:notices") + query).content.decode()
    return [int(pk) for pk in re.findall(r'<tr data-id="(\d+)"', body)]


def test_board_tabs_equal_the_straightforward_reads(org, login, monkeypatch):
    from django.db.models import Q

    import allocation.views.notices as views

    monkeypatch.setattr(views, "BOARD_SIZE", 7)
    notices = _history(org)
    org.sales_a.staff.department = org.b
    org.sales_a.staff.save()
    now = notices[-1].reclaimed_at + timedelta(days=2)  # some running, most ended
    current = Q(ends_at__gt=now) | Q(appealed_at__isnull=False, decision="")
    with time_machine.travel(now, tick=False):
        for user in _viewers(org):
            user.refresh_from_db()
            client = login(user)
            scope = notices_visible_to(user)
            assert _board_ids(client, "?show=all") == _straight(scope, 7), user.username
            assert _board_ids(client, "") == _straight(scope.filter(current), 7), user.username
            mine = scope.filter(previous_holder=user.pk)
            assert _board_ids(client, "?mine=reclaimed&show=all") == _straight(mine, 7)
            assert _board_ids(client, "?mine=reclaimed") == _straight(mine.filter(current), 7)
