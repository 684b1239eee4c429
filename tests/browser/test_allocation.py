"""A manager distributes a batch from the department pool; the salesperson finds the customers
in 我的客户."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.browser.helpers import log_in
from tests.threads import in_thread

pytestmark = pytest.mark.browser
SH = ZoneInfo("Asia/Shanghai")


def make_pool_customers():
    from crm.models import User
    from customers.services import ownership_transfer
    from tests.factories import register

    owner = User.objects.get(username="east.sales2")
    names = []
    for i in range(2):
        c = register(
            owner,
            name=f"发放演示客户{i}有限公司",
            phone=f"1590000000{i}",
            now=datetime(2026, 6, 1, 9, tzinfo=SH),
        )
        ownership_transfer(
            customer=c,
            to_pool="department",
            kind="reclaim",
            actor=None,
            now=datetime(2026, 9, 1, 0, 10, tzinfo=SH),
            reason="演示回收",
        )
        names.append(c.name)
    return names


def test_manager_distributes_and_the_salesperson_sees_them(page, demo, shot):
    names = in_thread(make_pool_customers)
    log_in(page, demo, "east.manager")
    page.click(".mainnav >> text=公共资源池")
    page.click(".tabs >> text=华东销售部")
    for name in names:
        page.locator("[data-testid=pool-table] tbody tr", has_text=name).locator(
            "input[type=checkbox]"
        ).check()
    page.select_option("#recipient", label="张伟 · 华东销售部")
    page.fill("#source_note", "九月展会名单")
    shot(page, "pool-distribute")
    asked = []  # a batch cannot be undone: the page asks first (issue 14)
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.click("button:has-text('发放')")
    page.wait_for_selector(".messages .msg-success")
    assert "2" in page.locator(".messages").inner_text()
    assert asked and "移出公共池" in asked[0]
    shot(page, "pool-distributed")

    page.click("text=退出")
    log_in(page, demo, "east.sales1")
    page.goto(f"{demo}/customers/?scope=mine&q=发放演示客户")
    rows = page.locator("[data-testid=customer-table] tbody tr[data-id]")
    assert sorted(rows.locator("td:nth-child(2) a").all_inner_texts()) == sorted(names)
    shot(page, "salesperson-new-customers")


def make_agreed_swap():
    from django.utils import timezone

    from allocation.services.swaps import swap_agree, swap_propose
    from crm.models import User
    from customers.models import Customer

    a = User.objects.get(username="east.sales1")
    b = User.objects.get(username="east.sales2")
    give = Customer.objects.filter(holder=a).order_by("pk").first()
    take = Customer.objects.filter(holder=b).order_by("pk").first()
    now = timezone.now()
    swap = swap_propose(
        actor=a,
        counterpart=b,
        give=[give.pk],
        take=[take.pk],
        reason="客户住址离对方门店更近，交换后便于上门服务",
        now=now,
    )
    swap_agree(actor=b, swap=swap, now=now)
    return swap.pk, give.pk, take.pk


def test_manager_approves_a_swap_from_the_inbox(page, demo, shot):
    from customers.models import Customer

    swap_pk, give_pk, take_pk = in_thread(make_agreed_swap)
    log_in(page, demo, "east.manager")
    page.click(".mainnav >> text=审批")
    page.locator("[data-testid=inbox] a", has_text="交换").first.click()
    shot(page, "swap-before-approval")
    page.locator("[data-testid=decide] button.primary").click()
    page.wait_for_selector("[data-testid=status][data-status=executed]")
    shot(page, "swap-executed")
    holders = in_thread(
        lambda: dict(
            Customer.objects.filter(pk__in=[give_pk, take_pk]).values_list("pk", "holder__username")
        )
    )
    assert holders == {give_pk: "east.sales2", take_pk: "east.sales1"}
