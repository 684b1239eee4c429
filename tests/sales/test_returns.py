"""Returns and exchanges (退换货, SPEC §10): reverse quantity and amount of a purchase record or
a signed contract line, at most what is left; the original is never edited; the credit of
whoever got the original's is debited on the return's date."""

from datetime import datetime
from decimal import Decimal

import pytest

from crm.errors import RuleError
from customers.models import Deal
from customers.services import deal_record, ownership_transfer
from sales.models import ReturnRecord, SalesCredit
from sales.services.contracts import return_record
from tests.factories import register
from tests.sales.test_contracts_helpers import NOW, REGISTERED, SH, SIGNED, draft, signed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
RETURNED = datetime(2026, 4, 18, 11, 0, tzinfo=SH)


@pytest.fixture
def customer(org):
    return register(org.sales_a, now=REGISTERED)


@pytest.fixture
def deal(org, customer):
    return deal_record(
        actor=org.sales_a,
        customer=customer,
        now=NOW,
        data={
            "occurred_at": SIGNED,
            "product": "瓷砖",
            "quantity": Decimal("10"),
            "amount": Decimal("5000"),
        },
    )


def give_back(actor, customer, *, quantity, amount, **original):
    data = {
        "kind": "return",
        "quantity": Decimal(quantity),
        "amount": Decimal(amount),
        "reason": "破损退货",
        "occurred_at": RETURNED,
        **original,
    }
    return return_record(actor=actor, customer=customer, data=data, now=NOW)


def test_return_of_a_purchase_reverses_quantity_and_amount_leaving_it_untouched(
    org, customer, deal
):
    record = give_back(org.sales_a, customer, quantity="4", amount="2000", deal=deal)
    credit = SalesCredit.objects.get(return_record=record)
    assert (credit.kind, credit.user, credit.on_date) == ("return", org.sales_a, RETURNED.date())
    assert credit.amount == Decimal("-2000.00") and credit.quantity == Decimal("-4.00")
    deal.refresh_from_db()
    assert (deal.quantity, deal.amount) == (Decimal("10.00"), Decimal("5000.00"))
    total = SalesCredit.objects.filter(customer=customer).values_list("amount", flat=True)
    assert sum(total) == Decimal("3000.00")


def test_more_than_is_left_is_refused(org, customer, deal):
    give_back(org.sales_a, customer, quantity="6", amount="3000", deal=deal)
    with pytest.raises(RuleError, match="At most 4"):
        give_back(org.sales_a, customer, quantity="5", amount="100", deal=deal)
    with pytest.raises(RuleError, match="2000"):
        give_back(org.sales_a, customer, quantity="1", amount="2000.01", deal=deal)
    assert ReturnRecord.objects.count() == 1


def test_return_of_a_contract_line_debits_the_original_credit_even_after_a_move(org, customer):
    contract = signed(org.sales_a, customer)
    line = contract.lines.get(product="实木地板")
    ownership_transfer(
        customer=customer,
        to_holder=org.sales_a2,
        kind="handover",
        actor=org.manager_a,
        now=datetime(2026, 4, 12, 9, 0, tzinfo=SH),
    )
    customer.refresh_from_db()
    record = give_back(org.sales_a2, customer, quantity="10", amount="3000", contract_line=line)
    credit = SalesCredit.objects.get(return_record=record)
    assert credit.user == org.sales_a and credit.contract == contract
    line.refresh_from_db()
    assert line.quantity == Decimal("100.00") and line.amount == Decimal("30000.00")
    with pytest.raises(RuleError):
        give_back(org.sales_a2, customer, quantity="91", amount="1", contract_line=line)


def test_only_originals_of_this_customer_and_signed_lines(org, customer, deal):
    other = register(org.sales_a, now=REGISTERED)
    with pytest.raises(RuleError):
        give_back(org.sales_a, other, quantity="1", amount="1", deal=deal)
    unsigned = draft(org.sales_a, customer).lines.first()
    with pytest.raises(RuleError, match="signed"):
        give_back(org.sales_a, customer, quantity="1", amount="1", contract_line=unsigned)
    with pytest.raises(RuleError):
        give_back(org.sales_b, customer, quantity="1", amount="1", deal=deal)
    before = datetime(2026, 4, 1, 9, 0, tzinfo=SH)
    with pytest.raises(RuleError, match="before the sale"):
        return_record(
            actor=org.sales_a,
            customer=customer,
            data={
                "kind": "exchange",
                "quantity": Decimal("1"),
                "amount": Decimal("1"),
                "reason": "换货",
                "occurred_at": before,
                "deal": deal,
            },
            now=NOW,
        )
    assert not ReturnRecord.objects.exists()
    assert Deal.objects.get(pk=deal.pk).quantity == Decimal("10.00")
