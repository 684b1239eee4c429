"""URL × role walk and junk-input fuzz rows for service's complaints pages (same shape as
tests/sales/walk_opportunities.py; read its docstring)."""

WALK: dict = {}
WALK_KWARGS: dict = {}
FUZZ: dict = {}


def build_walk(w) -> None:
    return None


def build_fuzz(org, world: dict) -> None:
    return None
