"""URL × role walk and junk-input fuzz rows for the store's people pages (designers, profiles,
attendance, outings, monthly 主材 sales; shape: tests/sales/walk_contracts.py's docstring). The
walk's eight roles work in ordinary departments: of them only the GM has store pages;
tests/stores/test_walk_people.py walks the store's own people."""

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.sales.codes import *  # noqa: F403

SH = ZoneInfo("Asia/Shanghai")
ROWS = 12  # form rows listed for the fuzz: more than any walk store has designers


def _formset(prefix: str, fields: tuple[str, ...], rows: int = ROWS) -> tuple[str, ...]:
    management = tuple(
        f"{prefix}-{k}" for k in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
    )
    return management + tuple(f"{prefix}-{n}-{f}" for n in range(rows) for f in fields)


PROFILE_FIELDS = (
    "level",
    "school",
    "work_history",
    "styles",
    "awards",
    "published_works",
    "suited_customers",
)

WALK: dict = {
    "stores:designer_list": {"codes": GM_ONLY},  # noqa: F405
    "stores:designer_detail": {"codes": GM_ONLY, "kwargs": "wp_designer"},  # noqa: F405
    "stores:designer_edit": {"codes": GM_ONLY, "kwargs": "wp_designer"},  # noqa: F405
    "stores:attendance": {"codes": GM_ONLY},  # noqa: F405
    "stores:outing_list": {"codes": GM_ONLY},  # noqa: F405
    "stores:outing_back": {"codes": POST_ONLY, "kwargs": "wp_outing"},  # noqa: F405
    "stores:designer_months": {"codes": GM_ONLY},  # noqa: F405
}
WALK_KWARGS: dict = {
    "wp_designer": lambda w: {"pk": w.wp_designer.pk},
    "wp_outing": lambda w: {"pk": w.wp_outing.pk},
}
FUZZ: dict = {
    "stores:designer_list": {},
    "stores:designer_detail": {"kwargs": lambda w: {"pk": w["wp_designer"]}},
    "stores:designer_edit": {
        "kwargs": lambda w: {"pk": w["wp_designer"]},
        "post": PROFILE_FIELDS,
    },
    # The store picker and the day/month pickers are GET forms on the same pages.
    "stores:attendance": {
        "post": ("store", "day", *_formset("rows", ("designer", "status", "note")))
    },
    "stores:outing_list": {"post": ("store", "designer", "purpose", "out_at", "back_at")},
    "stores:outing_back": {"kwargs": lambda w: {"pk": w["wp_outing"]}, "post": ("back_at",)},
    "stores:designer_months": {
        "post": ("store", "month", *_formset("rows", ("designer", "main_material_sales")))
    },
}


def _people(org, out_at: datetime):
    """A store with a manager, customer managers and two designers (one without a profile),
    and one of them out since `out_at`."""
    from stores.services.people import outing_register
    from tests.factories import make_person
    from tests.stores.conftest import build_store, ensure_levels, make_designer

    s = build_store(org, name="走查人员店", prefix="wp")
    levels = ensure_levels()
    designer = make_designer("wp_d1", s.store, levels["主任设计师"], styles=["modern"])
    make_person("wp_d2", "salesperson", s.store, position="designer")
    outing = outing_register(
        actor=s.cm1,
        store=s.store,
        designer=designer,
        purpose="量房",
        out_at=out_at,
        now=out_at,
    )
    return designer, outing


def build_walk(w) -> None:
    w.wp_designer, w.wp_outing = _people(w.org, datetime(2026, 4, 15, 9, 0, tzinfo=SH))


def build_fuzz(org, world: dict) -> None:
    designer, outing = _people(org, datetime(2026, 3, 10, 9, 0, tzinfo=SH))
    world["wp_designer"] = designer.pk
    world["wp_outing"] = outing.pk
