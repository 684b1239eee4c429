"""Contracts (SPEC §10): drafting, signing, sales credit to the holder at the signing time
(SPEC §3), the no-deal clock (SPEC §6), signed contracts never edited, amendments."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from allocation.inbox import inbox_for
from crm.errors import RuleError
from customers.models import Customer
from customers.services import ownership_transfer
from sales.models import Contract, Instalment, Opportunity, SalesCredit
from sales.services.contracts import (
    collection_record,
    contract_create,
    contract_sign,
    contract_update,
)
from tests.factories import register
from tests.sales.test_contracts_helpers import (
    DATA,
    LINES,
    NOW,
    PLAN,
    REGISTERED,
    SH,
    SIGNED,
    draft,
    signed,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def customer(org):
    return register(org.sales_a, now=REGISTERED)


def test_draft_gets_a_number_amounts_and_total(org, customer):
    contract = draft(org.sales_a, customer)
    assert contract.number == "HT202604-00001"
    assert contract.status == Contract.Status.DRAFT
    assert contract.total == Decimal("32000.00")
    assert sorted(contract.lines.values_list("amount", flat=True)) == [
        Decimal("2000.00"),
        Decimal("30000.00"),
    ]
    assert list(contract.instalments.values_list("seq", "amount")) == [
        (1, Decimal("12000.00")),
        (2, Decimal("20000.00")),
    ]
    assert draft(org.sales_a, customer).number == "HT202604-00002"


def test_typed_number_must_be_unique(org, customer):
    contract_create(
        actor=org.sales_a,
        customer=customer,
        data={**DATA, "number": "XS-2026-1"},
        lines=LINES,
        instalments=PLAN,
        now=NOW,
    )
    with pytest.raises(RuleError, match="already used"):
        contract_create(
            actor=org.sales_a,
            customer=customer,
            data={**DATA, "number": "XS-2026-1"},
            lines=LINES,
            instalments=PLAN,
            now=NOW,
        )


def test_instalments_must_sum_to_the_total(org, customer):
    short = [{"due_on": date(2026, 5, 10), "amount": Decimal("31999.99")}]
    with pytest.raises(RuleError, match="add up"):
        draft(org.sales_a, customer, plan=short)
    assert not Contract.objects.exists()


def test_original_needs_positive_quantities(org, customer):
    lines = [{"product": "地板", "quantity": Decimal("-1"), "unit_price": Decimal("10")}]
    with pytest.raises(RuleError):
        draft(org.sales_a, customer, lines=lines, plan=[])


def test_from_an_opportunity_only_when_won_and_same_customer(org, customer):
    other = register(org.sales_a, now=REGISTERED)
    common = {
        "product": "地板",
        "expected_amount": Decimal("32000"),
        "expected_close": date(2026, 4, 30),
        "created_by": org.sales_a,
        "created_at": NOW,
        "stage_changed_at": NOW,
    }
    open_one = Opportunity.objects.create(customer=customer, stage="negotiation", **common)
    won = Opportunity.objects.create(customer=customer, stage="won", closed_at=NOW, **common)
    with pytest.raises(RuleError, match="won opportunity"):
        draft(org.sales_a, customer, opportunity=open_one)
    with pytest.raises(RuleError, match="won opportunity"):
        draft(org.sales_a, other, opportunity=won)
    assert draft(org.sales_a, customer, opportunity=won).opportunity == won


def test_who_may_draft(org, customer):
    for outsider in (org.sales_a2, org.sales_b, org.manager_b, org.accountant_b):
        with pytest.raises(RuleError):
            draft(outsider, customer)
    for insider in (org.sales_a, org.manager_a, org.accountant_a, org.gm):
        assert draft(insider, customer).pk


def test_signing_credits_the_holder_at_signed_at_and_moves_the_clock(org, customer):
    contract = signed(org.sales_a, customer)
    assert contract.status == Contract.Status.SIGNED
    assert contract.credited_to == org.sales_a
    credit = SalesCredit.objects.get(contract=contract)
    assert (credit.kind, credit.user, credit.department) == ("contract", org.sales_a, org.a)
    assert credit.amount == Decimal("32000.00") and credit.quantity == Decimal("150.00")
    assert credit.on_date == date(2026, 4, 10)
    customer.refresh_from_db()
    assert customer.last_deal_at == SIGNED
    assert customer.first_deal_at == SIGNED


def test_credit_stays_with_the_holder_at_signing_when_the_customer_moved_before_entry(
    org, customer
):
    # Signed on 04-10 while sales_a held it; handed to sales_a2 on 04-12; entered on 04-20.
    ownership_transfer(
        customer=customer,
        to_holder=org.sales_a2,
        kind="handover",
        actor=org.manager_a,
        now=datetime(2026, 4, 12, 9, 0, tzinfo=SH),
    )
    customer.refresh_from_db()
    contract = signed(org.sales_a2, customer)
    assert contract.credited_to == org.sales_a
    assert SalesCredit.objects.get(contract=contract).user == org.sales_a


def test_signed_while_in_a_pool_is_credited_to_nobody(org, customer):
    ownership_transfer(
        customer=customer,
        to_pool="department",
        kind="reclaim",
        actor=None,
        now=datetime(2026, 4, 1, 0, 30, tzinfo=SH),
    )
    customer.refresh_from_db()
    contract = signed(org.manager_a, customer)
    assert contract.credited_to is None
    credit = SalesCredit.objects.get(contract=contract)
    assert credit.user is None and credit.department == org.a
    # …and it is listed for the department's managers like such a purchase record (SPEC §3).
    now = NOW + timedelta(days=1)
    for manager in (org.manager_a, org.gm):
        titles = [item.title for item in inbox_for(manager, now=now)]
        assert any(contract.number in t for t in titles), manager
    for other in (org.manager_b, org.sales_a, org.accountant_a):
        assert not any(contract.number in i.title for i in inbox_for(other, now=now)), other
    assert not any(
        contract.number in i.title for i in inbox_for(org.manager_a, now=now + timedelta(days=200))
    )


def test_a_backdated_contract_never_winds_the_clock_back(org, customer):
    signed(org.sales_a, customer)
    signed(org.sales_a, customer, signed_at=SIGNED - timedelta(days=30))
    customer.refresh_from_db()
    assert customer.last_deal_at == SIGNED
    assert customer.first_deal_at == SIGNED - timedelta(days=30)


def test_a_free_contract_moves_no_clock(org, customer):
    free = [{"product": "样品", "quantity": Decimal("1"), "unit_price": Decimal("0")}]
    signed(org.sales_a, customer, lines=free, plan=[])
    customer.refresh_from_db()
    assert customer.last_deal_at is None


def test_signing_time_is_bounded(org, customer):
    contract = draft(org.sales_a, customer)
    for when in (NOW + timedelta(minutes=5), datetime(1999, 12, 31, 10, 0, tzinfo=SH)):
        with pytest.raises(RuleError):
            contract_sign(actor=org.sales_a, contract=contract, signed_at=when, now=NOW)
    contract.refresh_from_db()
    assert contract.status == "draft" and not SalesCredit.objects.exists()


def test_signed_contracts_refuse_edits_and_second_signing(org, customer):
    contract = signed(org.sales_a, customer)
    with pytest.raises(RuleError, match="never changed"):
        contract_update(
            actor=org.sales_a, contract=contract, data=DATA, lines=LINES, instalments=PLAN, now=NOW
        )
    with pytest.raises(RuleError, match="never changed"):
        contract_sign(actor=org.sales_a, contract=contract, signed_at=SIGNED, now=NOW)
    assert SalesCredit.objects.filter(contract=contract).count() == 1


def test_only_the_author_edits_a_draft(org, customer):
    contract = draft(org.sales_a, customer)
    with pytest.raises(RuleError):
        contract_update(
            actor=org.manager_a,
            contract=contract,
            data=DATA,
            lines=LINES,
            instalments=PLAN,
            now=NOW,
        )
    one = [{"product": "实木地板", "quantity": Decimal("10"), "unit_price": Decimal("300")}]
    plan = [{"due_on": date(2026, 5, 1), "amount": Decimal("3000")}]
    contract_update(
        actor=org.sales_a, contract=contract, data=DATA, lines=one, instalments=plan, now=NOW
    )
    contract.refresh_from_db()
    assert contract.total == Decimal("3000.00") and contract.lines.count() == 1


def test_an_added_amendment_is_a_new_sale_with_its_own_plan(org, customer):
    original = signed(org.sales_a, customer)
    more = [{"product": "地板蜡", "quantity": Decimal("10"), "unit_price": Decimal("50")}]
    plan = [{"due_on": date(2026, 7, 1), "amount": Decimal("500")}]
    when = SIGNED + timedelta(days=5)
    amendment = signed(
        org.sales_a, customer, lines=more, plan=plan, amends=original, signed_at=when
    )
    assert amendment.number == f"{original.number}-BC1"
    assert amendment.amends == original and amendment.total == Decimal("500.00")
    assert Instalment.objects.filter(contract=amendment).count() == 1
    assert SalesCredit.objects.get(contract=amendment).amount == Decimal("500.00")
    customer.refresh_from_db()
    assert customer.last_deal_at == when
    original.refresh_from_db()
    assert original.total == Decimal("32000.00")  # the original is never edited


def test_a_reduction_comes_off_the_unpaid_instalments_latest_first(org, customer):
    original = signed(org.sales_a, customer)
    first, second = original.instalments.order_by("seq")
    collection_record(
        actor=org.accountant_a,
        instalment=first,
        amount=Decimal("12000"),
        received_on=date(2026, 4, 15),
        now=NOW,
    )
    less = [
        {"product": "实木地板", "quantity": Decimal("-60"), "unit_price": Decimal("300")},
        {"product": "踢脚线", "quantity": Decimal("-50"), "unit_price": Decimal("40")},
    ]
    amendment = signed(
        org.sales_a,
        customer,
        lines=less,
        plan=[],
        amends=original,
        signed_at=SIGNED + timedelta(days=6),
    )
    assert amendment.total == Decimal("-20000.00")
    second.refresh_from_db()
    assert second.amount == Decimal("0.00") and second.settled_on == date(2026, 4, 16)
    credit = SalesCredit.objects.get(contract=amendment)
    assert credit.amount == Decimal("-20000.00") and credit.quantity == Decimal("-110.00")
    assert credit.user == org.sales_a
    # More than is still unpaid (nothing is) is refused.
    with pytest.raises(RuleError, match="still unpaid"):
        draft(org.sales_a, customer, lines=less, plan=[], amends=original)


def test_a_reduction_larger_than_unpaid_is_refused_at_signing(org, customer):
    original = signed(org.sales_a, customer)
    less = [{"product": "实木地板", "quantity": Decimal("-10"), "unit_price": Decimal("300")}]
    amendment = draft(org.sales_a, customer, lines=less, plan=[], amends=original)
    for instalment in original.instalments.all():
        collection_record(
            actor=org.accountant_a,
            instalment=instalment,
            amount=instalment.amount,
            received_on=date(2026, 4, 15),
            now=NOW,
        )
    with pytest.raises(RuleError, match="still unpaid"):
        contract_sign(actor=org.sales_a, contract=amendment, signed_at=SIGNED, now=NOW)
    amendment.refresh_from_db()
    assert not amendment.is_signed


def test_a_reduction_has_no_instalments_and_amends_only_signed_contracts(org, customer):
    original = signed(org.sales_a, customer)
    less = [{"product": "实木地板", "quantity": Decimal("-1"), "unit_price": Decimal("300")}]
    with pytest.raises(RuleError, match="remove the instalments"):
        draft(org.sales_a, customer, lines=less, plan=PLAN, amends=original)
    unsigned = draft(org.sales_a, customer)
    with pytest.raises(RuleError, match="signed contract"):
        draft(org.sales_a, customer, lines=LINES, plan=PLAN, amends=unsigned)


def test_a_contract_restarts_the_no_deal_clock_for_the_reclaim_rule(org, customer):
    """The customer's clock is what the reclaim rule reads (SPEC §6)."""
    before = Customer.objects.get(pk=customer.pk).last_deal_at
    signed(org.sales_a, customer)
    assert before is None
    assert Customer.objects.get(pk=customer.pk).last_deal_at == SIGNED
