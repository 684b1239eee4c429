"""URL × role walk and junk-input fuzz rows for the customer managers' monthly review (shape:
tests/sales/walk_contracts.py's docstring). The walk's eight roles work in ordinary
departments: of them only the GM has store pages; tests/stores/test_walk_review.py walks the
store's own people."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from tests.sales.codes import *  # noqa: F403

SH = ZoneInfo("Asia/Shanghai")

WALK: dict = {
    "stores:review_list": {"codes": GM_ONLY},  # noqa: F405
    "stores:review_export": {"codes": GM_ONLY},  # noqa: F405
    "stores:review_detail": {"codes": GM_ONLY, "kwargs": "wr_review"},  # noqa: F405
    "stores:review_score": {"codes": POST_ONLY, "kwargs": "wr_review"},  # noqa: F405
    "stores:review_adjust": {"codes": POST_ONLY, "kwargs": "wr_review"},  # noqa: F405
    "stores:review_confirm": {"codes": POST_ONLY, "kwargs": "wr_review"},  # noqa: F405
}
WALK_KWARGS: dict = {
    "wr_review": lambda w: {"pk": w.wr_review.pk},
}
FUZZ: dict = {
    "stores:review_list": {},
    "stores:review_export": {},
    "stores:review_detail": {"kwargs": lambda w: {"pk": w["wr_review"]}},
    "stores:review_score": {"kwargs": lambda w: {"pk": w["wr_review"]}, "post": ("score",)},
    "stores:review_adjust": {
        "kwargs": lambda w: {"pk": w["wr_review"]},
        "post": ("points", "reason"),
    },
    "stores:review_confirm": {"kwargs": lambda w: {"pk": w["wr_review"]}, "post": ()},
}


def _review(org, month: date):
    """A store with a manager and two customer managers, and cm1's review of `month`
    (computed on the 1st of the next month)."""
    from dateutil.relativedelta import relativedelta

    from stores.models import MonthlyReview
    from stores.services.review import review_compute
    from tests.stores.conftest import build_store

    s = build_store(org, name="走查考核店", prefix="wr")
    now = datetime.combine(month + relativedelta(months=1), datetime.min.time(), SH)
    review_compute(month_start=month, now=now.replace(hour=6, minute=40), stores=[s.store])
    return MonthlyReview.objects.get(customer_manager=s.cm1, month=month)


def build_walk(w) -> None:
    w.wr_review = _review(w.org, date(2026, 3, 1))


def build_fuzz(org, world: dict) -> None:
    world["wr_review"] = _review(org, date(2026, 2, 1)).pk
