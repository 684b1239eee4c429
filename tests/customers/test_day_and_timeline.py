"""Inquiry calls, the salesperson's day, the timeline, and their pages
(SPEC §2–4, §8)."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from crm.models import Notification
from customers.day import callbacks_due, quota_progress
from customers.models import FollowUp, InquiryCall
from customers.services import InquiryOutcome, deal_record, followup_log, inquiry_log
from customers.timeline import timeline
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
GOOD = "电话沟通，客户确认下周三上门量尺，需要准备三种方案。"


def at(*args):
    return datetime(*args, tzinfo=SH)


def log(actor, customer, when, kind="callback", **extra):
    return followup_log(
        actor=actor,
        customer=customer,
        now=when,
        data={"kind": kind, "occurred_at": when, "content": GOOD, **extra},
    )


def deal(actor, customer, when, amount, quantity="1", paid=None):
    return deal_record(
        actor=actor,
        customer=customer,
        now=when,
        data={
            "occurred_at": when,
            "product": "地板",
            "quantity": Decimal(quantity),
            "amount": Decimal(amount),
            "paid": Decimal(paid if paid is not None else amount),
        },
    )


# --- inquiry calls ---------------------------------------------------------------------------


def test_inquiry_on_a_taken_number_attaches_and_notifies_without_revealing(org, login):
    c = register(
        org.sales_a, phone="13812340000", name="保密客户有限公司", address="上海市保密路8号"
    )
    client = login(org.sales_b)
    response = client.post(
        reverse("customers:inquiry_new"),
        {
            "phone": "138-1234-0000",
            "caller_name": "李先生",
            "content": "问地板价格和工期",
            "occurred_at": "2026-03-06T10:00",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="taken"' in body
    # Who holds it, as a registration refusal would say (issue 14); nothing of the customer.
    for secret in ("保密客户", "保密路", "13812340000"):
        assert secret not in body
    outcome = body[body.index('data-testid="inquiry-outcome"') :]
    outcome = outcome[: outcome.index("</div>")]
    assert org.sales_a.display_name in outcome and "华东销售部" in outcome
    assert "2026-01-15" in outcome, "held since"
    assert 'data-testid="register-caller"' not in outcome
    call = InquiryCall.objects.get()
    assert call.customer == c and call.author == org.sales_b
    c.refresh_from_db()
    assert c.holder == org.sales_a, "the holder does not change"
    note = Notification.objects.get(recipient=org.sales_a)
    assert "保密客户有限公司" in note.title and note.link.endswith(f"/customers/{c.pk}/")


def test_inquiry_on_a_new_number_offers_registration_and_attaches_afterwards(org):
    outcome = inquiry_log(
        actor=org.sales_b,
        phone="+86 139 5555 0000",
        caller_name="",
        content="问报价",
        occurred_at=at(2026, 3, 6, 10),
        now=at(2026, 3, 6, 10, 5),
    )
    assert outcome.status == InquiryOutcome.NEW and outcome.inquiry.customer is None
    c = register(org.sales_b, phone="13955550000")
    assert InquiryCall.objects.get().customer == c


def test_inquiry_on_a_pool_number_tells_the_department_manager(org):
    from customers.services import ownership_transfer

    c = register(org.sales_a, phone="13812340000")
    ownership_transfer(
        customer=c, to_pool="department", kind="reclaim", actor=None, now=at(2026, 3, 1)
    )
    outcome = inquiry_log(
        actor=org.sales_b,
        phone="13812340000",
        caller_name="",
        content="问报价",
        occurred_at=at(2026, 3, 6, 10),
        now=at(2026, 3, 6, 10, 5),
    )
    assert outcome.status == InquiryOutcome.POOL
    assert Notification.objects.filter(recipient=org.manager_a).count() == 1


@override_settings(NOTIFY_BY_EMAIL=True)
def test_notification_is_emailed_when_mail_is_configured(org, django_capture_on_commit_callbacks):
    org.sales_a.email = "zhang@example.cn"
    org.sales_a.save()
    register(org.sales_a, phone="13812340000")
    with django_capture_on_commit_callbacks(execute=True):
        inquiry_log(
            actor=org.sales_b,
            phone="13812340000",
            caller_name="",
            content="问报价",
            occurred_at=at(2026, 3, 6, 10),
            now=at(2026, 3, 6, 10, 5),
        )
    assert [m.to for m in mail.outbox] == [["zhang@example.cn"]]


def test_bad_inquiry_input_is_refused_in_chinese(org, login):
    response = login(org.sales_b).post(
        reverse("customers:inquiry_new"),
        {"phone": "12ab", "content": "问价格", "occurred_at": "2026-03-06T10:00"},
    )
    assert response.status_code == 400 and "不是有效的电话号码" in response.content.decode()
    assert InquiryCall.objects.count() == 0


def test_header_badge_counts_unread_and_reading_the_page_changes_nothing(org, login):
    register(org.sales_a, phone="13812340000")
    inquiry_log(
        actor=org.sales_b,
        phone="13812340000",
        caller_name="",
        content="问报价",
        occurred_at=at(2026, 3, 6, 10),
        now=at(2026, 3, 6, 10, 5),
    )
    client = login(org.sales_a)
    assert 'data-testid="unread">1<' in client.get(reverse("crm:dashboard")).content.decode()
    # Issue 12, defect 12: a GET is read-only — only the POSTs mark notifications read.
    client.get(reverse("crm:notifications"))
    assert 'data-testid="unread">1<' in client.get(reverse("crm:dashboard")).content.decode()
    from crm.models import Notification

    item = Notification.objects.get(recipient=org.sales_a)
    assert client.get(reverse("crm:notification_open", args=[item.pk])).status_code == 405
    opened = client.post(reverse("crm:notification_open", args=[item.pk]))
    assert opened.status_code == 302 and opened.url == item.link
    assert 'data-testid="unread"' not in client.get(reverse("crm:dashboard")).content.decode()
    other = login(org.sales_b)
    assert other.post(reverse("crm:notification_open", args=[item.pk])).status_code == 404


# --- the salesperson's day -------------------------------------------------------------------


def test_quota_counts_this_months_holder_followups_per_grade(org):
    a = register(org.sales_a, intent_grade="A")
    b = register(org.sales_a, intent_grade="B")
    d = register(org.sales_a, intent_grade="D")
    for day in (2, 9, 16):
        log(org.sales_a, a, at(2026, 3, day, 10))
    for day in (3, 10, 17):
        log(org.sales_a, b, at(2026, 3, day, 10))
    log(org.sales_a, d, at(2026, 2, 27, 10))  # last month: does not count for March
    log(org.manager_a, d, at(2026, 3, 5, 10))  # not the holder's
    rows = {q.grade: q for q in quota_progress(org.sales_a, today=date(2026, 3, 20))}
    assert (rows["A"].customers, rows["A"].on_track, rows["A"].missing) == (1, 0, 1)
    assert (rows["B"].customers, rows["B"].on_track, rows["B"].missing) == (1, 1, 0)
    assert (rows["D"].customers, rows["D"].on_track, rows["D"].missing) == (1, 0, 1)
    assert rows["C"].customers == 0


def test_first_inquiry_without_a_visit_is_due_for_call_back_in_two_days(org):
    waiting = register(org.sales_a, phone="13812340001")
    visited = register(org.sales_a, phone="13812340002")
    for phone in ("13812340001", "13812340002"):
        inquiry_log(
            actor=org.sales_b,
            phone=phone,
            caller_name="",
            content="问报价",
            occurred_at=at(2026, 3, 6, 10),
            now=at(2026, 3, 6, 10, 5),
        )
    log(org.sales_a, visited, at(2026, 3, 7, 10), kind="home_visit")
    due = callbacks_due(org.sales_a, now=at(2026, 3, 9, 9))
    assert [c.pk for c in due] == [waiting.pk]
    assert due[0].callback_due == at(2026, 3, 8, 10) and due[0].callback_overdue


def test_dashboard_shows_the_day(org, login):
    register(org.sales_a, intent_grade="A", name="指标客户有限公司")
    body = login(org.sales_a).get(reverse("crm:dashboard")).content.decode()
    assert 'data-testid="sales-day"' in body and 'data-grade="A"' in body
    assert "指标客户有限公司" in body


# --- timeline and yearly summary -------------------------------------------------------------


def test_timeline_walks_every_entry_once_newest_first(org):
    c = register(org.sales_a, now=at(2026, 1, 1, 9))
    for day in range(1, 26):
        log(org.sales_a, c, at(2026, 2, day, 10))
    deal(org.sales_a, c, at(2026, 2, 10, 10), "500")  # same moment as a follow-up
    seen, cursor = [], None
    while True:
        entries, cursor = timeline(c, cursor=cursor, size=7)
        seen += [(e.type, e.obj.pk, e.at) for e in entries]
        if cursor is None:
            break
    assert len(seen) == 25 + 1 + 1  # follow-ups, the deal, the registration event
    assert len(set(seen)) == len(seen)
    times = [s[2] for s in seen]
    assert times == sorted(times, reverse=True)


def test_timeline_page_query_count_does_not_grow(org, login):
    few = register(org.sales_a, now=at(2026, 1, 1, 9))
    many = register(org.sales_a, now=at(2026, 1, 1, 9))
    for day in range(1, 4):
        log(org.sales_a, few, at(2026, 2, day, 10))
    for i in range(60):
        log(org.sales_a, many, at(2026, 2, 1 + i % 27, 8 + i % 10, i % 60))
    deal(org.sales_a, few, at(2026, 2, 5, 10), "100")
    deal(org.sales_a, many, at(2026, 2, 5, 10), "100")
    client = login(org.sales_a)
    counts = []
    for c in (few, many):
        client.get(reverse("customers:detail", args=[c.pk]))
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("customers:detail", args=[c.pk]))
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    # One query per record type on the page at most, never one per entry: the customer with
    # 60 follow-ups costs no more than the one with 3 (whose first page mixes more types).
    # Issue 15 added sales' sections (opportunities, contracts, the dormant mark, the yearly
    # table), issue 16 service's (credit evaluations, competitors), each a fixed number of
    # queries whatever the customer's records.
    assert counts[1] <= counts[0] <= 32


def test_colleague_cannot_read_the_timeline_or_log(org, login):
    c = register(org.sales_a)
    client = login(org.sales_a2)
    assert client.get(reverse("customers:timeline", args=[c.pk])).status_code == 404
    assert client.get(reverse("customers:followup_new", args=[c.pk])).status_code == 404
    response = client.post(
        reverse("customers:followup_new", args=[c.pk]),
        {"kind": "home_visit", "occurred_at": "2026-03-06T10:00", "content": GOOD},
    )
    assert response.status_code == 404
    assert FollowUp.objects.count() == 0


def test_pool_timeline_content_is_hidden_from_salespeople(org, login):
    from customers.services import ownership_transfer

    c = register(org.sales_a2)
    log(org.sales_a2, c, at(2026, 2, 3, 10))
    ownership_transfer(
        customer=c, to_pool="department", kind="reclaim", actor=None, now=at(2026, 3, 1)
    )
    body = login(org.sales_a).get(reverse("customers:detail", args=[c.pk])).content.decode()
    assert GOOD not in body and "内容不予显示" in body


def test_quick_log_from_the_list_returns_a_row_and_marks_late(org, login):
    import time_machine

    c = register(org.sales_a)
    client = login(org.sales_a)
    with time_machine.travel(at(2026, 3, 9, 11), tick=False):
        form = client.get(
            reverse("customers:followup_new", args=[c.pk]), HTTP_HX_REQUEST="true"
        ).content.decode()
        assert form.startswith('\n<tr id="log-') or '<tr id="log-' in form
        response = client.post(
            reverse("customers:followup_new", args=[c.pk]),
            {"kind": "home_visit", "occurred_at": "2026-03-06T15:00", "content": GOOD},
            HTTP_HX_REQUEST="true",
        )
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="logged"' in body
    assert 'data-testid="late"' in body and "<html" not in body
    assert FollowUp.objects.get().is_late


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"content": "无"}, "敷衍"),
        ({"occurred_at": "2099-01-01T10:00"}, "不能晚于现在"),
        ({"occurred_at": "昨天"}, "输入一个有效的日期"),
        ({"kind": "nonsense"}, "选择一个有效的选项"),
    ],
)
def test_bad_followup_input_is_refused_with_a_chinese_message(org, login, post, message):
    c = register(org.sales_a)
    data = {"kind": "home_visit", "occurred_at": "2026-03-06T15:00", "content": GOOD} | post
    response = login(org.sales_a).post(reverse("customers:followup_new", args=[c.pk]), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert FollowUp.objects.count() == 0


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"amount": "-5"}, "金额"),
        ({"quantity": "abc"}, "输入一个数字"),
        ({"quantity": "99999999"}, "数量"),
    ],
)
def test_bad_deal_input_is_refused_with_a_chinese_message(org, login, post, message):
    c = register(org.sales_a)
    data = {
        "occurred_at": "2026-03-06T15:00",
        "product": "地板",
        "quantity": "2",
        "amount": "100",
        "paid": "0",
        "points": "0",
    } | post
    response = login(org.sales_a).post(reverse("customers:deal_new", args=[c.pk]), data)
    assert response.status_code == 400 and message in response.content.decode()


def test_mark_all_read_is_a_post(org, login):
    from crm.models import Notification
    from crm.notifications import notify

    for i in range(3):
        notify(recipient=org.sales_a, title=f"通知{i}", now=at(2026, 3, 6, 10))
    client = login(org.sales_a)
    assert client.get(reverse("crm:notifications_read")).status_code == 405
    assert Notification.objects.filter(recipient=org.sales_a, read_at__isnull=True).count() == 3
    client.post(reverse("crm:notifications_read"))
    assert not Notification.objects.filter(recipient=org.sales_a, read_at__isnull=True).exists()


def test_inquiry_page_offers_registration_for_a_new_number(org, login):
    """Issue 14: the page compared the status with a class the template engine called (""),
    so every outcome read "already registered" and 登记客户 never appeared."""
    response = login(org.sales_b).post(
        reverse("customers:inquiry_new"),
        {
            "phone": "+86 139-5555-0000",
            "caller_name": "王女士",
            "content": "问实木地板的价格",
            "occurred_at": "2026-03-06T10:00",
        },
    )
    body = response.content.decode()
    outcome = body[body.index('data-testid="inquiry-outcome"') :]
    outcome = outcome[: outcome.index("</div>")]
    assert 'data-status="new"' in outcome
    assert "该号码已被登记" not in outcome and "已被登记" not in outcome
    register_link = reverse("customers:register") + "?phone=13955550000"
    assert f'href="{register_link}"' in outcome and 'data-testid="register-caller"' in outcome
    form = login(org.sales_b).get(register_link).content.decode()
    assert 'value="13955550000"' in form, "the number is carried into the register form"


def test_inquiry_page_on_a_pool_number_names_the_pool_not_the_customer(org, login):
    from customers.services import ownership_transfer

    c = register(org.sales_a, phone="13812340000", name="池中客户有限公司")
    ownership_transfer(
        customer=c, to_pool="department", kind="reclaim", actor=None, now=at(2026, 3, 1)
    )
    body = (
        login(org.sales_b)
        .post(
            reverse("customers:inquiry_new"),
            {"phone": "13812340000", "content": "问报价", "occurred_at": "2026-03-06T10:00"},
        )
        .content.decode()
    )
    outcome = body[body.index('data-testid="inquiry-outcome"') :]
    outcome = outcome[: outcome.index("</div>")]
    assert 'data-status="pool"' in outcome and "华东销售部" in outcome
    assert "池中客户" not in body and org.sales_a.display_name not in outcome


def test_inquiry_page_on_my_own_number_links_my_customer(org, login):
    c = register(org.sales_a, phone="13812340000")
    body = (
        login(org.sales_a)
        .post(
            reverse("customers:inquiry_new"),
            {"phone": "13812340000", "content": "问报价", "occurred_at": "2026-03-06T10:00"},
        )
        .content.decode()
    )
    outcome = body[body.index('data-testid="inquiry-outcome"') :]
    assert 'data-status="mine"' in outcome
    assert reverse("customers:detail", args=[c.pk]) in outcome[: outcome.index("</div>")]
