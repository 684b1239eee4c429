"""A reclaimed customer on the notice board: the previous holder appeals, the manager
restores it from the approvals inbox."""

from datetime import timedelta

import pytest

from tests.browser.helpers import log_in
from tests.threads import in_thread

pytestmark = pytest.mark.browser


def reclaim_one():
    from django.utils import timezone

    from allocation.services.reclaim import reclaim_run
    from crm.models import User
    from customers.models import Customer

    holder = User.objects.get(username="east.sales1")
    customer = Customer.objects.filter(holder=holder).order_by("pk").first()
    now = timezone.now()
    # Give the customer an old, silent clock so today's run of the no-follow-up rule takes it.
    Customer.objects.filter(pk=customer.pk).update(
        holder_since=now - timedelta(days=120), last_followup_at=None
    )
    Customer.objects.exclude(pk=customer.pk).filter(holder__isnull=False).update(
        holder_since=now, last_followup_at=now
    )
    result = reclaim_run(policy_code="no_followup", as_of=timezone.localdate(now), now=now)
    assert result.moved == 1
    return customer.pk, customer.name


def test_holder_appeals_and_the_manager_restores(page, demo, shot):
    customer_pk, name = in_thread(reclaim_one)
    log_in(page, demo, "east.sales1")
    page.click(".mainnav >> text=公示")
    shot(page, "notice-board")
    page.locator("a", has_text=name).first.click()
    page.fill("#appeal-reason", "上周刚上门量房，客户下月签约，跟进记录漏录了。")
    page.click("[data-testid=appeal-form] button.primary")
    page.wait_for_selector("[data-testid=appeal]")
    shot(page, "notice-appealed")

    page.click("text=退出")
    log_in(page, demo, "east.manager")
    page.click(".mainnav >> text=审批")
    item = page.locator("[data-testid=inbox] .hist", has_text=name)
    item.locator("button.primary").click()
    page.wait_for_selector(".messages")
    shot(page, "notice-restored")

    from customers.models import Customer

    holder = in_thread(lambda: Customer.objects.get(pk=customer_pk).holder.username)
    assert holder == "east.sales1"
