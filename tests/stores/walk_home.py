"""URL × role walk and fuzz rows for the store's start page (same shape as
tests/sales/walk_opportunities.py). The walk's eight roles work in ordinary departments: of
them only the GM has store pages; tests/stores/test_walk.py walks the store's own people."""

from tests.sales.codes import *  # noqa: F403

WALK: dict = {
    "stores:home": {"codes": GM_ONLY, "nav": True},  # noqa: F405
}
WALK_KWARGS: dict = {}
FUZZ: dict = {
    "stores:home": {},
}


def build_walk(w) -> None:
    pass


def build_fuzz(org, world: dict) -> None:
    pass
