"""URL × role walk and junk-input fuzz rows for service's revisits pages (same shape as
tests/sales/walk_opportunities.py; read its docstring)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.sales.codes import *  # noqa: F403

SH = ZoneInfo("Asia/Shanghai")
CALL_FIELDS = ("kind", "occurred_at", "contact", "content", "result", "satisfaction")

WALK: dict = {
    # Accountants keep records; they do not call customers.
    "service:revisit_list": {"codes": HOLDERS, "nav": True},  # noqa: F405
    # The holder, A's manager and the GM plan and record a customer of A's revisits.
    "service:revisit_do": {"codes": A_PARTIES, "kwargs": "revisit"},  # noqa: F405
    "service:revisit_new": {"codes": A_PARTIES, "kwargs": "revisit_customer"},  # noqa: F405
    "service:revisit_stage_new": {"codes": A_PARTIES, "kwargs": "revisit_customer"},  # noqa: F405
    "service:revisit_unreachable": {"codes": A_PARTIES, "kwargs": "revisit_customer"},  # noqa: F405
}
WALK_KWARGS: dict = {
    "revisit": lambda w: {"pk": w.revisit.pk},
    "revisit_customer": lambda w: {"customer_pk": w.customer.pk},
}
FUZZ: dict = {
    "service:revisit_list": {},
    "service:revisit_do": {
        "kwargs": lambda w: {"pk": w["revisit"]},
        "post": (*CALL_FIELDS, "outcome"),
        "sweep_as": "salesperson",
    },
    "service:revisit_new": {
        "kwargs": lambda w: {"customer_pk": w["customer"]},
        "post": ("kind", "due_on", "note"),
        "sweep_as": "salesperson",
    },
    "service:revisit_stage_new": {
        "kwargs": lambda w: {"customer_pk": w["customer"]},
        "post": ("stage", "occurred_on"),
        "sweep_as": "salesperson",
    },
    "service:revisit_unreachable": {
        "kwargs": lambda w: {"customer_pk": w["customer"]},
        "post": CALL_FIELDS,
        "sweep_as": "salesperson",
    },
}


def _plan(actor, customer):
    from service.services.revisits import revisit_plan_create

    now = datetime.now(SH)
    return revisit_plan_create(
        actor=actor, customer=customer, kind="realtime", due_on=now.date(), note="", now=now
    )


def build_walk(w) -> None:
    w.revisit = _plan(w.org.sales_a, w.customer)


def build_fuzz(org, world: dict) -> None:
    from customers.models import Customer

    world["revisit"] = _plan(org.sales_a, Customer.objects.get(pk=world["customer"])).pk
