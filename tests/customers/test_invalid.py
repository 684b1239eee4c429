"""无效客户 (rule book 004 客户追访流程 1.C; SPEC §4, §11): only a manager of the customer's
department (or the GM), only after the manager's own revisit; invalid customers leave the
quotas, the reminders and the default lists, keep their holder, and the history says who and
why. Explicit clocks throughout."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from constance.test import override_config
from django.urls import reverse
from django.utils.translation import gettext as _

from allocation.models import ReclaimWarning
from allocation.services.warnings import countdown_policies, customer_reclaim_day, reclaim_warn
from crm.errors import RuleError
from customers.day import callbacks_due, quota_progress
from customers.errors import NotAllowed
from customers.history import customer_history
from customers.models import Customer
from customers.services import (
    customer_declare_invalid,
    customer_restore_valid,
    followup_log,
    inquiry_log,
)
from penalties.services.scans import quota_shortfall, scan_new_resource_quota
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
GOOD = "亲自回访，客户已在别家签约装修，明确表示不再考虑我们。"
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=SH)


def at(*args):
    return datetime(*args, tzinfo=SH)


def revisit(actor, customer, *, occurred, now=None, kind="callback"):
    return followup_log(
        actor=actor,
        customer=customer,
        now=now or occurred + timedelta(minutes=30),
        data={"kind": kind, "occurred_at": occurred, "content": GOOD},
    )


def declare(actor, customer, *, now=NOW, reason="客户已在别家签约"):
    return customer_declare_invalid(actor=actor, customer=customer, reason=reason, now=now)


def no_revisit_message():
    return _(
        "Log your own revisit first: a customer is declared invalid only after a "
        "call-back or visit by the manager themself within the last %(days)s days."
    ) % {"days": 30}


@pytest.fixture
def mine(org):
    """Held by sales_a in department A since January."""
    return register(org.sales_a, now=at(2026, 1, 5, 9))


def make_invalid(org, customer, *, now=NOW):
    revisit(org.manager_a, customer, occurred=now - timedelta(days=1))
    return declare(org.manager_a, customer, now=now)


# --- who may declare, and when --------------------------------------------------------------


def test_manager_without_own_revisit_is_refused_even_when_the_holder_called(org, mine):
    revisit(org.sales_a, mine, occurred=at(2026, 3, 9, 10))  # the holder's, not the manager's
    with pytest.raises(NotAllowed) as refused:
        declare(org.manager_a, mine)
    assert str(refused.value) == no_revisit_message()
    mine.refresh_from_db()
    assert not mine.is_invalid and mine.invalid_reason == ""


def test_manager_revisit_older_than_the_window_is_refused(org, mine):
    revisit(org.manager_a, mine, occurred=NOW - timedelta(days=30, minutes=1))
    with pytest.raises(NotAllowed):
        declare(org.manager_a, mine)
    with override_config(INVALID_REVISIT_DAYS=31):  # the window is the admin-editable number
        assert declare(org.manager_a, mine).is_invalid


def test_an_inquiry_call_taken_by_the_manager_is_not_a_revisit(org, mine):
    revisit(org.manager_a, mine, occurred=at(2026, 3, 9, 10), kind="inquiry")
    with pytest.raises(NotAllowed):
        declare(org.manager_a, mine)


def test_a_revisit_after_now_does_not_count(org, mine):
    """`now` is the clock of the decision: a record dated later is not evidence for it."""
    revisit(org.manager_a, mine, occurred=at(2026, 3, 11, 10), now=at(2026, 3, 11, 11))
    with pytest.raises(NotAllowed):
        declare(org.manager_a, mine, now=NOW)


def test_manager_with_own_revisit_declares_invalid_and_history_says_who_and_why(org, mine):
    revisit(org.manager_a, mine, occurred=NOW - timedelta(days=29))
    result = declare(org.manager_a, mine, reason="客户已在别家签约，电话确认")
    mine.refresh_from_db()
    assert result.pk == mine.pk
    assert mine.is_invalid and mine.invalid_reason == "客户已在别家签约，电话确认"
    assert mine.holder == org.sales_a  # keeps its holder: it simply stops counting
    row = mine.history.order_by("-history_date", "-history_id").first()
    assert (row.history_user, row.history_date, row.is_invalid) == (org.manager_a, NOW, True)
    assert row.history_change_reason == "客户已在别家签约，电话确认"
    entry = customer_history(mine, masked=False)[0]
    assert entry.who == org.manager_a.display_name
    changes = {c.field: (c.old, c.new) for c in entry.changes}
    assert changes[str(Customer._meta.get_field("is_invalid").verbose_name)] == (
        str(_("No")),
        str(_("Yes")),
    )


def test_manager_of_a_sub_department_and_the_gm_may_declare(org):
    sub = register(org.sales_a1, now=at(2026, 1, 5, 9))
    revisit(org.manager_a1, sub, occurred=at(2026, 3, 9, 10))
    assert declare(org.manager_a1, sub).is_invalid
    other = register(org.sales_b, now=at(2026, 1, 5, 9))
    revisit(org.gm, other, occurred=at(2026, 3, 9, 10))
    assert declare(org.gm, other).is_invalid


@pytest.mark.parametrize("who", ["sales_a", "accountant_a", "manager_b"])
def test_salesperson_accountant_and_other_managers_are_refused(org, mine, who):
    actor = getattr(org, who)
    if who == "sales_a":  # even the holder with a fresh call of their own
        revisit(org.sales_a, mine, occurred=at(2026, 3, 9, 10))
    with pytest.raises(NotAllowed):
        declare(actor, mine)
    mine.refresh_from_db()
    assert not mine.is_invalid


def test_a_reason_is_required_and_a_second_declaration_refused(org, mine):
    revisit(org.manager_a, mine, occurred=at(2026, 3, 9, 10))
    with pytest.raises(RuleError):
        declare(org.manager_a, mine, reason="   ")
    declare(org.manager_a, mine)
    with pytest.raises(RuleError):
        declare(org.manager_a, mine)


def test_manager_restores_a_customer_with_history(org, mine):
    make_invalid(org, mine)
    with pytest.raises(NotAllowed):
        customer_restore_valid(actor=org.sales_a, customer=mine, reason="客户又来咨询", now=NOW)
    later = NOW + timedelta(days=3)
    customer_restore_valid(actor=org.manager_a, customer=mine, reason="客户又来咨询", now=later)
    mine.refresh_from_db()
    assert not mine.is_invalid and mine.invalid_reason == ""
    row = mine.history.order_by("-history_date", "-history_id").first()
    assert (row.history_user, row.history_date, row.history_change_reason) == (
        org.manager_a,
        later,
        "客户又来咨询",
    )
    # the earlier declaration and its reason stay in the history
    assert mine.history.filter(is_invalid=True, invalid_reason="客户已在别家签约").exists()
    with pytest.raises(RuleError):
        customer_restore_valid(actor=org.manager_a, customer=mine, reason="再次", now=later)


# --- pages -----------------------------------------------------------------------------------


def test_manager_declares_through_the_confirmation_page(org, mine, login):
    client = login(org.manager_a)
    url = reverse("customers:declare_invalid", args=[mine.pk])
    with time_machine.travel(NOW, tick=False):
        detail = client.get(reverse("customers:detail", args=[mine.pk])).content.decode()
        assert 'data-testid="declare-invalid"' in detail
        page = client.get(url).content.decode()
        assert 'data-testid="no-revisit"' in page
        refused = client.post(url, {"reason": "客户已在别家签约"})
        assert refused.status_code == 400
        assert no_revisit_message() in refused.content.decode()
        revisit(org.manager_a, mine, occurred=at(2026, 3, 10, 9), now=NOW)
        assert 'data-testid="own-revisit"' in client.get(url).content.decode()
        done = client.post(url, {"reason": "客户已在别家签约"})
        assert done.status_code == 302
        detail = client.get(reverse("customers:detail", args=[mine.pk])).content.decode()
    mine.refresh_from_db()
    assert mine.is_invalid
    assert 'data-testid="invalid-note"' in detail and "客户已在别家签约" in detail
    assert 'data-testid="restore-valid"' in detail


def test_restore_page_undoes_it(org, mine, login):
    make_invalid(org, mine)
    client = login(org.manager_a)
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        response = client.post(
            reverse("customers:restore_valid", args=[mine.pk]), {"reason": "客户回心转意"}
        )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert not mine.is_invalid


@pytest.mark.parametrize("who", ["sales_a", "accountant_a", "manager_b", "sales_b"])
def test_others_get_404_on_the_pages_and_see_no_button(org, mine, login, who):
    revisit(org.sales_a, mine, occurred=at(2026, 3, 9, 10))
    client = login(getattr(org, who))
    for name in ("declare_invalid", "restore_valid"):
        url = reverse(f"customers:{name}", args=[mine.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "试试看"}).status_code == 404
    mine.refresh_from_db()
    assert not mine.is_invalid
    detail = client.get(reverse("customers:detail", args=[mine.pk]))
    assert 'data-testid="declare-invalid"' not in detail.content.decode()


# --- leaving the lists -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager_a", "gm", "sales_a"])
def test_default_list_and_export_leave_invalid_customers_out_the_filter_shows_them(
    org, mine, login, who
):
    kept = register(org.sales_a, name="仍然有效有限公司", now=at(2026, 1, 6, 9))
    Customer.objects.filter(pk=mine.pk).update(name="已无效有限公司")
    make_invalid(org, mine)
    client = login(getattr(org, who))
    lst = reverse("customers:list")
    body = client.get(lst).content.decode()
    assert kept.name in body and "已无效有限公司" not in body
    assert "已无效有限公司" not in client.get(lst, {"q": "已无效"}).content.decode()
    only = client.get(lst, {"validity": "invalid"}).content.decode()
    assert "已无效有限公司" in only and kept.name not in only
    assert 'data-testid="invalid-badge"' in only
    both = client.get(lst, {"validity": "all"}).content.decode()
    assert "已无效有限公司" in both and kept.name in both
    # a misunderstood filter is ignored, the default still holds
    odd = client.get(lst, {"intent_grade": "Z"}).content.decode()
    assert kept.name in odd and "已无效有限公司" not in odd


def test_follow_up_quota_leaves_invalid_customers_out_and_sql_agrees(org):
    """The dashboard (ORM) and the month-end scan (SQL) count the same, on a grid of
    grades, follow-up counts, holders and one invalid customer per holder."""
    march = date(2026, 3, 1)
    grid = {}
    for holder in (org.sales_a, org.sales_a2):
        for grade, done in (("A", 1), ("B", 3), ("C", 0), ("D", 2), ("A", 0)):
            c = register(holder, intent_grade=grade, now=at(2026, 1, 5, 9))
            for n in range(done):
                revisit(holder, c, occurred=at(2026, 3, 2 + n, 10))
            grid.setdefault(holder, []).append(c)

    def orm(user):
        return sum(r.missing for r in quota_progress(user, today=date(2026, 3, 20)))

    def sql():
        return quota_shortfall(march, date(2026, 4, 1))

    before = sql()
    assert before == {org.sales_a.pk: 3 + 0 + 2 + 0 + 4, org.sales_a2.pk: 9}
    assert {u.pk: orm(u) for u in (org.sales_a, org.sales_a2)} == before
    # An A customer with nothing done owes 4; once invalid it owes nothing.
    make_invalid(org, grid[org.sales_a][4])
    after = sql()
    assert after == {org.sales_a.pk: 5, org.sales_a2.pk: 9}
    assert {u.pk: orm(u) for u in (org.sales_a, org.sales_a2)} == after
    assert quota_shortfall(march, date(2026, 4, 1), holders=[org.sales_a.pk]) == {org.sales_a.pk: 5}


def test_invalid_customer_registered_this_month_does_not_count_towards_new_customers(org):
    registered = [register(org.sales_a, now=at(2026, 11, d, 9)) for d in (3, 4, 5)]

    def points():
        proposals = scan_new_resource_quota(date(2026, 12, 1))
        return {p.points for p in proposals if p.person_id == org.sales_a.pk}

    with override_config(NEW_RESOURCE_QUOTA=3):
        assert points() == set()  # three of three
        make_invalid(org, registered[0], now=at(2026, 11, 20, 15))
        assert points() == {-1}  # two real ones


def test_invalid_customer_owes_no_call_back(org, mine):
    # The manager's revisit comes before the inquiry, so it does not answer it.
    revisit(org.manager_a, mine, occurred=at(2026, 3, 5, 10))
    inquiry_log(
        actor=org.sales_b,
        phone=mine.phone,
        caller_name="",
        content="问报价",
        occurred_at=at(2026, 3, 6, 10),
        now=at(2026, 3, 6, 10, 5),
    )
    assert [c.pk for c in callbacks_due(org.sales_a, now=at(2026, 3, 7, 9))] == [mine.pk]
    declare(org.manager_a, mine, now=at(2026, 3, 7, 12))
    assert callbacks_due(org.sales_a, now=at(2026, 3, 8, 9)) == []


def test_invalid_customer_gets_no_reclaim_warning_nor_countdown(org):
    # Last follow-up 2026-02-20 → the monthly no-follow-up run takes it on 04-01; warned 03-25.
    def held():
        c = register(org.sales_a, now=at(2026, 1, 5, 10))
        Customer.objects.filter(pk=c.pk).update(
            holder_since=at(2026, 1, 5, 10), last_followup_at=at(2026, 2, 20, 15)
        )
        c.refresh_from_db()
        return c

    dead, alive = held(), held()
    make_invalid(org, dead, now=at(2026, 3, 1, 12))
    dead.refresh_from_db()
    assert reclaim_warn(as_of=date(2026, 3, 25), now=at(2026, 3, 25)) == 1
    assert list(ReclaimWarning.objects.values_list("customer_id", flat=True)) == [alive.pk]
    policies = countdown_policies()
    assert customer_reclaim_day(dead, policies) is None
    assert customer_reclaim_day(alive, policies) is not None
