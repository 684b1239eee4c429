"""The credit grade policy on contracts (SPEC §11, 003 三): a D customer signs only 现款现货 by
default; a customer not evaluated yet signs any method; the policy is admin-editable."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from customers.models import CreditGradeRule
from customers.services.credit import credit_evaluate
from sales.models import Contract
from sales.services.contracts import (
    ContractError,
    contract_create,
    contract_sign,
    contract_update,
)
from tests.factories import register
from tests.sales.test_contracts_helpers import DATA, LINES, NOW, PLAN, REGISTERED, SIGNED, draft

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
SH = ZoneInfo("Asia/Shanghai")
EVALUATED = datetime(2026, 3, 1, 10, 0, tzinfo=SH)
LOW = {"character": 40, "capacity": 40, "capital": 40, "collateral": 40, "conditions": 40}
HIGH = {"character": 90, "capacity": 90, "capital": 90, "collateral": 90, "conditions": 90}


def graded(org, scores):
    customer = register(org.sales_a, now=REGISTERED)
    credit_evaluate(actor=org.manager_a, customer=customer, scores=scores, notes="", now=EVALUATED)
    customer.refresh_from_db()
    return customer


def test_d_customer_is_refused_goods_first_and_accepted_cash(org):
    customer = graded(org, LOW)
    assert customer.credit_rating == "D"
    with pytest.raises(ContractError) as refused:
        _create(org, customer, "goods_first")
    message = str(refused.value)
    assert "credit grade is D" in message and "Cash on delivery" in message
    assert "Rolling" not in message
    with pytest.raises(ContractError):
        _create(org, customer, "rolling")
    assert not Contract.objects.filter(customer=customer).exists()
    contract = _create(org, customer, "cash")
    assert contract.settlement_method == "cash"


def _create(org, customer, settlement):
    return contract_create(
        actor=org.sales_a,
        customer=customer,
        data={**DATA, "settlement_method": settlement},
        lines=LINES,
        instalments=PLAN,
        now=NOW,
    )


def test_a_customer_and_an_unevaluated_customer_sign_any_method(org):
    customer = graded(org, HIGH)
    assert customer.credit_rating == "A"
    assert _create(org, customer, "goods_first").settlement_method == "goods_first"
    fresh = register(org.sales_a, now=REGISTERED)
    assert fresh.credit_rating == ""
    assert _create(org, fresh, "goods_first").settlement_method == "goods_first"


def test_a_draft_cannot_be_switched_or_signed_past_the_policy(org):
    customer = register(org.sales_a, now=REGISTERED)
    contract = draft(org.sales_a, customer)  # rolling, before any evaluation
    credit_evaluate(actor=org.manager_a, customer=customer, scores=LOW, notes="", now=EVALUATED)
    with pytest.raises(ContractError, match="credit grade is D"):
        contract_sign(actor=org.sales_a, contract=contract, signed_at=SIGNED, now=NOW)
    with pytest.raises(ContractError, match="credit grade is D"):
        contract_update(
            actor=org.sales_a,
            contract=contract,
            data={**DATA, "settlement_method": "goods_first"},
            lines=LINES,
            instalments=PLAN,
            now=NOW,
        )
    contract = contract_update(
        actor=org.sales_a,
        contract=contract,
        data={**DATA, "settlement_method": "cash"},
        lines=LINES,
        instalments=PLAN,
        now=NOW,
    )
    signed = contract_sign(actor=org.sales_a, contract=contract, signed_at=SIGNED, now=NOW)
    assert signed.is_signed


def test_the_policy_is_read_from_the_admin_rows(org):
    customer = graded(org, LOW)
    CreditGradeRule.objects.filter(grade="D").update(allows_goods_first=True)
    assert _create(org, customer, "goods_first").settlement_method == "goods_first"
    CreditGradeRule.objects.filter(grade="D").update(allows_cash=False, allows_goods_first=False)
    with pytest.raises(ContractError, match="allows only: —"):
        _create(org, customer, "cash")
