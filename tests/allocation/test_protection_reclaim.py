"""The protection reclaim (000 §3.2: a customer without a follow-up within the protection period
goes back to the department pool) needs a reason: the holder reads it on their notice. A blank
reason is refused and nothing moves, in the service and on the page."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from allocation.selectors.distribution import protection_queue
from allocation.services.distribution import AllocationError, protection_reclaim
from customers.models import OwnershipEvent
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
REGISTERED = datetime(2026, 3, 10, 9, tzinfo=SH)
NOW = datetime(2026, 4, 15, 10, tzinfo=SH)  # past the protection period, no follow-up since


@pytest.fixture
def quiet(org):
    customer = register(org.sales_a, now=REGISTERED)
    assert list(protection_queue(org.manager_a, as_of=NOW)) == [customer]
    return customer


def _unchanged(customer, holder):
    customer.refresh_from_db()
    assert customer.holder == holder and customer.pool == ""
    assert not OwnershipEvent.objects.filter(customer=customer, kind="reclaim").exists()


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_a_blank_reason_is_refused_and_nothing_moves(org, quiet, reason):
    with translation.override("en"), pytest.raises(AllocationError) as refused:
        protection_reclaim(actor=org.manager_a, customer_ids=[quiet.pk], now=NOW, reason=reason)
    assert "the reason is required" in str(refused.value)
    _unchanged(quiet, org.sales_a)


def test_the_reason_given_is_the_one_recorded(org, quiet):
    moved = protection_reclaim(
        actor=org.manager_a, customer_ids=[quiet.pk], now=NOW, reason="  保护期满，一直未跟进  "
    )
    assert moved == 1
    quiet.refresh_from_db()
    assert quiet.holder is None and quiet.pool == "department"
    event = OwnershipEvent.objects.get(customer=quiet, kind="reclaim")
    assert event.reason == "保护期满，一直未跟进"


@time_machine.travel(NOW, tick=False)
def test_the_page_refuses_a_blank_reason_and_keeps_the_customer(org, quiet, login):
    client = login(org.manager_a)
    url = reverse("allocation:protection")
    page = client.post(url, {"customers": [quiet.pk], "reason": "  "})
    assert page.status_code == 400
    assert page.context["error"] == "请填写收回这些客户的原因（必填）。"
    assert b'data-testid="error"' in page.content
    _unchanged(quiet, org.sales_a)
    # The page asks before it moves anything, and says the reason is required.
    assert b"data-confirm=" in page.content and b'name="reason" id="reason"' in page.content
    assert b"required" in page.content

    done = client.post(url, {"customers": [quiet.pk], "reason": "保护期满未跟进"})
    assert done.status_code == 302
    quiet.refresh_from_db()
    assert quiet.holder is None and quiet.pool == "department"


def test_the_former_holder_is_told_once_with_the_reason_and_nobody_else(org):
    from crm.models import Notification

    mine = [register(org.sales_a, now=REGISTERED) for _ in range(3)]
    Notification.objects.all().delete()
    moved = protection_reclaim(
        actor=org.manager_a, customer_ids=[c.pk for c in mine], now=NOW, reason="保护期满未跟进"
    )
    assert moved == 3
    told = list(Notification.objects.all())
    assert [n.recipient for n in told] == [org.sales_a]
    assert "3" in told[0].title and told[0].created_at == NOW
    assert "保护期满未跟进" in told[0].body and all(c.name in told[0].body for c in mine)
    # A refused reclaim tells nobody.
    with pytest.raises(AllocationError):
        protection_reclaim(actor=org.manager_a, customer_ids=[mine[0].pk], now=NOW, reason="x")
    assert Notification.objects.count() == 1
