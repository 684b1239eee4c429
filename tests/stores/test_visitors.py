"""The visitor register, consultants' pre-registrations, the source check, the weekly 对单 and
the store's figures (SPEC §12; 004 第二章 界定客户有效性, 第三章 一–三). Every clock explicit."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from crm.errors import RuleError
from crm.models import Notification
from customers.models import Customer, Pool
from stores.models import Dispatch, PreRegistration, Visit, WeeklyReconciliation
from stores.selectors.visitors import (
    Rate,
    designer_figures,
    recent_weeks,
    store_figures,
    week_to_reconcile,
)
from stores.services.visitors import (
    prereg_create,
    reconciliation_sign,
    visit_register,
    visit_source_decide,
)
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 18, 0, tzinfo=SH)  # a Tuesday


def at(y, m, d, h=10, minute=0):
    return datetime(y, m, d, h, minute, tzinfo=SH)


def data(**over):
    base = {
        "kind": "store",
        "occurred_at": NOW - timedelta(hours=2),
        "visitor_name": "王先生",
        "gender": "male",
        "phone": "",
        "community": "望京花园",
        "source": "friend",
        "occupation": "entrepreneur",
        "focus_points": ["brand", "design"],
        "intent_grade": "C",
        "note": "",
    }
    base.update(over)
    return base


def visit(shop, actor=None, now=NOW, **over):
    return visit_register(actor=actor or shop.cm1, store=shop.store, data=data(**over), now=now)


def prereg(shop, actor=None, consultant=None, now=NOW - timedelta(days=1), **over):
    fields = {"name": "马丽", "gender": "female", "phone": "13766880012", "community": "望京花园"}
    fields.update(over)
    return prereg_create(
        actor=actor or shop.consultant,
        store=shop.store,
        consultant=consultant or shop.consultant,
        data=fields,
        now=now,
    )


# --- the register ---------------------------------------------------------------------------


def test_anonymous_visitor_is_counted_without_becoming_a_customer(shop):
    before = Customer.objects.count()
    v = visit(shop, visitor_name="", phone="", community="")
    assert v.pk and v.customer_id is None and str(v)
    assert Customer.objects.count() == before
    assert v.is_incomplete  # no 小区 on a store visit


def test_walk_in_with_a_phone_lands_in_the_store_pool(shop):
    v = visit(shop, source="walk_in", phone="137-6688-0001", intent_grade="B")
    customer = Customer.objects.get(pk=v.customer_id)
    assert customer.holder_id is None and customer.pool == Pool.DEPARTMENT
    assert customer.department_id == shop.store.pk
    assert not customer.is_organisation and customer.name == "王先生"
    assert customer.source == "walk_in" and customer.intent_grade == "B"
    assert v.phone == "13766880001"  # kept normalised


def test_other_sources_are_held_by_the_registrant(shop):
    v = visit(shop, source="friend", phone="13766880002")
    assert Customer.objects.get(pk=v.customer_id).holder_id == shop.cm1.pk


def test_a_nameless_visitor_with_a_phone_gets_a_placeholder_name(shop):
    v = visit(shop, visitor_name="", phone="13766880003")
    assert "0003" in Customer.objects.get(pk=v.customer_id).name


def test_a_returning_visitor_links_to_the_existing_customer(shop):
    existing = register(shop.cm2, phone="13766880004", is_organisation=False, name="老顾客")
    before = Customer.objects.count()
    v = visit(shop, phone="+86 137 6688 0004")
    assert v.customer_id == existing.pk and Customer.objects.count() == before


def test_the_gm_typing_a_line_registers_the_customer_to_the_store(shop):
    v = visit(shop, actor=shop.org.gm, source="walk_in", phone="13766880005")
    assert Customer.objects.get(pk=v.customer_id).department_id == shop.store.pk


def test_entered_after_the_visits_day_is_late(shop):
    on_time = visit(shop, occurred_at=at(2026, 3, 9, 20), now=at(2026, 3, 9, 23, 59))
    late = visit(shop, occurred_at=at(2026, 3, 9, 20), now=at(2026, 3, 10, 0, 5))
    assert not on_time.is_late_entry and late.is_late_entry


@pytest.mark.parametrize(
    "over,incomplete",
    [
        ({}, False),
        ({"occupation": ""}, True),
        ({"focus_points": []}, True),
        ({"community": ""}, True),
        ({"kind": "phone", "community": ""}, False),
    ],
)
def test_a_line_without_occupation_focus_or_community_is_incomplete(shop, over, incomplete):
    assert visit(shop, **over).is_incomplete is incomplete


def test_first_phone_inquiry_counts_once_per_number_and_store(shop):
    first = visit(shop, kind="phone", phone="13766880006", occurred_at=at(2026, 3, 1))
    again = visit(shop, kind="phone", phone="137 6688 0006", occurred_at=at(2026, 3, 2))
    came = visit(shop, kind="store", phone="13766880006", occurred_at=at(2026, 3, 3))
    other = visit_register(
        actor=shop.other.cm1,
        store=shop.other.store,
        data=data(kind="phone", phone="13766880006", occurred_at=at(2026, 3, 4)),
        now=NOW,
    )
    anonymous = visit(shop, kind="phone", phone="", occurred_at=at(2026, 3, 5))
    assert first.is_first_inquiry and not again.is_first_inquiry
    assert came.is_first_inquiry  # a store visit is not an inquiry call
    assert other.is_first_inquiry and anonymous.is_first_inquiry


@pytest.mark.parametrize(
    "who,over",
    [
        ("cm1", {"occurred_at": NOW + timedelta(minutes=1)}),
        ("cm1", {"phone": "12ab"}),
        ("cm1", {"source": "nowhere"}),
        ("cm1", {"focus_points": ["luck"]}),
        ("d1", {}),
        ("consultant", {}),
        ("other_manager", {}),
    ],
)
def test_refusals_write_nothing(shop, who, over):
    actor = shop.other.manager if who == "other_manager" else getattr(shop, who)
    before = (Visit.objects.count(), Customer.objects.count())
    with pytest.raises(RuleError):
        visit(shop, actor=actor, **{"phone": "13766880007", **over})
    assert (Visit.objects.count(), Customer.objects.count()) == before


# --- pre-registrations and the source check (界定客户有效性) ---------------------------------


def test_consultant_announces_and_a_customer_manager_may_on_their_behalf(shop):
    own = prereg(shop)
    behalf = prereg(shop, actor=shop.cm1, phone="13766880013", name="何静")
    assert own.phone_key == "13766880012" and own.status == PreRegistration.Status.WAITING
    assert behalf.consultant_id == shop.consultant.pk and behalf.created_by_id == shop.cm1.pk


@pytest.mark.parametrize(
    "who,consultant,over",
    [
        ("draftsman", "consultant", {}),
        ("d1", "d1", {}),
        ("cm1", "d1", {}),
        ("other_consultant", "other_consultant", {}),
        ("consultant", "consultant", {"phone": "abc"}),
        ("consultant", "consultant", {"community": ""}),
        ("consultant", "consultant", {"expected_on": date(2026, 3, 8)}),
    ],
)
def test_preregistration_refusals_write_nothing(shop, who, consultant, over):
    people = {"other_consultant": shop.other.consultant}

    def person(name):
        return people.get(name) or getattr(shop, name)

    with pytest.raises(RuleError):
        prereg(shop, actor=person(who), consultant=person(consultant), now=NOW, **over)
    assert not PreRegistration.objects.exists()


def test_a_phone_announced_twice_is_refused(shop):
    prereg(shop)
    with pytest.raises(RuleError):
        prereg(shop, name="别人")
    assert PreRegistration.objects.count() == 1


def test_consultant_referral_matching_a_notice_by_phone_is_confirmed_and_credited(shop):
    p = prereg(shop)
    v = visit(shop, source="designer", phone="137-6688-0012", visitor_name="马女士")
    p.refresh_from_db()
    assert v.source_status == Visit.SourceStatus.CONFIRMED
    assert v.pre_registration_id == p.pk and v.consultant_id == shop.consultant.pk
    assert p.status == PreRegistration.Status.MATCHED
    assert not Notification.objects.filter(recipient=shop.manager).exists()


def test_without_a_phone_the_same_name_and_community_match(shop):
    p = prereg(shop)
    v = visit(shop, source="designer", phone="", visitor_name="马丽", community="望京花园")
    assert v.source_status == Visit.SourceStatus.CONFIRMED and v.pre_registration_id == p.pk


def test_same_name_in_another_community_does_not_match(shop):
    prereg(shop)
    v = visit(shop, source="designer", phone="", visitor_name="马丽", community="国贸")
    assert v.source_status == Visit.SourceStatus.TO_CHECK and v.consultant_id is None


def test_consultant_referral_without_a_notice_goes_to_the_store_manager(shop):
    v = visit(shop, source="designer", phone="13766880020")
    assert v.source_status == Visit.SourceStatus.TO_CHECK and v.consultant_id is None
    note = Notification.objects.get(recipient=shop.manager)
    assert str(v.pk) in note.link


def test_another_source_told_for_an_announced_phone_goes_to_the_store_manager(shop):
    p = prereg(shop)
    v = visit(shop, source="walk_in", phone="13766880012")
    p.refresh_from_db()
    assert v.source_status == Visit.SourceStatus.TO_CHECK
    assert p.status == PreRegistration.Status.WAITING and v.pre_registration_id is None
    assert Notification.objects.filter(recipient=shop.manager).count() == 1


def test_another_source_without_a_notice_is_confirmed(shop):
    v = visit(shop, source="walk_in", phone="13766880021")
    assert v.source_status == Visit.SourceStatus.CONFIRMED


def test_another_stores_notice_does_not_match(shop):
    prereg_create(
        actor=shop.other.consultant,
        store=shop.other.store,
        consultant=shop.other.consultant,
        data={"name": "马丽", "phone": "13766880012", "community": "望京花园"},
        now=NOW,
    )
    v = visit(shop, source="designer", phone="13766880012")
    assert v.source_status == Visit.SourceStatus.TO_CHECK


def test_store_manager_credits_the_consultant(shop):
    p = prereg(shop)
    v = visit(shop, source="walk_in", phone="13766880012")
    decided = visit_source_decide(
        actor=shop.manager,
        visit=v,
        source="designer",
        consultant=shop.consultant,
        note="顾问确有告知",
        now=NOW,
    )
    p.refresh_from_db()
    assert decided.source_status == Visit.SourceStatus.DECIDED
    assert decided.source == "designer" and decided.consultant_id == shop.consultant.pk
    assert decided.pre_registration_id == p.pk and p.status == PreRegistration.Status.MATCHED
    assert decided.source_decided_by_id == shop.manager.pk and decided.source_decided_at == NOW


def test_store_manager_may_credit_nobody(shop):
    v = visit(shop, source="designer", phone="13766880022")
    decided = visit_source_decide(
        actor=shop.org.gm, visit=v, source="walk_in", consultant=None, note="自然客流", now=NOW
    )
    assert decided.consultant_id is None and decided.source == "walk_in"


@pytest.mark.parametrize(
    "who,source,consultant,note",
    [
        ("cm1", "designer", None, "理由"),
        ("other_manager", "designer", None, "理由"),
        ("manager", "walk_in", "consultant", "理由"),
        ("manager", "designer", "d1", "理由"),
        ("manager", "designer", None, ""),
        ("manager", "nowhere", None, "理由"),
    ],
)
def test_decision_refusals_change_nothing(shop, who, source, consultant, note):
    v = visit(shop, source="designer", phone="13766880023")
    actor = shop.other.manager if who == "other_manager" else getattr(shop, who)
    with pytest.raises(RuleError):
        visit_source_decide(
            actor=actor,
            visit=v,
            source=source,
            consultant=getattr(shop, consultant) if consultant else None,
            note=note,
            now=NOW,
        )
    v.refresh_from_db()
    assert v.source_status == Visit.SourceStatus.TO_CHECK and v.source == "designer"


def test_a_decided_source_is_not_decided_twice(shop):
    v = visit(shop, source="designer", phone="13766880024")
    visit_source_decide(
        actor=shop.manager, visit=v, source="walk_in", consultant=None, note="一", now=NOW
    )
    with pytest.raises(RuleError):
        visit_source_decide(
            actor=shop.manager, visit=v, source="friend", consultant=None, note="二", now=NOW
        )


# --- the weekly 对单 ---------------------------------------------------------------------------


def _dispatch(shop, *, customer=None, store=None, visit=None, designer=None, **fields):
    customer = customer or register(shop.cm1, is_organisation=False)
    fields.setdefault("status", Dispatch.Status.CLOSED)
    fields.setdefault("proposed_at", at(2026, 1, 2))
    return Dispatch.objects.create(
        store=store or shop.store,
        customer=customer,
        visit=visit,
        designer=designer or shop.d1,
        proposed_by=shop.cm1,
        **fields,
    )


def test_signing_off_a_week_keeps_its_counts(shop):
    monday = date(2026, 3, 2)
    visit(shop, occurred_at=at(2026, 3, 2, 9))
    visit(shop, occurred_at=at(2026, 3, 8, 23, 59), kind="phone")
    visit(shop, occurred_at=at(2026, 3, 9, 0, 0))  # the next week
    _dispatch(shop, proposed_at=at(2026, 3, 4))
    _dispatch(shop, proposed_at=at(2026, 3, 9, 1))
    signed = reconciliation_sign(
        actor=shop.cm1,
        store=shop.store,
        week_start=monday,
        market_manager=shop.org.manager_a,
        note="无差异",
        now=at(2026, 3, 9, 10),
    )
    assert (signed.visits, signed.dispatches) == (2, 1)
    week = week_to_reconcile(shop.store, week_start=monday)
    assert len(week.visits) == 2 and len(week.dispatches) == 1 and week.signed == signed
    weeks = recent_weeks(shop.store, today=date(2026, 3, 11))
    assert len(weeks) == 8 and weeks[0]["week_start"] == monday and weeks[0]["signed"] == signed
    assert weeks[1]["signed"] is None


@pytest.mark.parametrize(
    "who,week,now,market",
    [
        ("cm1", date(2026, 3, 9), at(2026, 3, 15, 23), "manager_a"),  # not over
        ("cm1", date(2026, 3, 3), NOW, "manager_a"),  # a Tuesday
        ("d1", date(2026, 3, 2), NOW, "manager_a"),
        ("other_manager", date(2026, 3, 2), NOW, "manager_a"),
        ("cm1", date(2026, 3, 2), NOW, None),
    ],
)
def test_sign_off_refusals_write_nothing(shop, who, week, now, market):
    actor = shop.other.manager if who == "other_manager" else getattr(shop, who)
    with pytest.raises(RuleError):
        reconciliation_sign(
            actor=actor,
            store=shop.store,
            week_start=week,
            market_manager=getattr(shop.org, market) if market else None,
            note="",
            now=now,
        )
    assert not WeeklyReconciliation.objects.exists()


def test_a_week_is_signed_off_once(shop):
    kw = {"store": shop.store, "week_start": date(2026, 3, 2), "note": "", "now": NOW}
    reconciliation_sign(actor=shop.cm1, market_manager=shop.org.manager_a, **kw)
    with pytest.raises(RuleError):
        reconciliation_sign(actor=shop.cm2, market_manager=shop.org.manager_b, **kw)
    assert WeeklyReconciliation.objects.count() == 1


# --- figures (004 第三章 三.2) -----------------------------------------------------------------


def _line(shop, when, *, kind="store", first=True, consultant=None, store=None):
    return Visit.objects.create(
        store=store or shop.store,
        kind=kind,
        occurred_at=when,
        is_first_inquiry=first,
        source="designer" if consultant else "walk_in",
        consultant=consultant,
        recorded_by=shop.cm1,
        recorded_at=when,
    )


@pytest.fixture
def march(shop):
    """March 2026: 4 store visits (one credited to the consultant), 2 first phone inquiries and
    a repeat call; February: 1 store visit, 1 first call; January: 1 store visit; April and
    store T: noise. Signed: March 3 (one from a phone inquiry, one from the credited visit, one
    plain), January 1, April 1, store T 1."""
    v = SimpleNamespace()
    v.store = [_line(shop, at(2026, 3, d)) for d in (1, 5, 20)]
    v.credited = _line(shop, at(2026, 3, 31, 23, 59), consultant=shop.consultant)
    v.phone = _line(shop, at(2026, 3, 2), kind="phone")
    _line(shop, at(2026, 3, 3), kind="phone")
    _line(shop, at(2026, 3, 4), kind="phone", first=False)
    _line(shop, at(2026, 2, 10))
    _line(shop, at(2026, 2, 11), kind="phone")
    _line(shop, at(2026, 1, 5))
    _line(shop, at(2026, 4, 1, 0, 0))
    _line(shop, at(2026, 3, 6), store=shop.other.store)
    _line(shop, at(2025, 12, 31, 23))
    _dispatch(shop, visit=v.phone, signed_at=at(2026, 3, 10))
    _dispatch(shop, visit=v.credited, signed_at=at(2026, 3, 31, 23))
    _dispatch(shop, visit=v.store[0], signed_at=at(2026, 3, 1, 0, 0))
    _dispatch(shop, signed_at=at(2026, 1, 20))
    _dispatch(shop, signed_at=at(2026, 4, 1, 0, 0))
    _dispatch(shop, signed_at=at(2025, 12, 31, 12))
    _dispatch(shop, store=shop.other.store, designer=shop.other.d1, signed_at=at(2026, 3, 10))
    return v


def test_store_visitors_and_first_phone_inquiries_of_the_month(shop, march):
    f = store_figures(shop.store, month_start=date(2026, 3, 1))
    assert (f.store_visits, f.phone_inquiries) == (4, 2)


def test_month_success_rate_is_signed_over_store_visits(shop, march):
    f = store_figures(shop.store, month_start=date(2026, 3, 1))
    assert f.month_rate == Rate(3, 4) and f.month_rate.percent == "75.0%"


def test_phone_success_rate_is_signed_from_phone_inquiries_over_first_calls(shop, march):
    assert store_figures(shop.store, month_start=date(2026, 3, 1)).phone_rate == Rate(1, 2)


def test_year_success_rate_runs_from_january_to_the_months_end(shop, march):
    # signed Jan–Mar: 3 + 1; visitors: store 4 + 1 + 1, first calls 2 + 1
    f = store_figures(shop.store, month_start=date(2026, 3, 1))
    assert f.year_rate == Rate(4, 9)
    feb = store_figures(shop.store, month_start=date(2026, 2, 1))
    assert feb.year_rate == Rate(1, 3)


def test_consultant_success_rate_is_over_credited_visits(shop, march):
    assert store_figures(shop.store, month_start=date(2026, 3, 1)).consultant_rate == Rate(1, 1)


def test_an_empty_month_shows_a_dash(shop):
    f = store_figures(shop.store, month_start=date(2026, 3, 1))
    assert f.month_rate == Rate(0, 0) and f.month_rate.percent == "—"


def test_designer_figures(shop):
    confirmed = {"status": Dispatch.Status.CONFIRMED, "confirmed_as": "store_manager"}
    _dispatch(shop, decided_at=at(2026, 3, 2), deposit_at=at(2026, 3, 3), **confirmed)
    _dispatch(shop, decided_at=at(2026, 3, 4), **confirmed)  # no deposit: not in hand
    _dispatch(
        shop,
        decided_at=at(2026, 2, 4),
        deposit_at=at(2026, 2, 5),
        signed_at=at(2026, 3, 6),
        confirmed_as="store_manager",
    )
    _dispatch(shop, status=Dispatch.Status.REJECTED, decided_at=at(2026, 3, 4))
    _dispatch(shop, designer=shop.d2, decided_at=at(2026, 1, 4), confirmed_as="gm")
    rows = {r.designer.pk: r for r in designer_figures(shop.store, month_start=date(2026, 3, 1))}
    d1, d2 = rows[shop.d1.pk], rows[shop.d2.pk]
    assert (d1.in_hand, d1.dispatched, d1.signed, d1.year_rate) == (1, 2, 1, Rate(1, 3))
    assert (d2.in_hand, d2.dispatched, d2.signed, d2.year_rate) == (0, 0, 0, Rate(0, 1))
    assert rows[shop.d5.pk].year_rate.percent == "—"


def test_dashboard_panel_reads_in_three_queries(shop, rf, django_assert_max_num_queries):
    from stores.views.visitors import figures_panel

    request = rf.get("/")
    request.user = shop.manager
    assert shop.manager.staff.department  # the profile comes with the user in a request
    with django_assert_max_num_queries(3):
        panel = figures_panel(request, now=NOW, today=NOW.date())
    assert panel["store"] == shop.store
