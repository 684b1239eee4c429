"""URL × role walk and junk-input fuzz rows for sales' credit pages (dormant customers,
cross-sales, credit transfers).

- WALK: url name → dict(codes=…, kwargs=<key of WALK_KWARGS or "">, query="", nav=False)
  (codes: one status per role of tests/crm/test_url_walk.ROLES; see tests/sales/codes.py)
- WALK_KWARGS: key → (world) -> URL kwargs; build_walk(w) adds this area's objects to the
  url-walk world (a SimpleNamespace with w.org, w.customer held by sales_a in department A).
- FUZZ: url name → dict(kwargs=(world dict) -> URL kwargs, post=(field names) or None,
  sweep_as="gm"|"salesperson"|…); build_fuzz(org, world) adds ids to the fuzz world dict
  (world["customer"] is held by org.sales_a; see tests/test_fuzz._world).
"""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from tests.sales.codes import *  # noqa: F403

SH = ZoneInfo("Asia/Shanghai")

WALK: dict = {
    "sales:dormant_list": {"codes": EVERYONE, "nav": True},  # noqa: F405
    "sales:dormant_mark": {"codes": POST_ONLY, "kwargs": "credit_customer"},  # noqa: F405
    "sales:dormant_clear": {"codes": POST_ONLY, "kwargs": "dormant_mark"},  # noqa: F405
    "sales:cross_sale_list": {"codes": EVERYONE},  # noqa: F405
    # A dormant customer of A held by sales_a2: sales_a (same department) may file for it.
    "sales:cross_sale_new": {"codes": OWNER_ONLY, "kwargs": "dormant_customer"},  # noqa: F405
    "sales:cross_sale_detail": {"codes": A_SEEN, "kwargs": "cross_sale"},  # noqa: F405
    "sales:credit_transfer_list": {"codes": READERS},  # noqa: F405
    "sales:credit_transfer_new": {"codes": A_ACCOUNTANT, "kwargs": "credit_deal"},  # noqa: F405
    "sales:credit_transfer_detail": {"codes": A_READERS, "kwargs": "credit_transfer"},  # noqa: F405
}
WALK_KWARGS: dict = {
    "credit_customer": lambda w: {"pk": w.customer.pk},
    "dormant_mark": lambda w: {"pk": w.dormant_mark.pk},
    "dormant_customer": lambda w: {"pk": w.dormant_customer.pk},
    "cross_sale": lambda w: {"pk": w.cross_sale.pk},
    "credit_deal": lambda w: {"kind": "deal", "pk": w.credit_deal.pk},
    "credit_transfer": lambda w: {"pk": w.credit_transfer.pk},
}


def _pk(key):
    return lambda w: {"pk": w[key]}


FUZZ: dict = {
    "sales:dormant_list": {},
    "sales:dormant_mark": {
        "kwargs": _pk("customer"),
        "post": ("reason",),
        "sweep_as": "accountant",
    },
    "sales:dormant_clear": {
        "kwargs": _pk("dormant_mark"),
        "post": ("reason",),
        "sweep_as": "accountant",
    },
    "sales:cross_sale_list": {},
    "sales:cross_sale_new": {
        "kwargs": _pk("dormant_customer"),
        "post": ("occurred_at", "product", "quantity", "amount", "note"),
        "sweep_as": "salesperson",
    },
    "sales:cross_sale_detail": {
        "kwargs": _pk("cross_sale"),
        "post": ("decision", "reason"),
        "sweep_as": "manager",
    },
    "sales:credit_transfer_list": {},
    "sales:credit_transfer_new": {
        "kwargs": lambda w: {"kind": "deal", "pk": w["credit_deal"]},
        "post": ("mode", "to_1", "value_1", "to_2", "value_2", "to_3", "value_3", "reason"),
        "sweep_as": "accountant",
    },
    "sales:credit_transfer_detail": {
        "kwargs": _pk("credit_transfer"),
        "post": ("action", "reason"),
        "sweep_as": "manager",
    },
}


def build_objects(org, *, customer, at: datetime) -> dict:
    """Through the services: a dormant customer of A held by sales_a2 (marked by A's
    accountant) with a pending cross-sale by sales_a; a sale of `customer` (held by sales_a)
    and a proposed credit transfer of half of it to sales_a2."""
    from customers.services import deal_record
    from sales.services.credit import credit_transfer_propose
    from sales.services.dormant import cross_sale_request, dormant_mark
    from tests.factories import register

    dormant = register(org.sales_a2, now=at, name="沉默客户有限公司")
    mark = dormant_mark(actor=org.accountant_a, customer=dormant, reason="两年无购买记录", now=at)
    cross_sale = cross_sale_request(
        actor=org.sales_a,
        customer=dormant,
        data={
            "occurred_at": at + timedelta(hours=1),
            "product": "复合地板",
            "quantity": Decimal("2"),
            "amount": Decimal("3000"),
            "note": "",
        },
        now=at + timedelta(hours=2),
    )
    deal = deal_record(
        actor=org.sales_a,
        customer=customer,
        now=at + timedelta(hours=1),
        data={
            "occurred_at": at,
            "product": "实木地板",
            "quantity": Decimal("1"),
            "amount": Decimal("1000"),
        },
    )
    transfer = credit_transfer_propose(
        actor=org.accountant_a,
        sale=deal,
        shares=[{"to_user": org.sales_a2, "percent": Decimal("50")}],
        reason="协助成交",
        now=at + timedelta(hours=2),
    )
    return {
        "dormant_customer": dormant,
        "dormant_mark": mark,
        "cross_sale": cross_sale,
        "credit_deal": deal,
        "credit_transfer": transfer,
    }


def build_walk(w) -> None:
    made = build_objects(w.org, customer=w.customer, at=datetime(2026, 4, 2, 10, 0, tzinfo=SH))
    for key, value in made.items():
        setattr(w, key, value)


def build_fuzz(org, world: dict) -> None:
    from customers.models import Customer

    made = build_objects(
        org,
        customer=Customer.objects.get(pk=world["customer"]),
        at=datetime(2026, 3, 2, 10, 0, tzinfo=SH),
    )
    world.update({key: obj.pk for key, obj in made.items()})
