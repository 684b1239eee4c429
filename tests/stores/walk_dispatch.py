"""URL × role walk and fuzz rows for the dispatch pages (派单; same shape as
tests/sales/walk_opportunities.py). The walk's eight roles work in ordinary departments: of
them only the GM has store pages; tests/stores/test_walk_dispatch.py walks the store's own
people. build_walk/build_fuzz make store "wd" with a designer, a customer and a dispatch."""

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.sales.codes import *  # noqa: F403

SH = ZoneInfo("Asia/Shanghai")

WALK: dict = {
    "stores:dispatch_list": {"codes": GM_ONLY},  # noqa: F405
    "stores:dispatch_new": {"codes": GM_ONLY},  # noqa: F405
    "stores:dispatch_detail": {"codes": GM_ONLY, "kwargs": "wd_dispatch"},  # noqa: F405
    "stores:dispatch_confirm": {"codes": POST_ONLY, "kwargs": "wd_dispatch"},  # noqa: F405
    "stores:dispatch_reject": {"codes": POST_ONLY, "kwargs": "wd_dispatch"},  # noqa: F405
    "stores:dispatch_countersign": {"codes": POST_ONLY, "kwargs": "wd_dispatch"},  # noqa: F405
    "stores:dispatch_refuse": {"codes": POST_ONLY, "kwargs": "wd_dispatch"},  # noqa: F405
    "stores:dispatch_progress": {"codes": POST_ONLY, "kwargs": "wd_dispatch"},  # noqa: F405
    "stores:manager_away": {"codes": GM_ONLY},  # noqa: F405
}
WALK_KWARGS: dict = {
    "wd_dispatch": lambda w: {"pk": w.wd_dispatch.pk},
}


def _pk(w):
    return {"pk": w["wd_dispatch"]}


FUZZ: dict = {
    "stores:dispatch_list": {},
    "stores:dispatch_new": {
        "post": (
            "store",
            "customer",
            "visit",
            "designer",
            "reason",
            "style",
            "occupation",
            "budget",
            "is_off_plan",
        ),
    },
    "stores:dispatch_detail": {"kwargs": _pk},
    "stores:dispatch_confirm": {"kwargs": _pk, "post": ("note",)},
    "stores:dispatch_reject": {"kwargs": _pk, "post": ("note",)},
    "stores:dispatch_countersign": {"kwargs": _pk, "post": ()},
    "stores:dispatch_refuse": {"kwargs": _pk, "post": ("reason",)},
    "stores:dispatch_progress": {"kwargs": _pk, "post": ("step", "at", "amount")},
    "stores:manager_away": {"post": ("store", "starts_at", "ends_at", "reason")},
}


def _build(org):
    """Store "wd" with a customer manager, a designer, a customer and a proposed dispatch."""
    from stores.services.dispatch import dispatch_propose
    from tests.factories import register
    from tests.stores.conftest import build_store, ensure_levels, make_designer

    s = build_store(org, name="派单走查店", prefix="wd")
    levels = ensure_levels()
    designer = make_designer("wd_d1", s.store, levels["设计师"], styles=["modern"])
    now = datetime.now(SH)
    customer = register(s.cm1, now=now)
    dispatch = dispatch_propose(
        actor=s.cm1,
        store=s.store,
        customer=customer,
        designer=designer,
        reason="",
        now=now,
    )
    return s, dispatch


def build_walk(w) -> None:
    _s, w.wd_dispatch = _build(w.org)


def build_fuzz(org, world: dict) -> None:
    _s, dispatch = _build(org)
    world["wd_dispatch"] = dispatch.pk
