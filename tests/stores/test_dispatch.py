"""派单 services (004 五 派单制度; SPEC §12) with explicit dates: propose from the ranking
(reason when not first, excluded designers refused, one live dispatch per customer), confirm by
the store manager, the GM only while the store manager is away, 补签, refusal and its
month-long stop, the order's progress, and orders of events (refuse, then dispatch again)."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction

from crm.errors import RuleError
from crm.models import Notification
from crm.services import department_save
from customers.errors import NotAllowed
from stores.models import Attendance, Dispatch, ManagerAway, Visit
from stores.selectors.dispatch import REFUSED, dispatch_ranking, dispatches_visible_to
from stores.services.dispatch import (
    DispatchError,
    dispatch_confirm,
    dispatch_countersign,
    dispatch_progress,
    dispatch_propose,
    dispatch_refuse,
    dispatch_reject,
    manager_away_record,
)
from tests.stores.test_dispatch_helpers import NOW, SH, customer_of, order, row_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

S = Dispatch.Status


@pytest.fixture
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def customer(shop):
    return customer_of(shop)


def propose(shop, customer, designer, *, now=NOW, reason="", actor=None, **kw):
    return dispatch_propose(
        actor=actor or shop.cm1,
        store=shop.store,
        customer=customer,
        designer=designer,
        reason=reason,
        now=now,
        **kw,
    )


def away(shop, starts_at, ends_at):
    return ManagerAway.objects.create(
        store=shop.store,
        starts_at=starts_at,
        ends_at=ends_at,
        reason="外出开会",
        recorded_by=shop.manager,
        recorded_at=starts_at,
    )


# --- propose -------------------------------------------------------------------------------


def test_propose_the_first_eligible_keeps_the_ranking_and_tells_the_manager(shop, customer):
    d = propose(shop, customer, shop.d1)
    assert d.status == S.PROPOSED and d.proposed_by == shop.cm1 and d.proposed_at == NOW
    assert [row["place"] for row in d.ranking] == [1, 2, 3, 4, 5]
    assert d.ranking[0]["designer"] == shop.d1.pk and d.ranking[0]["name"]
    assert Notification.objects.filter(recipient=shop.manager, link__contains=str(d.pk)).exists()
    assert not Notification.objects.filter(recipient=shop.org.gm).exists()  # manager at work


def test_not_the_first_needs_a_reason(shop, customer):
    with pytest.raises(DispatchError, match="comes first in the ranking: say why"):
        propose(shop, customer, shop.d3, reason="   ")
    assert not Dispatch.objects.exists()
    d = propose(shop, customer, shop.d3, reason="顾客指定北欧风格")
    assert d.reason == "顾客指定北欧风格"


def test_an_excluded_designer_is_refused_naming_the_reason(shop, customer):
    refused_at = NOW - timedelta(days=10)
    order(shop, shop.d1, status=S.REFUSED, refused_at=refused_at)
    with pytest.raises(DispatchError, match="cannot be dispatched now: refused a dispatch"):
        propose(shop, customer, shop.d1, reason="指定")
    # d2 is now first: no reason needed.
    assert propose(shop, customer, shop.d2).designer == shop.d2


def test_a_designer_of_another_store_is_refused(shop, customer):
    with pytest.raises(DispatchError, match="designer of this store"):
        propose(shop, customer, shop.other.d1, reason="x")
    with pytest.raises(DispatchError, match="designer of this store"):
        propose(shop, customer, shop.cm2, reason="x")  # not a designer at all


def test_who_may_propose(shop, customer):
    with pytest.raises(NotAllowed):
        propose(shop, customer, shop.d1, actor=shop.d2)
    with pytest.raises(NotAllowed):
        propose(shop, customer, shop.d1, actor=shop.other.cm1)
    with pytest.raises(NotAllowed):
        propose(shop, customer, shop.d1, actor=shop.org.manager_a)
    # cm2 does not see cm1's customer.
    with pytest.raises(NotAllowed, match="cannot see this customer"):
        propose(shop, customer, shop.d1, actor=shop.cm2)
    # The store manager and the GM may.
    assert propose(shop, customer, shop.d1, actor=shop.manager).proposed_by == shop.manager


def test_the_customer_must_be_the_stores_or_have_visited_it(shop):
    elsewhere = customer_of(shop, actor=shop.org.sales_a)
    with pytest.raises(DispatchError, match="neither the store's nor has visited"):
        propose(shop, elsewhere, shop.d1, actor=shop.org.gm)
    Visit.objects.create(
        store=shop.store,
        occurred_at=NOW - timedelta(days=1),
        source="walk_in",
        customer=elsewhere,
        recorded_by=shop.cm1,
        recorded_at=NOW - timedelta(days=1),
    )
    assert propose(shop, elsewhere, shop.d1, actor=shop.org.gm).status == S.PROPOSED


def test_facts_default_from_the_visit(shop, customer):
    visit = Visit.objects.create(
        store=shop.store,
        occurred_at=NOW - timedelta(hours=2),
        source="walk_in",
        customer=customer,
        budget=Decimal("500000"),
        is_off_plan=True,
        preferred_style="nordic",
        community="望京花园",
        recorded_by=shop.cm1,
        recorded_at=NOW - timedelta(hours=2),
    )
    d = propose(shop, customer, shop.d1, visit=visit)
    assert d.is_big_order and d.is_off_plan and d.visit == visit
    # Big order: d1 and d2 first; d3 (nordic fit) leads the rest.
    assert [row["designer"] for row in d.ranking][:3] == [shop.d1.pk, shop.d2.pk, shop.d3.pk]
    other = customer_of(shop)
    visit_t = Visit.objects.create(
        store=shop.other.store,
        occurred_at=NOW,
        source="walk_in",
        recorded_by=shop.other.cm1,
        recorded_at=NOW,
    )
    with pytest.raises(DispatchError, match="another store"):
        propose(shop, other, shop.d1, visit=visit_t)


def test_one_live_dispatch_per_customer(shop, customer):
    propose(shop, customer, shop.d1)
    with pytest.raises(DispatchError, match="already has a dispatch"):
        propose(shop, customer, shop.d2, reason="再派一个")
    assert Dispatch.objects.count() == 1
    # The database decides between two customer managers (the partial unique constraint).
    with pytest.raises(IntegrityError), transaction.atomic():
        Dispatch.objects.create(
            store=shop.store,
            customer=customer,
            designer=shop.d2,
            status=S.CONFIRMED,
            proposed_by=shop.cm2,
            proposed_at=NOW,
        )


def test_refuse_then_dispatch_again(shop, customer):
    d = propose(shop, customer, shop.d1)
    dispatch_confirm(actor=shop.manager, dispatch=d, now=NOW + timedelta(hours=1))
    dispatch_refuse(actor=shop.d1, dispatch=d, reason="时间排不开", now=NOW + timedelta(hours=2))
    d.refresh_from_db()
    assert d.status == S.REFUSED and d.refused_at == NOW + timedelta(hours=2)
    later = NOW + timedelta(hours=3)
    # d1 is stopped now: the next dispatch of the customer goes to d2 (first) without a reason.
    with pytest.raises(DispatchError, match="refused a dispatch"):
        propose(shop, customer, shop.d1, now=later, reason="x")
    again = propose(shop, customer, shop.d2, now=later)
    assert again.status == S.PROPOSED
    assert REFUSED in next(r for r in again.ranking if r["designer"] == shop.d1.pk)["excluded"]


def test_reject_then_dispatch_again(shop, customer):
    d = propose(shop, customer, shop.d1)
    with pytest.raises(DispatchError, match="Say why"):
        dispatch_reject(actor=shop.manager, dispatch=d, note=" ", now=NOW)
    dispatch_reject(actor=shop.manager, dispatch=d, note="客户需求未问清", now=NOW)
    d.refresh_from_db()
    assert d.status == S.REJECTED and d.decided_by == shop.manager
    assert propose(shop, customer, shop.d1, now=NOW + timedelta(minutes=5)).status == S.PROPOSED
    with pytest.raises(DispatchError, match="Only a proposed"):
        dispatch_reject(actor=shop.manager, dispatch=d, note="again", now=NOW)


# --- confirm: the store manager; the GM only while the store manager is away -------------------


def test_the_store_manager_confirms_and_signs(shop, customer):
    d = propose(shop, customer, shop.d1)
    at = NOW + timedelta(minutes=30)
    dispatch_confirm(actor=shop.manager, dispatch=d, note="同意", now=at)
    d.refresh_from_db()
    assert d.status == S.CONFIRMED and d.confirmed_as == Dispatch.ConfirmedAs.STORE_MANAGER
    assert d.manager_signed_by == shop.manager and d.manager_signed_at == at
    assert not d.is_countersigned_later and d.decision_note == "同意"
    assert Notification.objects.filter(recipient=shop.d1).exists()
    assert Notification.objects.filter(recipient=shop.cm1).exists()
    with pytest.raises(DispatchError, match="Only a proposed dispatch can be confirmed"):
        dispatch_confirm(actor=shop.manager, dispatch=d, now=at)
    # 补签 is for GM-authorised dispatches only: this one is already signed.
    with pytest.raises(DispatchError, match="already signed"):
        dispatch_countersign(actor=shop.manager, dispatch=d, now=at)


def test_others_do_not_confirm(shop, customer):
    d = propose(shop, customer, shop.d1)
    for person in (shop.cm1, shop.d1, shop.other.manager, shop.org.manager_a):
        with pytest.raises(NotAllowed):
            dispatch_confirm(actor=person, dispatch=d, now=NOW)


def test_the_gm_confirms_only_while_the_store_manager_is_away(shop, customer):
    d = propose(shop, customer, shop.d1)
    gm = shop.org.gm
    with pytest.raises(DispatchError, match="The store manager is at work"):
        dispatch_confirm(actor=gm, dispatch=d, now=NOW)
    # An absence that ended, or has not started, does not count.
    away(shop, NOW - timedelta(days=3), NOW - timedelta(days=1))
    away(shop, NOW + timedelta(hours=1), NOW + timedelta(days=2))
    with pytest.raises(DispatchError, match="The store manager is at work"):
        dispatch_confirm(actor=gm, dispatch=d, now=NOW)
    with pytest.raises(DispatchError):
        dispatch_reject(actor=gm, dispatch=d, note="no", now=NOW)
    # During the absence: the GM authorises; the form waits for the manager's 补签.
    during = NOW + timedelta(hours=5)
    dispatch_confirm(actor=gm, dispatch=d, note="总经理授权", now=during)
    d.refresh_from_db()
    assert d.status == S.CONFIRMED and d.confirmed_as == Dispatch.ConfirmedAs.GM_AUTHORISED
    assert d.decided_by == gm and d.manager_signed_at is None


def test_the_gm_confirms_when_the_store_has_no_manager(shop, customer):
    d = propose(shop, customer, shop.d1)
    shop.store.manager = None
    department_save(department=shop.store)
    d.refresh_from_db()
    dispatch_confirm(actor=shop.org.gm, dispatch=d, now=NOW)
    d.refresh_from_db()
    assert d.confirmed_as == Dispatch.ConfirmedAs.GM_AUTHORISED


def test_the_manager_countersigns_a_gm_authorised_dispatch_once(shop, customer):
    d = propose(shop, customer, shop.d1)
    with pytest.raises(DispatchError, match="Only a dispatch the general manager authorised"):
        dispatch_countersign(actor=shop.manager, dispatch=d, now=NOW)
    away(shop, NOW - timedelta(hours=1), NOW + timedelta(days=1))
    dispatch_confirm(actor=shop.org.gm, dispatch=d, now=NOW)
    with pytest.raises(NotAllowed):
        dispatch_countersign(actor=shop.cm1, dispatch=d, now=NOW + timedelta(days=2))
    with pytest.raises(NotAllowed):
        dispatch_countersign(actor=shop.org.gm, dispatch=d, now=NOW + timedelta(days=2))
    back = NOW + timedelta(days=2)
    dispatch_countersign(actor=shop.manager, dispatch=d, now=back)
    d.refresh_from_db()
    assert d.manager_signed_by == shop.manager and d.manager_signed_at == back
    assert d.is_countersigned_later
    with pytest.raises(DispatchError, match="already signed"):
        dispatch_countersign(actor=shop.manager, dispatch=d, now=back)


def test_manager_away_record(shop):
    start = NOW + timedelta(days=1)
    with pytest.raises(DispatchError, match="end after it starts"):
        manager_away_record(
            actor=shop.manager,
            store=shop.store,
            starts_at=start,
            ends_at=start,
            reason="休假",
            now=NOW,
        )
    with pytest.raises(DispatchError, match="Say why"):
        manager_away_record(
            actor=shop.manager,
            store=shop.store,
            starts_at=start,
            ends_at=start + timedelta(days=1),
            reason=" ",
            now=NOW,
        )
    with pytest.raises(DispatchError, match="within a year"):
        manager_away_record(
            actor=shop.manager,
            store=shop.store,
            starts_at=datetime(1, 1, 2, tzinfo=SH),
            ends_at=start,
            reason="休假",
            now=NOW,
        )
    for person in (shop.cm1, shop.d1, shop.other.manager):
        with pytest.raises(NotAllowed):
            manager_away_record(
                actor=person,
                store=shop.store,
                starts_at=start,
                ends_at=start + timedelta(days=1),
                reason="休假",
                now=NOW,
            )
    a = manager_away_record(
        actor=shop.org.gm,
        store=shop.store,
        starts_at=start,
        ends_at=start + timedelta(days=1),
        reason="休假",
        now=NOW,
    )
    assert a.recorded_by == shop.org.gm
    assert not ManagerAway.objects.filter(store=shop.other.store).exists()


# --- refusal --------------------------------------------------------------------------------


def test_refusal_stops_the_designer_for_a_month(shop, customer):
    d = propose(shop, customer, shop.d1)
    with pytest.raises(DispatchError, match="Say why"):
        dispatch_refuse(actor=shop.d1, dispatch=d, reason="", now=NOW)
    with pytest.raises(NotAllowed):
        dispatch_refuse(actor=shop.d2, dispatch=d, reason="不是我的", now=NOW)
    refused_at = datetime(2026, 3, 16, 11, 0, tzinfo=SH)
    dispatch_refuse(actor=shop.cm1, dispatch=d, reason="设计师电话拒单", now=refused_at)

    def excluded(at):
        return row_of(shop, shop.d1, as_of=at).place is None

    assert excluded(refused_at + timedelta(days=29))
    assert not excluded(refused_at + relativedelta(months=1, days=1))
    assert Notification.objects.filter(recipient=shop.manager, title__contains="refused").exists()
    with pytest.raises(DispatchError, match="Only a proposed or confirmed"):
        dispatch_refuse(actor=shop.d1, dispatch=d, reason="again", now=refused_at)


def test_no_refusal_after_a_plan_or_deposit(shop, customer):
    d = propose(shop, customer, shop.d1)
    dispatch_confirm(actor=shop.manager, dispatch=d, now=NOW)
    dispatch_progress(actor=shop.d1, dispatch=d, step="plan", at=NOW, now=NOW)
    with pytest.raises(DispatchError, match="can no longer be refused"):
        dispatch_refuse(actor=shop.d1, dispatch=d, reason="不做了", now=NOW)


# --- progress -------------------------------------------------------------------------------


def test_progress_plan_deposit_signed_closed(shop, customer):
    d = propose(shop, customer, shop.d1)
    with pytest.raises(DispatchError, match="confirmed dispatch only"):
        dispatch_progress(actor=shop.d1, dispatch=d, step="plan", at=NOW, now=NOW)
    dispatch_confirm(actor=shop.manager, dispatch=d, now=NOW)
    later = NOW + timedelta(days=3)
    with pytest.raises(DispatchError, match="future"):
        dispatch_progress(actor=shop.d1, dispatch=d, step="plan", at=later, now=NOW)
    with pytest.raises(DispatchError, match="before the dispatch"):
        dispatch_progress(
            actor=shop.d1, dispatch=d, step="plan", at=NOW - timedelta(days=1), now=later
        )
    with pytest.raises(DispatchError, match="Unknown step"):
        dispatch_progress(actor=shop.d1, dispatch=d, step="x", at=NOW, now=later)
    with pytest.raises(NotAllowed):
        dispatch_progress(actor=shop.d2, dispatch=d, step="plan", at=NOW, now=later)
    dispatch_progress(actor=shop.d1, dispatch=d, step="plan", at=NOW + timedelta(days=1), now=later)
    with pytest.raises(DispatchError, match="already recorded"):
        dispatch_progress(actor=shop.cm1, dispatch=d, step="plan", at=later, now=later)
    dispatch_progress(actor=shop.cm1, dispatch=d, step="deposit", at=later, now=later)
    # The deposit order is in hand now.
    assert row_of(shop, shop.d1, as_of=later).deposit_orders == 1
    for amount in (None, "0", "-5", "junk"):
        with pytest.raises(DispatchError, match="signed amount"):
            dispatch_progress(
                actor=shop.d1, dispatch=d, step="signed", at=later, amount=amount, now=later
            )
    dispatch_progress(
        actor=shop.manager, dispatch=d, step="signed", at=later, amount="123456.78", now=later
    )
    d.refresh_from_db()
    assert d.signed_amount == Decimal("123456.78") and d.signed_at == later
    assert row_of(shop, shop.d1, as_of=later).deposit_orders == 0
    dispatch_progress(actor=shop.d1, dispatch=d, step="closed", at=later, now=later)
    d.refresh_from_db()
    assert d.status == S.CLOSED and d.closed_at == later
    with pytest.raises(DispatchError, match="confirmed dispatch only"):
        dispatch_progress(actor=shop.d1, dispatch=d, step="plan", at=later, now=later)
    # Closed: the customer may be dispatched again.
    assert propose(shop, customer, shop.d2, now=later, reason="二期").status == S.PROPOSED


def test_repeated_absence_blocks_the_proposal(shop, customer):
    for n in (1, 2, 3):
        Attendance.objects.create(
            store=shop.store,
            designer=shop.d1,
            day=NOW.date() - timedelta(days=n),
            status=Attendance.Status.ABSENT,
            recorded_by=shop.cm1,
            recorded_at=NOW,
        )
    with pytest.raises(DispatchError, match="absences"):
        propose(shop, customer, shop.d1, reason="x")


# --- visibility -----------------------------------------------------------------------------


def test_who_sees_which_dispatches(shop, customer):
    d1 = propose(shop, customer, shop.d1)
    d2 = propose(shop, customer_of(shop), shop.d2, reason="指定")
    assert set(dispatches_visible_to(shop.manager)) == {d1, d2}
    assert set(dispatches_visible_to(shop.cm2)) == {d1, d2}
    assert set(dispatches_visible_to(shop.consultant)) == {d1, d2}
    assert set(dispatches_visible_to(shop.d1)) == {d1}
    assert set(dispatches_visible_to(shop.d3)) == set()
    assert set(dispatches_visible_to(shop.org.gm)) == {d1, d2}
    assert not dispatches_visible_to(shop.other.manager).exists()
    assert not dispatches_visible_to(shop.org.manager_a).exists()


def test_ranking_is_the_same_the_service_kept(shop, customer):
    d = propose(shop, customer, shop.d1)
    live = dispatch_ranking(store=shop.store, as_of=NOW, is_big_order=False)
    assert d.ranking == [r.as_json() for r in live]


def test_refused_errors_are_rule_errors():
    assert issubclass(DispatchError, RuleError) and issubclass(NotAllowed, RuleError)
