"""URL × role walk and junk-input fuzz rows for service's complaints pages (same shape as
tests/sales/walk_opportunities.py; read its docstring).

The walk's complaint is about sales_a's customer, taken by A's accountant at the counter,
responsible sales_a in department A: seen by its responsible person (the holder), A's
manager and accountant and the GM."""

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.sales.codes import *  # noqa: F403

SH = ZoneInfo("Asia/Shanghai")

STEP_FIELDS = ("action", "note", "findings", "resolution", "satisfied")
VERIFY_FIELDS = ("person", "breach_on", "note")
NEW_FIELDS = ("complainant", "complainant_phone", "category", "content", "responsible", "people_of")

WALK: dict = {
    "service:complaint_list": {"codes": EVERYONE, "nav": True},  # noqa: F405
    "service:complaint_new": {"codes": EVERYONE},  # noqa: F405
    "service:complaint_analysis": {"codes": EVERYONE},  # noqa: F405
    "service:complaint_analysis_export": {"codes": EVERYONE},  # noqa: F405
    "service:complaint_detail": {"codes": A_SEEN, "kwargs": "complaint"},  # noqa: F405
    "service:complaint_step": {"codes": POST_ONLY, "kwargs": "complaint"},  # noqa: F405
    "service:complaint_verify": {"codes": POST_ONLY, "kwargs": "complaint"},  # noqa: F405
}
WALK_KWARGS: dict = {"complaint": lambda w: {"pk": w.complaint.pk}}
FUZZ: dict = {
    "service:complaint_list": {},
    "service:complaint_new": {"post": NEW_FIELDS, "sweep_as": "salesperson"},
    "service:complaint_analysis": {},
    "service:complaint_analysis_export": {},
    "service:complaint_detail": {"kwargs": lambda w: {"pk": w["complaint"]}},
    "service:complaint_step": {
        "kwargs": lambda w: {"pk": w["complaint"]},
        "post": STEP_FIELDS,
        "sweep_as": "salesperson",
    },
    "service:complaint_verify": {
        "kwargs": lambda w: {"pk": w["complaint"]},
        "post": VERIFY_FIELDS,
        "sweep_as": "gm",
    },
}


def _build(org, customer, at: datetime):
    from service.models import ComplaintCategory
    from service.services.complaints import ComplaintData, complaint_take

    return complaint_take(
        actor=org.accountant_a,
        data=ComplaintData(
            complainant="走查客户",
            category=ComplaintCategory.objects.order_by("pk").first(),
            content="走查投诉内容",
            department=org.a,
            responsible=org.sales_a,
            customer=customer,
        ),
        now=at,
    )


def build_walk(w) -> None:
    w.complaint = _build(w.org, w.customer, datetime(2026, 4, 1, 13, 0, tzinfo=SH))


def build_fuzz(org, world: dict) -> None:
    from customers.models import Customer

    customer = Customer.objects.get(pk=world["customer"])
    world["complaint"] = _build(org, customer, datetime(2026, 3, 2, 10, 0, tzinfo=SH)).pk
