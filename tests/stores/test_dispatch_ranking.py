"""The dispatch ranking (004 五 选派要求; SPEC §12), with explicit dates: each exclusion reason,
and each ordering key deciding when the keys before it tie."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from constance.test import override_config
from dateutil.relativedelta import relativedelta

from stores.models import Attendance, DesignerMonth, Dispatch, Outing
from stores.selectors.dispatch import (
    ABSENCE,
    DEPOSIT_ORDERS,
    PLAN_UNSIGNED,
    REFUSED,
    is_big_order,
    snapshot_rows,
)
from tests.stores.test_dispatch_helpers import NOW, SH, order, order_of, ranking, row_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

DEFAULT = ["s_d1", "s_d2", "s_d3", "s_d4", "s_d5"]  # level rank descending, then username


@pytest.fixture
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def month(shop, designer, amount, first=date(2026, 2, 1)):
    DesignerMonth.objects.create(
        designer=designer,
        month=first,
        main_material_sales=Decimal(amount),
        recorded_by=shop.manager,
        recorded_at=NOW - timedelta(days=10),
    )


def attend(shop, designer, day, status):
    Attendance.objects.create(
        store=shop.store,
        designer=designer,
        day=day,
        status=status,
        recorded_by=shop.cm1,
        recorded_at=NOW,
    )


# --- the keys in order, each deciding when the previous ones tie ------------------------


def test_with_every_key_tied_level_then_username_decide(shop):
    rows = ranking(shop)
    assert [r.designer.username for r in rows] == DEFAULT
    assert [r.place for r in rows] == [1, 2, 3, 4, 5]
    assert all(r.department_rank == 1 for r in rows)  # no signing anywhere: all share it


def test_other_stores_designers_and_designers_without_profile_are_not_ranked(shop):
    assert "t_d1" not in order_of(shop)


def test_main_material_standard_comes_first(shop):
    month(shop, shop.d5, 50000)  # exactly the standard: meets it
    month(shop, shop.d4, "49999.99")  # just under: does not
    month(shop, shop.d3, 90000, first=date(2026, 3, 1))  # this month's figures do not count
    assert order_of(shop) == ["s_d5", "s_d1", "s_d2", "s_d3", "s_d4"]
    assert row_of(shop, shop.d5).meets_main_material
    assert not row_of(shop, shop.d4).meets_main_material


def test_department_ranking_decides_when_the_standard_ties(shop):
    feb = datetime(2026, 2, 10, 12, 0, tzinfo=SH)
    order(shop, shop.d4, signed_at=feb, signed_amount=Decimal("100000"))
    order(shop, shop.d3, signed_at=feb, signed_amount=Decimal("50000"))
    # Signed this month (March) or in January: not last month's ranking.
    order(shop, shop.d5, signed_at=datetime(2026, 3, 2, tzinfo=SH), signed_amount=Decimal("9e5"))
    order(shop, shop.d5, signed_at=datetime(2026, 1, 31, 23, tzinfo=SH), signed_amount=1)
    assert order_of(shop) == ["s_d4", "s_d3", "s_d1", "s_d2", "s_d5"]
    assert row_of(shop, shop.d4).department_rank == 1
    assert row_of(shop, shop.d3).department_rank == 2
    assert row_of(shop, shop.d1).department_rank == 3  # no signing: last, shared
    assert row_of(shop, shop.d5).department_rank == 3
    # …but the 主材 standard comes before the ranking.
    month(shop, shop.d5, 60000)
    assert order_of(shop)[0] == "s_d5"


def test_tied_signed_amounts_share_a_rank(shop):
    feb = datetime(2026, 2, 20, 9, 0, tzinfo=SH)
    order(shop, shop.d3, signed_at=feb, signed_amount=Decimal("50000"))
    order(shop, shop.d4, signed_at=feb, signed_amount=Decimal("50000"))
    assert row_of(shop, shop.d3).department_rank == row_of(shop, shop.d4).department_rank == 1
    assert row_of(shop, shop.d1).department_rank == 3
    assert order_of(shop)[:2] == ["s_d3", "s_d4"]


def test_fewer_deposit_orders_decide_when_ranking_ties(shop):
    deposit = NOW - timedelta(days=5)
    order(shop, shop.d1, deposit_at=deposit)
    order(shop, shop.d1, deposit_at=deposit)
    order(shop, shop.d2, deposit_at=deposit)
    # Not in hand: signed, closed, a deposit after as_of, a proposal not confirmed.
    order(shop, shop.d3, deposit_at=deposit, signed_at=NOW - timedelta(days=1), signed_amount=1)
    order(shop, shop.d3, deposit_at=deposit, closed_at=NOW - timedelta(days=1))
    order(shop, shop.d4, deposit_at=NOW + timedelta(hours=1))
    order(shop, shop.d5, status=Dispatch.Status.PROPOSED, deposit_at=deposit)
    assert order_of(shop) == ["s_d3", "s_d4", "s_d5", "s_d2", "s_d1"]
    assert row_of(shop, shop.d1).deposit_orders == 2


def test_on_duty_today_decides_when_deposits_tie(shop):
    today = NOW.date()
    attend(shop, shop.d5, today, Attendance.Status.PRESENT)
    attend(shop, shop.d3, today, Attendance.Status.LATE)  # late, but at work
    attend(shop, shop.d2, today, Attendance.Status.LEAVE)  # on leave: not on duty
    attend(shop, shop.d1, today - timedelta(days=1), Attendance.Status.PRESENT)  # yesterday
    attend(shop, shop.d4, today, Attendance.Status.PRESENT)
    # d4 went out this morning and is not back (外出登记): not on duty now.
    Outing.objects.create(
        store=shop.store,
        designer=shop.d4,
        out_at=NOW - timedelta(hours=1),
        purpose="量房",
        recorded_by=shop.cm1,
        recorded_at=NOW - timedelta(hours=1),
    )
    assert order_of(shop) == ["s_d3", "s_d5", "s_d1", "s_d2", "s_d4"]
    # Once back (before as_of), d4 is on duty again.
    Outing.objects.filter(designer=shop.d4).update(back_at=NOW - timedelta(minutes=5))
    assert order_of(shop) == ["s_d3", "s_d4", "s_d5", "s_d1", "s_d2"]


def test_style_and_customer_type_fit_decide_when_duty_ties(shop):
    profile = shop.d4.designer_profile
    profile.suited_customers = ["entrepreneur"]
    profile.save()
    assert order_of(shop, style="nordic") == ["s_d3", "s_d1", "s_d2", "s_d4", "s_d5"]
    # d4: modern + entrepreneur = 2; d1: modern = 1.
    assert order_of(shop, style="modern", occupation="entrepreneur") == [
        "s_d4",
        "s_d1",
        "s_d2",
        "s_d3",
        "s_d5",
    ]
    assert row_of(shop, shop.d4, style="modern", occupation="entrepreneur").fit == 2


def test_big_orders_go_to_senior_or_fee_charging_designers_first(shop):
    month(shop, shop.d5, 80000)  # d5 meets the standard: first on an ordinary order
    assert order_of(shop)[0] == "s_d5"
    # A big order: d1 (首席, senior and fee) and d2 (主任, senior) before everyone else.
    assert order_of(shop, big=True) == ["s_d1", "s_d2", "s_d5", "s_d3", "s_d4"]
    # A fee-charging level that is not senior counts too.
    level = shop.levels["设计师"]
    level.charges_design_fee = True
    level.save()
    assert order_of(shop, big=True)[:4] == ["s_d1", "s_d2", "s_d3", "s_d4"]


@override_config(DISPATCH_BIG_ORDER_YUAN=300000)
def test_big_order_threshold():
    assert is_big_order(Decimal("300000")) and is_big_order("450000")
    assert not is_big_order(Decimal("299999.99")) and not is_big_order(None)
    assert not is_big_order("") and not is_big_order("junk")


# --- exclusions ----------------------------------------------------------------------------


def test_three_deposit_orders_in_hand_exclude(shop):
    deposit = NOW - timedelta(days=3)
    for _ in range(2):
        order(shop, shop.d1, deposit_at=deposit)
    assert "s_d1" in order_of(shop)
    order(shop, shop.d1, deposit_at=deposit)
    row = row_of(shop, shop.d1)
    assert row.place is None and [r.code for r in row.reasons] == [DEPOSIT_ORDERS]
    assert "3 orders in hand with a deposit" in row.reasons[0].label
    assert [r.designer.username for r in ranking(shop)][-1] == "s_d1"  # excluded: at the end
    with override_config(DISPATCH_DEPOSIT_ORDER_LIMIT=4):
        assert "s_d1" in order_of(shop)


def test_a_plan_without_signing_excludes_except_off_plan(shop):
    order(shop, shop.d2, plan_at=NOW - timedelta(days=29, hours=23))
    assert "s_d2" in order_of(shop)  # not yet 30 days
    old = order(shop, shop.d2, plan_at=NOW - timedelta(days=30))
    row = row_of(shop, shop.d2)
    assert row.place is None and [r.code for r in row.reasons] == [PLAN_UNSIGNED]
    # A 期房 customer is the exception: for an off-plan customer the designer is dispatched…
    assert "s_d2" in order_of(shop, is_off_plan=True)
    # …and a plan for an off-plan house without signing does not stop them.
    old.is_off_plan = True
    old.save()
    assert "s_d2" in order_of(shop)
    # Signed or closed plans do not count either.
    order(shop, shop.d3, plan_at=NOW - timedelta(days=40), signed_at=NOW, signed_amount=1)
    order(shop, shop.d3, plan_at=NOW - timedelta(days=40), closed_at=NOW)
    assert "s_d3" in order_of(shop)


def test_a_refusal_stops_the_designer_for_a_month(shop):
    refused_at = datetime(2026, 1, 10, 10, 0, tzinfo=SH)
    order(shop, shop.d5, status=Dispatch.Status.REFUSED, refused_at=refused_at)
    row = row_of(shop, shop.d5, as_of=refused_at + timedelta(days=29))
    assert row.place is None and [r.code for r in row.reasons] == [REFUSED]
    assert "stopped until 2026-02-10 10:00" in row.reasons[0].label
    # Exactly a month later the stop is over (refused_at + 1 month); a day after, surely.
    assert "s_d5" in order_of(shop, as_of=refused_at + relativedelta(months=1))
    assert "s_d5" in order_of(shop, as_of=refused_at + relativedelta(months=1, days=1))
    assert "s_d5" not in order_of(shop, as_of=refused_at + relativedelta(months=1, minutes=-1))
    # Before the refusal it did not count.
    assert "s_d5" in order_of(shop, as_of=refused_at - timedelta(minutes=1))


def test_repeated_absence_excludes(shop):
    today = NOW.date()
    attend(shop, shop.d4, today - timedelta(days=1), Attendance.Status.ABSENT)
    attend(shop, shop.d4, today - timedelta(days=8), Attendance.Status.LATE)
    attend(shop, shop.d4, today - timedelta(days=30), Attendance.Status.EARLY_LEAVE)  # outside
    attend(shop, shop.d4, today - timedelta(days=3), Attendance.Status.LEAVE)  # leave: fine
    assert "s_d4" in order_of(shop)
    attend(shop, shop.d4, today - timedelta(days=29), Attendance.Status.EARLY_LEAVE)
    row = row_of(shop, shop.d4)
    assert row.place is None and [r.code for r in row.reasons] == [ABSENCE]
    assert "3 absences" in row.reasons[0].label


def test_every_reason_is_listed(shop):
    deposit = NOW - timedelta(days=40)
    for _ in range(3):
        order(shop, shop.d1, deposit_at=deposit, plan_at=deposit)
    for n in (1, 2, 3):
        attend(shop, shop.d1, NOW.date() - timedelta(days=n), Attendance.Status.ABSENT)
    row = row_of(shop, shop.d1)
    assert [r.code for r in row.reasons] == [DEPOSIT_ORDERS, PLAN_UNSIGNED, ABSENCE]
    data = row.as_json()
    assert data["place"] is None and data["excluded"] == [DEPOSIT_ORDERS, PLAN_UNSIGNED, ABSENCE]
    assert data["keys"]["deposit_orders"] == 3
    shown = snapshot_rows([data])[0]
    assert len(shown["reasons"]) == 3 and shown["designer_id"] == shop.d1.pk


def test_snapshot_rows_read_junk_safely():
    assert snapshot_rows(None) == [] and snapshot_rows(["x", 3]) == []
    assert snapshot_rows([{"excluded": ["nope"]}])[0]["reasons"] == ["not eligible"]
