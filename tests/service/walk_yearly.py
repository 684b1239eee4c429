"""URL × role walk and junk-input fuzz rows for service's yearly pages (same shape as
tests/sales/walk_opportunities.py; read its docstring)."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from tests.sales.codes import *  # noqa: F403

SH = ZoneInfo("Asia/Shanghai")
EVAL_FIELDS = (
    "transaction_grade",
    "transaction_note",
    "credit_grade",
    "credit_note",
    "contact_grade",
    "contact_note",
)

WALK: dict = {
    "service:yearly_list": {"codes": HOLDERS, "nav": True},  # noqa: F405
    "service:yearly_overdue": {"codes": MANAGERS},  # noqa: F405
    # Only the holder evaluates (a year without an evaluation yet: the form).
    "service:yearly_evaluate": {"codes": OWNER_ONLY, "kwargs": "yearly_customer"},  # noqa: F405
    "service:yearly_detail": {"codes": A_SEEN, "kwargs": "yearly_evaluation"},  # noqa: F405
    "service:yearly_manager": {"codes": POST_ONLY, "kwargs": "yearly_evaluation"},  # noqa: F405
    "service:yearly_director": {"codes": POST_ONLY, "kwargs": "yearly_evaluation"},  # noqa: F405
}
WALK_KWARGS: dict = {
    "yearly_customer": lambda w: {"customer_pk": w.customer.pk, "year": 2024},
    "yearly_evaluation": lambda w: {"pk": w.yearly_evaluation.pk},
}
FUZZ: dict = {
    "service:yearly_list": {},
    "service:yearly_overdue": {},
    "service:yearly_evaluate": {
        "kwargs": lambda w: {"customer_pk": w["customer"], "year": 2024},
        "post": EVAL_FIELDS,
        "sweep_as": "salesperson",
    },
    "service:yearly_detail": {"kwargs": lambda w: {"pk": w["yearly_evaluation"]}},
    "service:yearly_manager": {
        "kwargs": lambda w: {"pk": w["yearly_evaluation"]},
        "post": ("manager-note",),
        "sweep_as": "manager",
    },
    "service:yearly_director": {
        "kwargs": lambda w: {"pk": w["yearly_evaluation"]},
        "post": ("director-note",),
        "sweep_as": "gm",
    },
}


def _evaluated(actor, customer):
    """A 2025 deal and its submitted evaluation."""
    from customers.services import deal_record
    from service.services.yearly import yearly_evaluation_submit

    when = datetime(2025, 5, 6, 10, 0, tzinfo=SH)
    deal_record(
        actor=actor,
        customer=customer,
        now=when,
        data={
            "occurred_at": when,
            "product": "走查地板",
            "quantity": Decimal("2"),
            "amount": Decimal("800"),
            "paid": Decimal("800"),
        },
    )
    return yearly_evaluation_submit(
        actor=actor,
        customer=customer,
        year=2025,
        data={
            "transaction_grade": "good",
            "credit_grade": "B",
            "contact_grade": "fair",
            "transaction_note": "",
            "credit_note": "",
            "contact_note": "",
        },
        now=datetime(2025, 12, 20, 10, 0, tzinfo=SH),
    )


def build_walk(w) -> None:
    w.yearly_evaluation = _evaluated(w.org.sales_a, w.customer)


def build_fuzz(org, world: dict) -> None:
    from customers.models import Customer

    customer = Customer.objects.get(pk=world["customer"])
    world["yearly_evaluation"] = _evaluated(org.sales_a, customer).pk
