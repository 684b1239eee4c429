"""URL × role walk and junk-input fuzz rows for the yearly transaction table
(年客户交易记录表): its page and its Excel export (see tests/sales/walk_reports.py for the
shape of WALK, WALK_KWARGS and FUZZ). The walk's customer is held by sales_a in department A:
its sales records are seen by sales_a, A's manager and accountant and the GM."""

from tests.sales.codes import *  # noqa: F403

WALK: dict = {
    "sales:customer_yearly": {"codes": A_SEEN, "kwargs": "customer"},  # noqa: F405
    "sales:customer_yearly_export": {"codes": A_SEEN, "kwargs": "customer"},  # noqa: F405
}
WALK_KWARGS: dict = {}
FUZZ: dict = {
    "sales:customer_yearly": {"kwargs": lambda w: {"pk": w["customer"]}, "post": None},
    "sales:customer_yearly_export": {"kwargs": lambda w: {"pk": w["customer"]}, "post": None},
}


def build_walk(w) -> None:
    return None


def build_fuzz(org, world: dict) -> None:
    return None
