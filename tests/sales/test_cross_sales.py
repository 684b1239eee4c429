"""交叉销售 (000 §3.2.e): a salesperson who sold to a dormant customer gets the customer and the
sale once the manager approves; a rejection moves nothing."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import translation

from allocation.inbox import inbox_for
from crm.errors import RuleError
from crm.models import Notification
from customers.errors import NotAllowed
from customers.models import Customer, Deal, OwnershipEvent, OwnershipKind
from sales.models import CrossSale, Decision, DormantMark, SalesCredit
from sales.services.dormant import cross_sale_decide, cross_sale_request, dormant_mark
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
REGISTERED = datetime(2026, 1, 15, 10, 0, tzinfo=SH)
MARKED = datetime(2026, 3, 2, 10, 0, tzinfo=SH)
SOLD = datetime(2026, 3, 5, 15, 0, tzinfo=SH)
FILED = datetime(2026, 3, 6, 9, 0, tzinfo=SH)  # before 10:00 the next working day: on time
DECIDED = datetime(2026, 3, 10, 11, 0, tzinfo=SH)


def sale(**kw):
    return {
        "occurred_at": SOLD,
        "product": "实木地板",
        "quantity": Decimal("3"),
        "amount": Decimal("4500.00"),
        "note": "老客户来店",
        **kw,
    }


@pytest.fixture(autouse=True)
def _english():
    """Refusals are matched by their English text (the UI's Chinese comes from the catalogue)."""
    with translation.override("en"):
        yield


@pytest.fixture
def dormant(org):
    customer = register(org.sales_a2, now=REGISTERED, name="沉默家居有限公司")
    dormant_mark(actor=org.accountant_a, customer=customer, reason="一年无购买", now=MARKED)
    return customer


@pytest.fixture
def filed(org, dormant):
    return cross_sale_request(actor=org.sales_a, customer=dormant, data=sale(), now=FILED)


def credit_of(user):
    return SalesCredit.objects.filter(user=user).aggregate(s=Sum("amount"))["s"] or 0


def test_approval_moves_the_customer_and_the_sale_and_clears_the_mark(org, dormant, filed):
    decided = cross_sale_decide(
        actor=org.manager_a, cross_sale=filed, approve=True, reason="核实属实", now=DECIDED
    )
    dormant.refresh_from_db()
    assert decided.status == Decision.APPROVED
    assert dormant.holder == org.sales_a and dormant.acquired_via == OwnershipKind.CROSS_SALE
    event = OwnershipEvent.objects.filter(customer=dormant).latest("at", "id")
    assert event.kind == OwnershipKind.CROSS_SALE
    assert (event.from_holder, event.to_holder, event.actor) == (
        org.sales_a2,
        org.sales_a,
        org.manager_a,
    )
    assert event.approval_ref == f"CS-{filed.pk}" and event.at == DECIDED
    deal = Deal.objects.get(customer=dormant)
    assert decided.deal == deal
    assert deal.credited_to == org.sales_a and deal.amount == Decimal("4500.00")
    assert deal.occurred_at == SOLD and not deal.is_late  # judged when it was filed
    assert credit_of(org.sales_a) == Decimal("4500.00") and credit_of(org.sales_a2) == 0
    mark = DormantMark.objects.get(customer=dormant)
    assert mark.cleared_at == DECIDED and mark.cleared_by == org.manager_a
    told = set(Notification.objects.filter(created_at=DECIDED).values_list("recipient", flat=True))
    assert {org.sales_a.pk, org.sales_a2.pk} <= told


def test_rejection_needs_a_reason_and_moves_nothing(org, dormant, filed):
    with pytest.raises(RuleError, match="reason"):
        cross_sale_decide(actor=org.manager_a, cross_sale=filed, approve=False, now=DECIDED)
    decided = cross_sale_decide(
        actor=org.manager_a, cross_sale=filed, approve=False, reason="无法核实", now=DECIDED
    )
    dormant.refresh_from_db()
    assert decided.status == Decision.REJECTED and decided.deal is None
    assert dormant.holder == org.sales_a2
    assert not Deal.objects.filter(customer=dormant).exists()
    assert not OwnershipEvent.objects.filter(kind=OwnershipKind.CROSS_SALE).exists()
    assert DormantMark.objects.get(customer=dormant).cleared_at is None
    with pytest.raises(RuleError, match="already decided"):
        cross_sale_decide(actor=org.manager_a, cross_sale=filed, approve=True, now=DECIDED)


def test_a_second_pending_request_is_refused(org, dormant, filed):
    with pytest.raises(RuleError, match="already waits"):
        cross_sale_request(actor=org.sales_a, customer=dormant, data=sale(), now=FILED)
    assert CrossSale.objects.count() == 1


def test_salesperson_of_another_department_is_refused(org, dormant):
    with pytest.raises(NotAllowed):
        cross_sale_request(actor=org.sales_b, customer=dormant, data=sale(), now=FILED)
    assert not CrossSale.objects.exists()


def test_the_holder_is_refused(org, dormant):
    with pytest.raises(RuleError, match="already hold"):
        cross_sale_request(actor=org.sales_a2, customer=dormant, data=sale(), now=FILED)


@pytest.mark.parametrize("who", ["manager_a", "accountant_a", "gm"])
def test_only_salespeople_file(org, dormant, who):
    with pytest.raises(NotAllowed):
        cross_sale_request(actor=getattr(org, who), customer=dormant, data=sale(), now=FILED)


def test_a_customer_not_marked_dormant_is_refused(org):
    customer = register(org.sales_a2, now=REGISTERED, name="活跃客户")
    with pytest.raises(RuleError, match="not marked dormant"):
        cross_sale_request(actor=org.sales_a, customer=customer, data=sale(), now=FILED)


@pytest.mark.parametrize(
    "change",
    [
        {"occurred_at": FILED + timedelta(hours=1)},  # in the future
        {"occurred_at": MARKED - timedelta(days=1)},  # before the mark
        {"amount": Decimal("0")},
        {"quantity": Decimal("0")},
        {"product": "  "},
    ],
)
def test_the_sale_must_be_plausible(org, dormant, change):
    with pytest.raises(RuleError):
        cross_sale_request(actor=org.sales_a, customer=dormant, data=sale(**change), now=FILED)
    assert not CrossSale.objects.exists()


@pytest.mark.parametrize("who", ["manager_b", "accountant_a", "sales_a2"])
def test_only_the_sellers_manager_or_the_gm_decides(org, filed, who):
    with pytest.raises(NotAllowed):
        cross_sale_decide(
            actor=getattr(org, who), cross_sale=filed, approve=True, reason="", now=DECIDED
        )
    assert Customer.objects.get(pk=filed.customer_id).holder == org.sales_a2


def test_the_gm_may_decide(org, filed):
    cross_sale_decide(actor=org.gm, cross_sale=filed, approve=True, now=DECIDED)
    assert Customer.objects.get(pk=filed.customer_id).holder == org.sales_a


def test_approval_is_refused_if_the_mark_was_withdrawn_meanwhile(org, dormant, filed):
    # Withdrawing is refused while the request waits; a direct clear (e.g. admin) still
    # makes the approval refuse rather than move a customer that is no longer dormant.
    DormantMark.objects.filter(customer=dormant).update(cleared_at=DECIDED)
    with pytest.raises(RuleError, match="not marked dormant"):
        cross_sale_decide(actor=org.manager_a, cross_sale=filed, approve=True, now=DECIDED)
    dormant.refresh_from_db()
    assert dormant.holder == org.sales_a2 and not Deal.objects.exists()


def test_a_pooled_dormant_customer_may_be_cross_sold(org):
    from customers.models import Pool
    from customers.services import ownership_transfer

    customer = register(org.sales_a2, now=REGISTERED, name="池中沉默客户")
    ownership_transfer(
        customer=customer,
        to_pool=Pool.DEPARTMENT,
        kind=OwnershipKind.RECLAIM,
        actor=org.manager_a,
        now=MARKED - timedelta(days=1),
    )
    dormant_mark(actor=org.accountant_a, customer=customer, reason="公共池沉默", now=MARKED)
    filed = cross_sale_request(actor=org.sales_a, customer=customer, data=sale(), now=FILED)
    cross_sale_decide(actor=org.manager_a, cross_sale=filed, approve=True, now=DECIDED)
    customer.refresh_from_db()
    assert customer.holder == org.sales_a and customer.pool == ""


# --- pages and the inbox -------------------------------------------------------------------------


def test_file_and_approve_through_the_pages(org, dormant, login):
    client = login(org.sales_a)
    url = reverse("sales:cross_sale_new", args=[dormant.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "occurred_at": "2026-03-05T15:00",
            "product": "实木地板",
            "quantity": "3",
            "amount": "4500",
            "note": "",
        },
    )
    filed = CrossSale.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sales:cross_sale_detail", args=[filed.pk])
    manager = login(org.manager_a)
    page = manager.get(reverse("sales:cross_sale_detail", args=[filed.pk]))
    assert b'data-testid="decide"' in page.content
    manager.post(
        reverse("sales:cross_sale_detail", args=[filed.pk]),
        {"decision": "approve", "reason": "核实"},
    )
    filed.refresh_from_db()
    assert filed.status == Decision.APPROVED


def test_the_form_is_404_for_those_who_may_not_file(org, dormant, login):
    url = reverse("sales:cross_sale_new", args=[dormant.pk])
    for who in ("sales_a2", "sales_b", "manager_a", "accountant_a"):
        assert login(getattr(org, who)).get(url).status_code == 404, who


def test_detail_scope(org, filed, login):
    url = reverse("sales:cross_sale_detail", args=[filed.pk])
    for who in ("sales_a", "manager_a", "accountant_a", "gm"):
        assert login(getattr(org, who)).get(url).status_code == 200, who
    for who in ("sales_a2", "sales_b", "manager_b", "accountant_b"):
        assert login(getattr(org, who)).get(url).status_code == 404, who


def test_a_refused_decision_answers_400_and_changes_nothing(org, filed, login):
    response = login(org.manager_a).post(
        reverse("sales:cross_sale_detail", args=[filed.pk]), {"decision": "reject", "reason": ""}
    )
    assert response.status_code == 400
    filed.refresh_from_db()
    assert filed.status == Decision.PENDING


def test_the_inbox_shows_pending_cross_sales_to_the_sellers_manager(org, filed, login):
    titles = [i.title for i in inbox_for(org.manager_a, now=DECIDED)]
    assert any(filed.customer.name in t for t in titles)
    assert not any(filed.customer.name in i.title for i in inbox_for(org.manager_b, now=DECIDED))
    page = login(org.manager_a).get(reverse("allocation:inbox")).content.decode()
    assert reverse("sales:cross_sale_detail", args=[filed.pk]) in page
    cross_sale_decide(actor=org.manager_a, cross_sale=filed, approve=True, now=DECIDED)
    assert not any(filed.customer.name in i.title for i in inbox_for(org.manager_a, now=DECIDED))


def test_list_shows_own_requests_to_salespeople(org, filed, login):
    assert (
        filed.customer.name
        in login(org.sales_a).get(reverse("sales:cross_sale_list")).content.decode()
    )
    assert (
        filed.customer.name
        not in login(org.sales_a2).get(reverse("sales:cross_sale_list")).content.decode()
    )
    page = login(org.manager_a).get(reverse("sales:cross_sale_list") + "?status=pending")
    assert filed.customer.name in page.content.decode()
    page = login(org.manager_a).get(reverse("sales:cross_sale_list") + "?status=rejected")
    assert filed.customer.name not in page.content.decode()
