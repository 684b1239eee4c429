"""URL × role walk and junk-input fuzz rows for service's competitors pages (same shape as
tests/sales/walk_opportunities.py; read its docstring). The catalogue is read by everyone and
kept by managers and the GM; links are posted by the customer's holder and its managers."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from tests.sales.codes import *  # noqa: F403

SH = ZoneInfo("Asia/Shanghai")
COMPETITOR_FIELDS = (
    "name",
    "products",
    "prices",
    "features",
    "strengths",
    "weaknesses",
    "strategy",
)

WALK: dict = {
    "service:competitor_list": {"codes": EVERYONE, "nav": True},  # noqa: F405
    "service:competitor_new": {"codes": MANAGERS},  # noqa: F405
    "service:competitor_compare": {"codes": EVERYONE},  # noqa: F405
    "service:competitor_detail": {"codes": EVERYONE, "kwargs": "competitor"},  # noqa: F405
    "service:competitor_edit": {"codes": MANAGERS, "kwargs": "competitor"},  # noqa: F405
    "service:competitor_link_add": {"codes": POST_ONLY, "kwargs": "competitor_customer"},  # noqa: F405
    "service:competitor_link_remove": {"codes": POST_ONLY, "kwargs": "competitor_link"},  # noqa: F405
}
WALK_KWARGS: dict = {
    "competitor": lambda w: {"pk": w.competitor.pk},
    "competitor_customer": lambda w: {"customer_pk": w.customer.pk},
    "competitor_link": lambda w: {"pk": w.competitor_link.pk},
}
FUZZ: dict = {
    "service:competitor_list": {},
    "service:competitor_new": {"post": COMPETITOR_FIELDS, "sweep_as": "gm"},
    "service:competitor_compare": {},
    "service:competitor_detail": {"kwargs": lambda w: {"pk": w["competitor"]}},
    "service:competitor_edit": {
        "kwargs": lambda w: {"pk": w["competitor"]},
        "post": COMPETITOR_FIELDS,
        "sweep_as": "gm",
    },
    "service:competitor_link_add": {
        "kwargs": lambda w: {"customer_pk": w["customer"]},
        "post": ("competitor", "opportunity", "note", "back"),
        "sweep_as": "salesperson",
    },
    "service:competitor_link_remove": {
        "kwargs": lambda w: {"pk": w["competitor_link"]},
        "post": ("back",),
        "sweep_as": "salesperson",
    },
}


def _world(org, customer, now):
    from sales.services.opportunities import opportunity_create
    from service.services.competitors import competitor_create, competitor_link

    competitor = competitor_create(
        actor=org.gm,
        data={"name": "走查欧雅全屋定制", "products": "橱柜", "prices": "2,800 元/延米"},
        now=now,
    )
    other = competitor_create(actor=org.gm, data={"name": "走查索菲诺"}, now=now)
    opportunity = opportunity_create(
        actor=org.sales_a,
        customer=customer,
        data={
            "product": "走查全屋定制",
            "expected_amount": Decimal("52000"),
            "expected_close": date(2026, 12, 31),
        },
        now=now,
    )
    link = competitor_link(
        actor=org.sales_a,
        competitor=competitor,
        customer=customer,
        opportunity=opportunity,
        now=now,
    )
    return competitor, other, link


def build_walk(w) -> None:
    w.competitor, _other, w.competitor_link = _world(
        w.org, w.customer, datetime(2026, 4, 1, 11, 30, tzinfo=SH)
    )


def build_fuzz(org, world: dict) -> None:
    from customers.models import Customer

    customer = Customer.objects.get(pk=world["customer"])
    competitor, _other, link = _world(org, customer, datetime(2026, 3, 2, 9, 45, tzinfo=SH))
    world["competitor"] = competitor.pk
    world["competitor_link"] = link.pk
