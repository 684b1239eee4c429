"""划转销量/划分提成 (000 §3.2.f): proposed by the data administrator, approved by the department
manager, recorded by finance; the sale is never edited, the per-person credit changes."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from allocation.inbox import inbox_for
from crm.errors import RuleError
from customers.errors import NotAllowed
from customers.models import Deal
from customers.services import deal_record
from sales.models import Contract, CreditTransfer, Decision, SalesCredit
from sales.services.credit import (
    credit_transfer_decide,
    credit_transfer_propose,
    credit_transfer_record,
)
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
REGISTERED = datetime(2026, 1, 15, 10, 0, tzinfo=SH)
SOLD = datetime(2026, 3, 5, 15, 0, tzinfo=SH)
PROPOSED = datetime(2026, 3, 12, 10, 0, tzinfo=SH)
APPROVED = datetime(2026, 3, 13, 10, 0, tzinfo=SH)
RECORDED = datetime(2026, 3, 14, 10, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def _english():
    """Refusals are matched by their English text (the UI's Chinese comes from the catalogue)."""
    with translation.override("en"):
        yield


@pytest.fixture
def customer(org):
    return register(org.sales_a, now=REGISTERED, name="划转客户有限公司")


def make_deal(org, customer, amount="1000.01", actor=None):
    return deal_record(
        actor=actor or org.sales_a,
        customer=customer,
        now=SOLD,
        data={
            "occurred_at": SOLD,
            "product": "实木地板",
            "quantity": Decimal("2"),
            "amount": Decimal(amount),
        },
    )


@pytest.fixture
def deal(org, customer):
    return make_deal(org, customer)


def credit(user) -> Decimal:
    return SalesCredit.objects.filter(user=user).aggregate(s=Sum("amount"))["s"] or Decimal("0")


def propose(org, sale, shares, reason="协助成交, 按制度分配"):
    return credit_transfer_propose(
        actor=org.accountant_a, sale=sale, shares=shares, reason=reason, now=PROPOSED
    )


def approve(org, transfer):
    return credit_transfer_decide(
        actor=org.manager_a, transfer=transfer, approve=True, reason="同意", now=APPROVED
    )


def record(org, transfer):
    return credit_transfer_record(actor=org.accountant_a, transfer=transfer, now=RECORDED)


def test_a_recorded_transfer_moves_credit_but_not_the_deal(org, deal):
    before = Deal.objects.filter(pk=deal.pk).values().get()
    transfer = propose(
        org,
        deal,
        [
            {"to_user": org.sales_a2, "amount": Decimal("300")},
            {"to_user": org.sales_b, "amount": Decimal("200")},
        ],
    )
    assert credit(org.sales_a) == Decimal("1000.01")  # nothing moves before it is recorded
    approve(org, transfer)
    assert credit(org.sales_a) == Decimal("1000.01")
    recorded = record(org, transfer)
    assert recorded.status == Decision.RECORDED and recorded.recorded_by == org.accountant_a
    assert credit(org.sales_a) == Decimal("500.01")
    assert credit(org.sales_a2) == Decimal("300")
    assert credit(org.sales_b) == Decimal("200")
    assert Deal.objects.filter(pk=deal.pk).values().get() == before
    rows = SalesCredit.objects.filter(transfer=transfer)
    assert {r.on_date for r in rows} == {SOLD.date()}
    assert rows.get(user=org.sales_b).department == org.b  # the receiver's department
    # The company total is unchanged.
    assert SalesCredit.objects.aggregate(s=Sum("amount"))["s"] == Decimal("1000.01")


def test_percentages_round_down_and_the_remainder_stays(org, deal):
    transfer = propose(
        org,
        deal,
        [
            {"to_user": org.sales_a2, "percent": Decimal("33.33")},
            {"to_user": org.sales_b, "percent": Decimal("50")},
        ],
    )
    amounts = sorted(transfer.shares.values_list("amount", flat=True))
    # 1000.01 × 33.33% = 333.303333 → 333.30; × 50% = 500.005 → 500.00
    assert amounts == [Decimal("333.30"), Decimal("500.00")]
    record(org, approve(org, transfer))
    assert credit(org.sales_a) == Decimal("166.71")
    assert credit(org.sales_a) + credit(org.sales_a2) + credit(org.sales_b) == Decimal("1000.01")


def test_over_transfer_is_refused(org, deal):
    with pytest.raises(RuleError, match="more than"):
        propose(org, deal, [{"to_user": org.sales_a2, "amount": Decimal("1000.02")}])
    with pytest.raises(RuleError, match="at most 100"):
        propose(org, deal, [{"to_user": org.sales_a2, "percent": Decimal("101")}])
    assert not CreditTransfer.objects.exists()


def test_open_proposals_and_recorded_transfers_count_against_what_is_left(org, deal):
    first = propose(org, deal, [{"to_user": org.sales_a2, "amount": Decimal("600")}])
    with pytest.raises(RuleError, match="more than"):
        propose(org, deal, [{"to_user": org.sales_b, "amount": Decimal("500")}])
    record(org, approve(org, first))
    with pytest.raises(RuleError, match="more than"):
        propose(org, deal, [{"to_user": org.sales_b, "amount": Decimal("400.02")}])
    assert propose(org, deal, [{"to_user": org.sales_b, "amount": Decimal("400.01")}])


def test_a_rejected_proposal_frees_its_credit(org, deal):
    first = propose(org, deal, [{"to_user": org.sales_a2, "amount": Decimal("1000")}])
    credit_transfer_decide(
        actor=org.manager_a, transfer=first, approve=False, reason="不符合制度", now=APPROVED
    )
    assert propose(org, deal, [{"to_user": org.sales_b, "amount": Decimal("1000")}])


def test_record_before_approval_is_refused(org, deal):
    transfer = propose(org, deal, [{"to_user": org.sales_a2, "amount": Decimal("100")}])
    with pytest.raises(RuleError, match="approved before"):
        record(org, transfer)
    assert not SalesCredit.objects.filter(transfer__isnull=False).exists()
    credit_transfer_decide(
        actor=org.manager_a, transfer=transfer, approve=False, reason="不同意", now=APPROVED
    )
    with pytest.raises(RuleError, match="Only an approved"):
        record(org, transfer)


def test_recording_twice_is_refused(org, deal):
    transfer = record(
        org, approve(org, propose(org, deal, [{"to_user": org.sales_a2, "amount": 100}]))
    )
    with pytest.raises(RuleError):
        record(org, transfer)
    assert SalesCredit.objects.filter(transfer=transfer).count() == 2


def test_rejection_needs_a_reason(org, deal):
    transfer = propose(org, deal, [{"to_user": org.sales_a2, "amount": Decimal("100")}])
    with pytest.raises(RuleError, match="reason"):
        credit_transfer_decide(actor=org.manager_a, transfer=transfer, approve=False, now=APPROVED)


@pytest.mark.parametrize("who", ["sales_a", "manager_a", "accountant_b", "gm"])
def test_only_the_departments_accountant_proposes(org, deal, who):
    with pytest.raises(NotAllowed):
        credit_transfer_propose(
            actor=getattr(org, who),
            sale=deal,
            shares=[{"to_user": org.sales_a2, "amount": Decimal("100")}],
            reason="x",
            now=PROPOSED,
        )


@pytest.mark.parametrize("who", ["accountant_a", "manager_b", "sales_a2"])
def test_only_the_departments_manager_approves(org, deal, who):
    transfer = propose(org, deal, [{"to_user": org.sales_a2, "amount": Decimal("100")}])
    with pytest.raises(NotAllowed):
        credit_transfer_decide(
            actor=getattr(org, who), transfer=transfer, approve=True, now=APPROVED
        )


def test_a_party_may_not_approve(org, deal):
    transfer = propose(org, deal, [{"to_user": org.manager_a, "amount": Decimal("100")}])
    with pytest.raises(NotAllowed, match="take part"):
        credit_transfer_decide(actor=org.manager_a, transfer=transfer, approve=True, now=APPROVED)
    assert credit_transfer_decide(actor=org.gm, transfer=transfer, approve=True, now=APPROVED)


@pytest.mark.parametrize("who", ["manager_a", "accountant_b", "gm"])
def test_only_the_departments_accountant_records(org, deal, who):
    transfer = approve(org, propose(org, deal, [{"to_user": org.sales_a2, "amount": 100}]))
    with pytest.raises(NotAllowed):
        credit_transfer_record(actor=getattr(org, who), transfer=transfer, now=RECORDED)


def test_uncredited_sales_and_bad_receivers_are_refused(org, deal):
    from customers.models import OwnershipKind, Pool
    from customers.services import ownership_transfer

    pooled = register(org.sales_a2, now=REGISTERED, name="池中客户")
    ownership_transfer(
        customer=pooled,
        to_pool=Pool.DEPARTMENT,
        kind=OwnershipKind.RECLAIM,
        actor=org.manager_a,
        now=REGISTERED,
    )
    uncredited = make_deal(org, pooled, actor=org.accountant_a)
    assert uncredited.credited_to is None
    with pytest.raises(RuleError, match="credited to nobody"):
        propose(org, uncredited, [{"to_user": org.sales_a2, "amount": Decimal("1")}])
    with pytest.raises(RuleError, match="already holds"):
        propose(org, deal, [{"to_user": org.sales_a, "amount": Decimal("1")}])
    with pytest.raises(RuleError, match="not active sales staff"):
        propose(org, deal, [{"to_user": org.accountant_b, "amount": Decimal("1")}])
    with pytest.raises(RuleError, match="named twice"):
        propose(
            org,
            deal,
            [{"to_user": org.sales_a2, "amount": 1}, {"to_user": org.sales_a2, "amount": 2}],
        )
    with pytest.raises(RuleError, match="reason"):
        propose(org, deal, [{"to_user": org.sales_a2, "amount": 1}], reason=" ")


def test_a_return_lowers_what_may_be_moved(org, deal):
    from sales.services.contracts import return_record

    return_record(
        actor=org.accountant_a,
        customer=deal.customer,
        data={
            "kind": "return",
            "deal": deal,
            "quantity": Decimal("1"),
            "amount": Decimal("500"),
            "reason": "质量问题退货",
            "occurred_at": SOLD,
        },
        now=PROPOSED,
    )
    with pytest.raises(RuleError, match="more than"):
        propose(org, deal, [{"to_user": org.sales_a2, "amount": Decimal("600")}])
    transfer = propose(org, deal, [{"to_user": org.sales_a2, "percent": Decimal("100")}])
    assert transfer.shares.get().amount == Decimal("500.01")


def test_a_signed_contract_transfers_like_a_deal(org, customer):
    from tests.sales.test_contracts_helpers import signed

    contract = signed(org.sales_a, customer)
    assert contract.credited_to == org.sales_a and contract.total == Decimal("32000")
    before = Contract.objects.filter(pk=contract.pk).values().get()
    transfer = propose(org, contract, [{"to_user": org.sales_a2, "percent": Decimal("25")}])
    record(org, approve(org, transfer))
    assert credit(org.sales_a2) == Decimal("8000.00")
    assert credit(org.sales_a) == Decimal("24000.00")
    assert Contract.objects.filter(pk=contract.pk).values().get() == before


# --- pages, scope, inbox -------------------------------------------------------------------------


def test_propose_approve_record_through_the_pages(org, deal, login):
    accountant = login(org.accountant_a)
    url = reverse("sales:credit_transfer_new", args=["deal", deal.pk])
    assert accountant.get(url).status_code == 200
    response = accountant.post(
        url,
        {"mode": "percent", "to_1": org.sales_a2.pk, "value_1": "40", "reason": "协助成交"},
    )
    transfer = CreditTransfer.objects.get()
    assert response.status_code == 302
    detail = reverse("sales:credit_transfer_detail", args=[transfer.pk])
    assert transfer.shares.get().amount == Decimal("400.00")
    # Recording before approval: refused on the page, nothing written.
    assert accountant.post(detail, {"action": "record"}).status_code == 400
    manager = login(org.manager_a)
    assert b'data-testid="decide"' in manager.get(detail).content
    assert manager.post(detail, {"action": "approve", "reason": ""}).status_code == 302
    accountant = login(org.accountant_a)
    assert b'data-testid="record"' in accountant.get(detail).content
    assert accountant.post(detail, {"action": "record"}).status_code == 302
    assert credit(org.sales_a2) == Decimal("400.00")


def test_rights_across_departments_answer_404(org, deal, login):
    transfer = propose(org, deal, [{"to_user": org.sales_a2, "amount": Decimal("100")}])
    new = reverse("sales:credit_transfer_new", args=["deal", deal.pk])
    detail = reverse("sales:credit_transfer_detail", args=[transfer.pk])
    for who in ("accountant_b", "manager_a", "sales_a", "gm"):
        assert login(getattr(org, who)).get(new).status_code == 404, who
    for who in ("accountant_b", "manager_b", "sales_a", "sales_a2"):
        assert login(getattr(org, who)).get(detail).status_code == 404, who
        assert login(getattr(org, who)).post(detail, {"action": "approve"}).status_code == 404
    assert (
        login(org.accountant_a)
        .get(reverse("sales:credit_transfer_new", args=["nonsense", deal.pk]))
        .status_code
        == 404
    )
    transfer.refresh_from_db()
    assert transfer.status == Decision.PENDING


def test_inbox_shows_proposals_to_the_departments_manager(org, deal, login):
    transfer = propose(org, deal, [{"to_user": org.sales_a2, "amount": Decimal("100")}])
    url = reverse("sales:credit_transfer_detail", args=[transfer.pk])
    assert url in [i.url for i in inbox_for(org.manager_a, now=APPROVED)]
    assert url in [i.url for i in inbox_for(org.gm, now=APPROVED)]
    assert url not in [i.url for i in inbox_for(org.manager_b, now=APPROVED)]
    assert url in login(org.manager_a).get(reverse("allocation:inbox")).content.decode()
    approve(org, transfer)
    assert url not in [i.url for i in inbox_for(org.manager_a, now=APPROVED)]


def test_list_tabs_by_status(org, deal, login):
    transfer = propose(org, deal, [{"to_user": org.sales_a2, "amount": Decimal("100")}])
    link = reverse("sales:credit_transfer_detail", args=[transfer.pk])
    client = login(org.accountant_a)
    base = reverse("sales:credit_transfer_list")
    assert link in client.get(base).content.decode()
    assert link in client.get(base + "?status=pending").content.decode()
    assert link not in client.get(base + "?status=recorded").content.decode()
    assert link not in login(org.accountant_b).get(base).content.decode()
    assert login(org.sales_a).get(base).status_code == 404


def test_list_queries_do_not_grow_with_rows(org, customer, login):
    client = login(org.accountant_a)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("sales:credit_transfer_list")).status_code == 200
        return len(ctx)

    propose(org, make_deal(org, customer), [{"to_user": org.sales_a2, "amount": 1}])
    one = count()
    for _n in range(4):
        propose(org, make_deal(org, customer), [{"to_user": org.sales_b, "amount": 1}])
    assert count() == one


def test_the_customer_page_offers_the_accountant_a_transfer(org, deal, login):
    page = login(org.accountant_a).get(reverse("customers:detail", args=[deal.customer_id]))
    assert reverse("sales:credit_transfer_new", args=["deal", deal.pk]) in page.content.decode()
    page = login(org.sales_a).get(reverse("customers:detail", args=[deal.customer_id]))
    assert reverse("sales:credit_transfer_new", args=["deal", deal.pk]) not in (
        page.content.decode()
    )
