"""URL × role walk and junk-input fuzz rows for sales' receivables pages.

- WALK: url name → dict(codes=…, kwargs=<key of WALK_KWARGS or "">, query="", nav=False)
  (codes: one status per role of tests/crm/test_url_walk.ROLES; see tests/sales/codes.py)
- WALK_KWARGS: key → (world) -> URL kwargs; build_walk(w) adds this area's objects to the
  url-walk world (a SimpleNamespace with w.org, w.customer held by sales_a in department A).
- FUZZ: url name → dict(kwargs=(world dict) -> URL kwargs, post=(field names) or None,
  sweep_as="gm"|"salesperson"|…); build_fuzz(org, world) adds ids to the fuzz world dict
  (world["customer"] is held by org.sales_a; see tests/test_fuzz._world).
"""

from tests.sales.codes import *  # noqa: F403

WALK: dict = {
    "sales:receivables": {"codes": EVERYONE, "nav": True},  # noqa: F405
    "sales:receivables_export": {"codes": EVERYONE, "query": "group=salesperson"},  # noqa: F405
    # The letter of sales_a's customer: its holder, A's manager and accountant, the GM.
    "sales:reminder_letter": {"codes": A_SEEN, "kwargs": "receivables_customer"},  # noqa: F405
}
WALK_KWARGS: dict = {
    "receivables_customer": lambda w: {"customer_pk": w.customer.pk},
}
FUZZ: dict = {
    "sales:receivables": {},
    "sales:receivables_export": {},
    "sales:reminder_letter": {
        "kwargs": lambda w: {"customer_pk": w["receivables_customer"]},
        "sweep_as": "salesperson",
    },
}


def _at(*args):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime(*args, tzinfo=ZoneInfo("Asia/Shanghai"))


def _owed_contract(customer, actor, signed) -> None:
    """A signed contract of `customer` with an instalment long overdue and one not yet due,
    so the receivables rows and the letter have content."""
    from datetime import date
    from decimal import Decimal

    from customers.models import Settlement
    from sales.services.contracts import contract_create, contract_sign

    contract = contract_create(
        actor=actor,
        customer=customer,
        data={"title": "走查合同", "settlement_method": Settlement.GOODS_FIRST},
        lines=[{"product": "实木地板", "quantity": Decimal(2), "unit_price": Decimal(500)}],
        instalments=[
            {"due_on": date(2026, 2, 1), "amount": Decimal(600)},
            {"due_on": date(2030, 1, 1), "amount": Decimal(400)},
        ],
        now=signed,
    )
    contract_sign(actor=actor, contract=contract, signed_at=signed, now=signed)


def build_walk(w) -> None:
    _owed_contract(w.customer, w.org.sales_a, _at(2026, 4, 1, 11))


def build_fuzz(org, world: dict) -> None:
    from customers.models import Customer

    customer = Customer.objects.get(pk=world["customer"])
    _owed_contract(customer, org.sales_a, _at(2026, 3, 2, 10))
    world["receivables_customer"] = customer.pk
