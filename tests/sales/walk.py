"""Sales' and service's rows of the URL × role walk and the fuzz, gathered from one module per
area so the areas do not edit the same table (tests/crm/test_url_walk.py, tests/test_fuzz.py
read these)."""

from tests.sales import (
    walk_contracts,
    walk_credit,
    walk_opportunities,
    walk_receivables,
    walk_reports,
    walk_yearly,
)
from tests.service import (
    walk_competitors,
    walk_complaints,
    walk_revisits,
    walk_surveys,
)
from tests.service import walk_yearly as walk_service_yearly
from tests.stores import walk_dispatch, walk_people, walk_review, walk_visitors
from tests.stores import walk_home as walk_store_home

AREAS = (
    walk_opportunities,
    walk_contracts,
    walk_receivables,
    walk_credit,
    walk_reports,
    walk_yearly,
)
AREAS += (walk_complaints, walk_service_yearly, walk_surveys, walk_revisits, walk_competitors)
AREAS += (walk_store_home, walk_people, walk_visitors, walk_dispatch, walk_review)

WALK = {name: row for area in AREAS for name, row in area.WALK.items()}
WALK_KWARGS = {key: fn for area in AREAS for key, fn in area.WALK_KWARGS.items()}
FUZZ = {name: row for area in AREAS for name, row in area.FUZZ.items()}


def build_walk(w) -> None:
    for area in AREAS:
        area.build_walk(w)


def build_fuzz(org, world: dict) -> None:
    for area in AREAS:
        area.build_fuzz(org, world)
