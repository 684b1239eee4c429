"""URL × role walk and junk-input fuzz rows for sales' opportunities pages.

- WALK: url name → dict(codes=…, kwargs=<key of WALK_KWARGS or "">, query="", nav=False)
  (codes: one status per role of tests/crm/test_url_walk.ROLES; see tests/sales/codes.py)
- WALK_KWARGS: key → (world) -> URL kwargs; build_walk(w) adds this area's objects to the
  url-walk world (a SimpleNamespace with w.org, w.customer held by sales_a in department A).
- FUZZ: url name → dict(kwargs=(world dict) -> URL kwargs, post=(field names) or None,
  sweep_as="gm"|"salesperson"|…); build_fuzz(org, world) adds ids to the fuzz world dict
  (world["customer"] is held by org.sales_a; see tests/test_fuzz._world).
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from tests.sales.codes import *  # noqa: F403

SH = ZoneInfo("Asia/Shanghai")
ACTION_FIELDS = ("kind", "occurred_at", "contact", "content", "result", "next_step", "next_date")

WALK: dict = {
    "sales:opportunity_list": {"codes": EVERYONE, "nav": True},  # noqa: F405
    # The holder, A's manager and the GM open one; A's accountant reads but does not.
    "sales:opportunity_new": {"codes": A_PARTIES, "kwargs": "opportunity_customer"},  # noqa: F405
    "sales:opportunity_detail": {"codes": A_SEEN, "kwargs": "opportunity"},  # noqa: F405
    "sales:opportunity_move": {"codes": POST_ONLY, "kwargs": "opportunity"},  # noqa: F405
    "sales:opportunity_action_new": {"codes": POST_ONLY, "kwargs": "opportunity"},  # noqa: F405
}
WALK_KWARGS: dict = {
    "opportunity": lambda w: {"pk": w.opportunity.pk},
    "opportunity_customer": lambda w: {"customer_pk": w.customer.pk},
}
FUZZ: dict = {
    "sales:opportunity_list": {},
    "sales:opportunity_new": {
        "kwargs": lambda w: {"customer_pk": w["customer"]},
        "post": ("product", "expected_amount", "expected_close"),
        "sweep_as": "salesperson",
    },
    "sales:opportunity_detail": {"kwargs": lambda w: {"pk": w["opportunity"]}},
    "sales:opportunity_move": {
        "kwargs": lambda w: {"pk": w["opportunity"]},
        "post": ("stage", "reason"),
        "sweep_as": "salesperson",
    },
    "sales:opportunity_action_new": {
        "kwargs": lambda w: {"pk": w["opportunity"]},
        "post": ACTION_FIELDS,
        "sweep_as": "salesperson",
    },
}


def _open(actor, customer, now):
    from sales.services.opportunities import opportunity_create

    return opportunity_create(
        actor=actor,
        customer=customer,
        data={
            "product": "走查实木地板",
            "expected_amount": Decimal("38600"),
            "expected_close": date(2026, 12, 31),
        },
        now=now,
    )


def build_walk(w) -> None:
    w.opportunity = _open(w.org.sales_a, w.customer, datetime(2026, 4, 1, 11, 0, tzinfo=SH))


def build_fuzz(org, world: dict) -> None:
    from customers.models import Customer

    customer = Customer.objects.get(pk=world["customer"])
    world["opportunity"] = _open(org.sales_a, customer, datetime(2026, 3, 2, 9, 30, tzinfo=SH)).pk
