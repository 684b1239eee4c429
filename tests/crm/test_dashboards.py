"""The role dashboards and the department page (issue 14 builds 2 and 6): the salesperson's day
(今日待跟进, 即将回收, requests and swaps, reclaimed from me with the appeal button), the
accountant's 资料补录 summary, the department page's figures from the apps' panels. Who sees
what; a constant number of queries. Explicit clocks throughout."""

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from allocation.models import ClaimRequest, PublicNotice, ReclaimPolicy
from allocation.services.reclaim import notice_end
from customers.models import Customer
from customers.services import deal_record, followup_log, ownership_transfer
from tests.factories import ledger_entry, register

SH = ZoneInfo("Asia/Shanghai")
GOOD = "上门拜访，客户对新款地板感兴趣，约定下周带样品再谈报价。"
NOW = datetime(2026, 4, 13, 10, 0, tzinfo=SH)  # a Monday


def at(*args):
    return datetime(*args, tzinfo=SH)


def follow(actor, customer, when, next_date=None, next_step=""):
    data = {"kind": "callback", "occurred_at": when, "content": GOOD}
    if next_date:
        data.update(next_date=next_date, next_step=next_step or "带样品上门")
    return followup_log(actor=actor, customer=customer, now=when, data=data)


def section(html: str, testid: str) -> str:
    match = re.search(rf'<section[^>]*data-testid="{testid}".*?</section>', html, re.S)
    assert match, f"no {testid} section"
    return match.group(0)


def salesperson_day(org, n=1, start=0):
    """`n` of each kind of row for sales_a; returns the named customers of the first round."""
    made = {}
    for i in range(start, start + n):
        today = register(org.sales_a, now=at(2026, 3, 1, 9), name=f"今日客户{i}")
        follow(org.sales_a, today, at(2026, 4, 10, 10), date(2026, 4, 13), "送报价单")
        overdue = register(org.sales_a, now=at(2026, 3, 1, 9), name=f"逾期客户{i}")
        follow(org.sales_a, overdue, at(2026, 4, 1, 10), date(2026, 4, 8))
        later = register(org.sales_a, now=at(2026, 3, 1, 9), name=f"以后客户{i}")
        follow(org.sales_a, later, at(2026, 4, 10, 10), date(2026, 4, 20))
        replaced = register(org.sales_a, now=at(2026, 3, 1, 9), name=f"已跟客户{i}")
        follow(org.sales_a, replaced, at(2026, 4, 1, 10), date(2026, 4, 5))
        follow(org.sales_a, replaced, at(2026, 4, 11, 10))  # a later follow-up, no new plan
        # Self-registered 2025-10-16: the six-month no-deal rule takes it on 2026-04-16.
        soon = register(org.sales_a, now=at(2025, 10, 16, 9), name=f"将回收客户{i}")
        follow(org.sales_a, soon, at(2026, 4, 10, 11))
        gone = register(org.sales_a, now=at(2026, 1, 15, 9), name=f"被回收客户{i}")
        ownership_transfer(
            customer=gone, to_pool="company", kind="reclaim", actor=None, now=at(2026, 4, 13, 0, 30)
        )
        notice = PublicNotice.objects.create(
            customer=gone,
            previous_holder=org.sales_a,
            department=None,
            policy="no_deal_self",
            pool="company",
            reclaimed_at=at(2026, 4, 13, 0, 30),
            ends_at=notice_end(ReclaimPolicy.objects.get(code="no_deal_self"), date(2026, 4, 13)),
        )
        pooled = register(org.sales_a2, now=at(2026, 3, 1, 9), name=f"池客户{i}")
        ownership_transfer(
            customer=pooled, to_pool="department", kind="reclaim", actor=None, now=at(2026, 4, 1)
        )
        claim = ClaimRequest.objects.create(
            requester=org.sales_a, department=org.a, reason="老客户介绍", created_at=at(2026, 4, 12)
        )
        claim.customers.add(pooled)
        if i == 0:
            made = {
                "today": today,
                "overdue": overdue,
                "later": later,
                "replaced": replaced,
                "soon": soon,
                "notice": notice,
                "claim": claim,
            }
    return made


def test_salesperson_day_shows_what_drives_the_work(org, login):
    made = salesperson_day(org)
    with time_machine.travel(NOW, tick=False):
        html = login(org.sales_a).get("/").content.decode()
    due = section(html, "followups-due")
    assert "今日客户0" in due and "逾期客户0" in due and "送报价单" in due
    assert "以后客户0" not in due, "a plan for next week is not due"
    assert "已跟客户0" not in due, "a later follow-up replaced the plan"
    assert due.index("逾期客户0") < due.index("今日客户0"), "most overdue first"
    overdue_row = due.split("逾期客户0")[1].split("</tr>")[0]
    assert "5 days overdue" in overdue_row or "逾期 5 天" in overdue_row

    soon = section(html, "reclaim-soon")
    assert f'data-id="{made["soon"].pk}" data-days="3"' in soon  # 16 April, from the 13th
    assert "今日客户0" not in soon, "far from its reclaim day"

    reclaimed = section(html, "reclaimed-from-me")
    notice = made["notice"]
    assert "被回收客户0" in reclaimed
    # Reclaimed Monday: the notice runs Tue, Wed, Thu — appeal by Thursday 16 April.
    assert "2026-04-16" in reclaimed
    assert f"/allocation/notices/{notice.pk}/#appeal" in reclaimed

    requests = section(html, "my-requests")
    assert f"/allocation/requests/{made['claim'].pk}/" in requests
    assert "status-pending" in requests


def test_appeal_button_disappears_once_appealed(org, login):
    made = salesperson_day(org)
    notice = made["notice"]
    client = login(org.sales_a)
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            f"/allocation/notices/{notice.pk}/appeal/", {"reason": "客户上周已下单，记录晚录了。"}
        )
        assert response.status_code == 302
        html = client.get("/").content.decode()
    reclaimed = section(html, "reclaimed-from-me")
    assert "被回收客户0" in reclaimed and "#appeal" not in reclaimed
    assert 'data-status="appealed"' in reclaimed


def test_salesperson_panels_are_only_for_salespeople(org, login):
    salesperson_day(org)
    with time_machine.travel(NOW, tick=False):
        for person in (org.manager_a, org.accountant_a, org.gm):
            html = login(person).get("/").content.decode()
            assert 'data-testid="followups-due"' not in html
            assert 'data-testid="reclaim-soon"' not in html
            assert 'data-testid="reclaimed-from-me"' not in html


def test_salesperson_dashboard_query_count_is_constant(org, login, django_assert_max_num_queries):
    salesperson_day(org, n=1)
    client = login(org.sales_a)
    with time_machine.travel(NOW, tick=False):
        client.get("/")  # warm caches (config, sessions)
        with django_assert_max_num_queries(45) as small:
            client.get("/")
    salesperson_day(org, n=4, start=1)
    with (
        time_machine.travel(NOW, tick=False),
        django_assert_max_num_queries(len(small.captured_queries)),
    ):
        client.get("/")


# --- the accountant ------------------------------------------------------------------------


def incomplete_customers(org, round=0):
    """Department A: one overdue (deal in January, three-month deadline), one due this week,
    one without a deal; department B: one overdue."""
    made = []
    for holder, deal_on, name in (
        (org.sales_a, at(2026, 1, 5, 10), "逾期补录"),
        (org.sales_a, at(2026, 1, 16, 10), "本周补录"),
        (org.sales_a, None, "无成交补录"),
        (org.sales_b, at(2026, 1, 5, 10), "乙部逾期"),
    ):
        c = register(
            holder, now=at(2026, 1, 2, 9), name=f"{name}{round or ''}", address="", region=""
        )
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
        made.append(c)
    return made


def test_accountant_dashboard_shows_the_worklist_summary(org, login):
    made = incomplete_customers(org)
    assert all(Customer.objects.get(pk=c.pk).is_incomplete for c in made)
    with time_machine.travel(NOW, tick=False):
        html = login(org.accountant_a).get("/").content.decode()
    summary = section(html, "worklist-summary")
    assert "/customers/worklist/" in summary
    by_dept = summary.split('data-testid="worklist-by-department"')[1]
    assert f'data-department="{org.a.pk}"' in by_dept
    assert f'data-department="{org.b.pk}"' not in by_dept, "only the assigned departments"
    assert "The list of incomplete customer records will appear here" not in html
    with time_machine.travel(NOW, tick=False):
        sales = login(org.sales_a).get("/").content.decode()
    assert 'data-testid="worklist-summary"' not in sales


def test_accountant_summary_figures(org, login):
    incomplete_customers(org)
    with time_machine.travel(NOW, tick=False):
        html = login(org.accountant_a).get("/").content.decode()
    summary = section(html, "worklist-summary")
    figures = dict(re.findall(r'data-figure="([a-z-]+)">(?:<span[^>]*>)?(\d+)', summary))
    from customers.selectors import incomplete_summary

    expected = incomplete_summary(org.accountant_a, today=date(2026, 4, 13))
    assert figures == {
        "overdue": str(expected["overdue"]),
        "due-this-week": str(expected["due_this_week"]),
        "no-deal": str(expected["no_deal"]),
    }
    assert expected["no_deal"] == 1 and expected["total"] == 3


# --- the department page -------------------------------------------------------------------


def department_data(org, n=1):
    for _ in range(n):
        c = register(org.sales_a, now=at(2026, 4, 1, 9))
        follow(org.sales_a, c, at(2026, 4, 2, 10))
        deal_record(
            actor=org.sales_a,
            customer=c,
            now=at(2026, 4, 3, 10),
            data={
                "occurred_at": at(2026, 4, 3, 10),
                "product": "地板",
                "quantity": Decimal("2"),
                "amount": Decimal("38600"),
            },
        )
        pooled = register(org.sales_a2, now=at(2026, 4, 1, 9))
        ownership_transfer(
            customer=pooled, to_pool="department", kind="reclaim", actor=None, now=at(2026, 4, 5)
        )
        ledger_entry(org.manager_a, org.sales_a2, "GRABBING", now=NOW, on=date(2026, 4, 10))


def figures(html):
    return dict(re.findall(r'data-figure="([a-z-]+)">(\d+)<', html))


def test_manager_department_page_shows_its_figures(org, login):
    department_data(org)
    with time_machine.travel(NOW, tick=False):
        html = login(org.manager_a).get(f"/departments/{org.a.pk}/").content.decode()
    got = figures(section(html, "department-figures"))
    assert got == {"held": "1", "pooled": "1", "followups": "1", "deals": "1", "to-confirm": "1"}
    quota = section(html, "department-figures").split('data-testid="department-quota"')[1]
    assert f'data-person="{org.sales_a.pk}"' in quota
    assert f'data-person="{org.sales_a2.pk}"' in quota
    assert f'data-person="{org.sales_b.pk}"' not in quota
    assert 'data-testid="department-notices"' in html
    assert 'data-testid="department-worklist"' in html


def test_department_page_per_role(org, login):
    department_data(org)
    with time_machine.travel(NOW, tick=False):
        accountant = login(org.accountant_a).get(f"/departments/{org.a.pk}/")
        assert accountant.status_code == 200
        assert 'data-testid="department-figures"' in accountant.content.decode()
        assert 'data-testid="department-worklist"' in accountant.content.decode()
        assert login(org.accountant_a).get(f"/departments/{org.b.pk}/").status_code == 404
        assert login(org.manager_b).get(f"/departments/{org.a.pk}/").status_code == 404
        assert login(org.sales_a).get(f"/departments/{org.a.pk}/").status_code == 404
        gm = login(org.gm).get(f"/departments/{org.b.pk}/").content.decode()
    assert figures(section(gm, "department-figures"))["held"] == "0"


@pytest.mark.parametrize("who", ["manager_a", "accountant_a"])
def test_department_page_query_count_is_constant(org, login, who, django_assert_max_num_queries):
    department_data(org, n=1)
    client = login(getattr(org, who))
    with time_machine.travel(NOW, tick=False):
        client.get(f"/departments/{org.a.pk}/")
        with django_assert_max_num_queries(60) as small:
            client.get(f"/departments/{org.a.pk}/")
    department_data(org, n=4)
    with (
        time_machine.travel(NOW, tick=False),
        django_assert_max_num_queries(len(small.captured_queries)),
    ):
        client.get(f"/departments/{org.a.pk}/")


def test_accountant_dashboard_query_count_is_constant(org, login, django_assert_max_num_queries):
    incomplete_customers(org)
    client = login(org.accountant_a)
    with time_machine.travel(NOW, tick=False):
        client.get("/")
        with django_assert_max_num_queries(40) as small:
            client.get("/")
    incomplete_customers(org, round=1)
    with (
        time_machine.travel(NOW, tick=False),
        django_assert_max_num_queries(len(small.captured_queries)),
    ):
        client.get("/")
