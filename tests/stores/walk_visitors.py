"""URL × role walk and junk-input fuzz rows for the visitor register pages (same shape as
tests/sales/walk_opportunities.py; read its docstring). The walk's eight roles work in ordinary
departments: only the GM has store pages. tests/stores/test_walk_visitors.py walks the store's
own people."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.sales.codes import *  # noqa: F403

SH = ZoneInfo("Asia/Shanghai")
VISIT_FIELDS = (
    "kind",
    "occurred_at",
    "source",
    "visitor_name",
    "gender",
    "phone",
    "community",
    "house_area",
    "is_off_plan",
    "budget",
    "preferred_style",
    "occupation",
    "focus_points",
    "intent_grade",
    "note",
)

WALK: dict = {
    "stores:visit_list": {"codes": GM_ONLY},  # noqa: F405
    "stores:visit_new": {"codes": GM_ONLY},  # noqa: F405
    "stores:visit_checks": {"codes": GM_ONLY},  # noqa: F405
    "stores:visit_check": {"codes": GM_ONLY, "kwargs": "wv_visit"},  # noqa: F405
    "stores:prereg_list": {"codes": GM_ONLY},  # noqa: F405
    "stores:prereg_new": {"codes": GM_ONLY},  # noqa: F405
    "stores:reconcile": {"codes": GM_ONLY},  # noqa: F405
    "stores:figures": {"codes": GM_ONLY},  # noqa: F405
}
WALK_KWARGS: dict = {
    "wv_visit": lambda w: {"pk": w.wv_visit.pk},
}
FUZZ: dict = {
    "stores:visit_list": {},
    "stores:visit_new": {"post": VISIT_FIELDS},
    "stores:visit_checks": {},
    "stores:visit_check": {
        "kwargs": lambda w: {"pk": w["wv_visit"]},
        "post": ("source", "consultant", "note"),
    },
    "stores:prereg_list": {},
    "stores:prereg_new": {
        "post": ("consultant", "name", "gender", "phone", "community", "expected_on"),
    },
    "stores:reconcile": {"post": ("market_manager", "note", "people_of")},
    "stores:figures": {},
}


def _store_with_a_visit_to_check(org):
    """A store "wv" with its people and a visitor whose source waits for the manager."""
    from stores.services.visitors import visit_register
    from tests.stores.conftest import build_store

    s = build_store(org, name="wv店", prefix="wv")
    now = datetime.now(SH)
    visit = visit_register(
        actor=s.cm1,
        store=s.store,
        data={
            "kind": "store",
            "occurred_at": now - timedelta(minutes=5),
            "visitor_name": "王先生",
            "community": "望京花园",
            "source": "designer",
            "occupation": "other",
            "focus_points": ["brand"],
            "intent_grade": "C",
        },
        now=now,
    )
    return s, visit


def build_walk(w) -> None:
    w.wv, w.wv_visit = _store_with_a_visit_to_check(w.org)


def build_fuzz(org, world: dict) -> None:
    _s, visit = _store_with_a_visit_to_check(org)
    world["wv_visit"] = visit.pk
