"""Shared builders for the contract tests: contracts go through the services."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sales.services.contracts import contract_create, contract_sign

SH = ZoneInfo("Asia/Shanghai")
REGISTERED = datetime(2026, 1, 15, 10, 0, tzinfo=SH)
SIGNED = datetime(2026, 4, 10, 15, 0, tzinfo=SH)
NOW = datetime(2026, 4, 20, 10, 0, tzinfo=SH)
DATA = {"title": "地板供货合同", "settlement_method": "rolling", "notes": ""}
LINES = [
    {"product": "实木地板", "quantity": Decimal("100"), "unit_price": Decimal("300")},
    {"product": "踢脚线", "quantity": Decimal("50"), "unit_price": Decimal("40")},
]
PLAN = [
    {"due_on": date(2026, 5, 10), "amount": Decimal("12000")},
    {"due_on": date(2026, 6, 10), "amount": Decimal("20000")},
]  # 30,000 + 2,000 = 32,000


def draft(actor, customer, *, lines=LINES, plan=PLAN, now=NOW, **kw):
    return contract_create(
        actor=actor,
        customer=customer,
        data=dict(DATA),
        lines=lines,
        instalments=plan,
        now=now,
        **kw,
    )


def signed(actor, customer, *, signed_at=SIGNED, now=NOW, **kw):
    contract = draft(actor, customer, now=now, **kw)
    return contract_sign(actor=actor, contract=contract, signed_at=signed_at, now=now)
