"""A salesperson asks for a customer the company took back from them last week: the refusal on
the page says until when the cool-down runs (SPEC §5), on a desktop and on a phone."""

from datetime import timedelta

import pytest

from tests.browser.helpers import SIZES, log_in, sized_page
from tests.threads import in_thread

pytestmark = pytest.mark.browser


def reclaim_from_salesperson():
    """One of east.sales1's customers, reclaimed into the department pool six days ago; returns
    its id, name and the first day it may be requested again."""
    from constance import config
    from django.utils import timezone

    from crm.calendar import SHANGHAI
    from customers.models import Customer
    from customers.services import ownership_transfer

    customer = Customer.objects.filter(holder__username="east.sales1").order_by("pk").first()
    left = timezone.now() - timedelta(days=6)
    ownership_transfer(
        customer=customer,
        to_pool="department",
        kind="reclaim",
        actor=None,
        now=left,
        reason="演示：90 天无成交",
        expected_holder_id=customer.holder_id,
    )
    until = left.astimezone(SHANGHAI).date() + timedelta(days=config.COOLDOWN_DAYS)
    return customer.pk, customer.name, f"{until:%Y-%m-%d}"


@pytest.mark.parametrize("size", SIZES)
def test_refused_claim_shows_the_cool_down_date(browser, demo, shot, size):
    from allocation.models import ClaimRequest

    customer_id, name, until = in_thread(reclaim_from_salesperson)
    context, page = sized_page(browser, size)
    log_in(page, demo, "east.sales1")
    page.goto(f"{demo}/customers/{customer_id}/")
    page.click("[data-testid=claim]")
    page.fill("#reason", "这位客户一直由我跟进，希望继续服务")
    page.click("button[type=submit].primary")
    error = page.locator("[data-testid=error]")
    error.wait_for()
    assert until in error.inner_text() and name in error.inner_text()
    # Nothing overflows the screen sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    shot(page, f"claim-cooldown-{size}")
    assert (
        in_thread(lambda: ClaimRequest.objects.filter(requester__username="east.sales1").count())
        == 0
    )
    context.close()
