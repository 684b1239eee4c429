"""Follow-ups, deals, referrals: deadlines, thin content, amendments, who may write, clocks
(SPEC §2–4; rule book 000 §3.1.d–e, §4.2①)."""

from datetime import date, datetime
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from customers.errors import NotAllowed
from customers.models import Customer, Deal, FollowUp, Referral
from customers.services import (
    RecordError,
    deal_record,
    followup_amend,
    followup_log,
    ownership_transfer,
    referral_record,
    referral_verify,
)
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
GOOD = "上门拜访，客户对新款地板感兴趣，约定下周带样品再谈报价。"


def at(*args):
    return datetime(*args, tzinfo=SH)


def log(actor, customer, *, occurred, now, content=GOOD, **extra):
    return followup_log(
        actor=actor,
        customer=customer,
        now=now,
        data={"kind": "home_visit", "occurred_at": occurred, "content": content, **extra},
    )


@pytest.fixture
def mine(org):
    return register(org.sales_a, now=at(2026, 1, 5, 9))


@pytest.mark.parametrize(
    ("occurred", "on_time", "late"),
    [
        # Ordinary weekend: Friday → Monday 10:00.
        (at(2026, 3, 6, 15), at(2026, 3, 9, 9, 59), at(2026, 3, 9, 10, 1)),
        # Spring Festival 2026: Saturday 02-14 (调休 workday) → Tuesday 02-24 10:00.
        (at(2026, 2, 14, 16), at(2026, 2, 20, 12), at(2026, 2, 24, 10, 30)),
        # 调休 working Saturday: Friday 02-27 → Saturday 02-28 10:00, not Monday.
        (at(2026, 2, 27, 18), at(2026, 2, 28, 9, 0), at(2026, 3, 2, 9, 0)),
    ],
)
def test_followup_lateness_follows_the_working_day_calendar(org, mine, occurred, on_time, late):
    ok = log(org.sales_a, mine, occurred=occurred, now=on_time)
    assert not ok.is_late and ok.deadline > on_time
    behind = log(org.sales_a, mine, occurred=occurred, now=late)
    assert behind.is_late and behind.deadline < late
    assert behind.deadline.astimezone(SH).hour == 10
    assert FollowUp.objects.filter(is_late=True).count() == 1


def test_late_deal_is_saved_and_marked(org, mine):
    deal = deal_record(
        actor=org.sales_a,
        customer=mine,
        now=at(2026, 3, 10, 11),
        data={
            "occurred_at": at(2026, 3, 6, 15),
            "product": "实木地板",
            "quantity": Decimal("10"),
            "amount": Decimal("5000"),
            "paid": Decimal("3000"),
        },
    )
    assert deal.is_late and deal.outstanding == Decimal("2000")
    assert deal.deadline == at(2026, 3, 9, 10)


def test_future_time_is_refused_and_nothing_written(org, mine):
    with pytest.raises(RecordError, match="不能晚于现在"):
        log(org.sales_a, mine, occurred=at(2026, 3, 6, 15, 1), now=at(2026, 3, 6, 15))
    assert FollowUp.objects.count() == 0


@pytest.mark.parametrize("content", ["", "   ", "无", "同上", "。。。", "……", "ok", "好的好的"])
def test_thin_content_is_refused(org, mine, content):
    with pytest.raises(RecordError):
        log(org.sales_a, mine, occurred=at(2026, 3, 6, 15), now=at(2026, 3, 6, 16), content=content)
    assert FollowUp.objects.count() == 0


def test_amendment_never_changes_the_original(org, mine):
    original = log(org.sales_a, mine, occurred=at(2026, 3, 6, 15), now=at(2026, 3, 6, 16))
    fix = followup_amend(
        actor=org.sales_a,
        original=original,
        now=at(2026, 3, 7, 9),
        data={"content": "更正：客户要的是复合地板，不是实木地板，下周送样品。"},
    )
    original.refresh_from_db()
    assert original.content == GOOD and original.amends is None
    assert fix.amends == original and fix.occurred_at == original.occurred_at
    assert list(original.amendments.all()) == [fix]
    with pytest.raises(NotAllowed):
        followup_amend(
            actor=org.manager_a,
            original=original,
            now=at(2026, 3, 7, 9),
            data={"content": "经理改写别人的记录，这不允许。"},
        )


def test_colleague_cannot_log_on_someone_elses_customer(org, mine):
    with pytest.raises(NotAllowed):
        log(org.sales_a2, mine, occurred=at(2026, 3, 6, 15), now=at(2026, 3, 6, 16))
    with pytest.raises(NotAllowed):
        log(org.manager_b, mine, occurred=at(2026, 3, 6, 15), now=at(2026, 3, 6, 16))
    assert FollowUp.objects.count() == 0


def test_pool_customer_is_followed_only_after_distribution(org, mine):
    ownership_transfer(
        customer=mine, to_pool="department", kind="reclaim", actor=None, now=at(2026, 3, 1)
    )
    with pytest.raises(NotAllowed, match="公共资源池"):
        log(org.sales_a, mine, occurred=at(2026, 3, 6, 15), now=at(2026, 3, 6, 16))
    log(org.manager_a, mine, occurred=at(2026, 3, 6, 15), now=at(2026, 3, 6, 16))


def test_holder_followup_moves_the_clock_and_a_backdated_one_does_not_rewind_it(org, mine):
    log(org.sales_a, mine, occurred=at(2026, 3, 6, 15), now=at(2026, 3, 6, 16))
    mine.refresh_from_db()
    assert mine.last_followup_at == at(2026, 3, 6, 15)
    log(org.sales_a, mine, occurred=at(2026, 3, 2, 15), now=at(2026, 3, 6, 17))
    mine.refresh_from_db()
    assert mine.last_followup_at == at(2026, 3, 6, 15)


def test_managers_followup_is_not_the_holders_and_keeps_the_clock(org, mine):
    f = log(org.manager_a, mine, occurred=at(2026, 3, 6, 15), now=at(2026, 3, 6, 16))
    mine.refresh_from_db()
    assert not f.by_holder and mine.last_followup_at is None


def test_record_and_clock_are_one_transaction(org, mine):
    with (
        mock.patch("customers.services.records._move_clock", side_effect=RuntimeError),
        pytest.raises(RuntimeError),
    ):
        log(org.sales_a, mine, occurred=at(2026, 3, 6, 15), now=at(2026, 3, 6, 16))
    assert FollowUp.objects.count() == 0


def test_deal_credits_the_holder_and_moves_deal_clocks(org, mine):
    deal = deal_record(
        actor=org.accountant_a,
        customer=mine,
        now=at(2026, 3, 6, 16),
        data={
            "occurred_at": at(2026, 3, 6, 15),
            "product": "实木地板",
            "quantity": Decimal("2"),
            "amount": Decimal("800"),
        },
    )
    assert deal.credited_to == org.sales_a and deal.author == org.accountant_a
    mine.refresh_from_db()
    assert mine.last_deal_at == at(2026, 3, 6, 15) and mine.first_deal_at == at(2026, 3, 6, 15)
    if mine.is_incomplete:
        assert mine.completion_due == date(2026, 5, 6)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": Decimal("-1")}, "金额"),
        ({"quantity": Decimal("0")}, "数量"),
        ({"quantity": Decimal("1000000000")}, "数量"),
        ({"amount": Decimal("100"), "paid": Decimal("200")}, "已付"),
    ],
)
def test_bad_deal_numbers_are_refused(org, mine, changes, message):
    data = {
        "occurred_at": at(2026, 3, 6, 15),
        "product": "地板",
        "quantity": Decimal("1"),
        "amount": Decimal("100"),
    } | changes
    with pytest.raises(RecordError, match=message):
        deal_record(actor=org.sales_a, customer=mine, now=at(2026, 3, 6, 16), data=data)
    assert Deal.objects.count() == 0
    mine.refresh_from_db()
    assert mine.last_deal_at is None


def test_colleague_cannot_enter_a_deal(org, mine):
    with pytest.raises(NotAllowed):
        deal_record(
            actor=org.sales_a2,
            customer=mine,
            now=at(2026, 3, 6, 16),
            data={
                "occurred_at": at(2026, 3, 6, 15),
                "product": "地板",
                "quantity": Decimal("1"),
                "amount": Decimal("100"),
            },
        )


def test_referral_counts_for_the_deal_clock_once_verified(org, mine):
    referral = referral_record(
        actor=org.sales_a,
        customer=mine,
        now=at(2026, 4, 2, 9),
        data={"occurred_at": at(2026, 4, 1, 15), "referred_name": "王先生", "what": "介绍邻居装修"},
    )
    mine.refresh_from_db()
    assert mine.last_deal_at is None, "an unproven referral keeps nothing (SPEC §6)"
    referral_verify(actor=org.manager_a, referral=referral, now=at(2026, 4, 3, 9))
    mine.refresh_from_db()
    assert mine.last_deal_at == at(2026, 4, 1, 15)
    assert Referral.objects.get().customer == mine
    assert Customer.objects.get(pk=mine.pk).last_followup_at is None


def test_recording_a_referral_through_the_page_answers_a_redirect_not_a_500(org, mine, login):
    """Issue 12, defect 3: the page read `is_late` on a Referral after saving it and answered
    500, so people retried and recorded the referral twice."""
    client = login(org.sales_a)
    response = client.post(
        f"/customers/{mine.pk}/referrals/new/",
        {
            "occurred_at": "2026-04-01T15:00",
            "referred_name": "王先生",
            "referred_phone": "",
            "what": "介绍邻居装修",
        },
    )
    assert response.status_code == 302
    assert Referral.objects.filter(customer=mine).count() == 1


# --- issue 14: the one-click visit log answers in place --------------------------------------


def test_quicklog_refusal_comes_back_in_its_row_with_the_text_kept(org, mine, login):
    """htmx swaps only 2xx: a 400 was dropped (DEBUG off) or replaced the page (DEBUG on)."""
    from django.urls import reverse

    client = login(org.sales_a)
    url = reverse("customers:followup_new", args=[mine.pk])
    form = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert form.lstrip().startswith(f'<tr id="log-{mine.pk}"')
    assert f'action="{url}"' in form and 'method="post"' in form and "csrfmiddlewaretoken" in form
    response = client.post(
        url,
        {"kind": "callback", "occurred_at": "2026-03-06T10:00", "content": "太短了"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith(f'<tr id="log-{mine.pk}"')
    assert "内容太短" in body or "too short" in body
    assert "太短了" in body, "what was typed is kept"
    assert not FollowUp.objects.exists()
    empty = client.post(
        url, {"kind": "callback", "occurred_at": "2026-03-06T10:00"}, HTTP_HX_REQUEST="true"
    )
    assert empty.status_code == 200 and "这个字段是必填项" in empty.content.decode()


def test_quicklog_without_javascript_posts_as_a_page(org, mine, login):
    from django.urls import reverse

    client = login(org.sales_a)
    url = reverse("customers:followup_new", args=[mine.pk])
    refused = client.post(url, {"kind": "callback", "occurred_at": "2030-01-01T10:00"})
    body = refused.content.decode()
    assert refused.status_code == 400 and "<html" in body
    assert 'value="2030-01-01T10:00"' in body and "发生时间不能晚于现在" in body
    saved = client.post(
        url, {"kind": "callback", "occurred_at": "2026-03-06T10:00", "content": GOOD}
    )
    assert saved.status_code == 302 and FollowUp.objects.get().content == GOOD
