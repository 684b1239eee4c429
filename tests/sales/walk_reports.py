"""URL × role walk and junk-input fuzz rows for sales' reports pages.

- WALK: url name → dict(codes=…, kwargs=<key of WALK_KWARGS or "">, query="", nav=False)
  (codes: one status per role of tests/crm/test_url_walk.ROLES; see tests/sales/codes.py)
- WALK_KWARGS: key → (world) -> URL kwargs; build_walk(w) adds this area's objects to the
  url-walk world (a SimpleNamespace with w.org, w.customer held by sales_a in department A).
- FUZZ: url name → dict(kwargs=(world dict) -> URL kwargs, post=(field names) or None,
  sweep_as="gm"|"salesperson"|…); build_fuzz(org, world) adds ids to the fuzz world dict
  (world["customer"] is held by org.sales_a; see tests/test_fuzz._world).
"""

from tests.sales.codes import *  # noqa: F403

# Every role reads the reports, each in its own scope (sales.selectors.reports); the exports
# of a salesperson's scope stay under the cap, so they answer 200 too.
WALK: dict = {
    "sales:funnel": {"codes": EVERYONE, "nav": True},  # noqa: F405
    "sales:funnel_export": {"codes": EVERYONE},  # noqa: F405
    "sales:sales_by_month": {"codes": EVERYONE},  # noqa: F405
    "sales:sales_by_month_export": {"codes": EVERYONE, "query": "year=2026"},  # noqa: F405
    "sales:ranking": {"codes": EVERYONE},  # noqa: F405
    "sales:ranking_export": {"codes": EVERYONE, "query": "period=year&month=2026-04"},  # noqa: F405
}
WALK_KWARGS: dict = {}
FUZZ: dict = {
    "sales:funnel": {},
    "sales:funnel_export": {},
    "sales:sales_by_month": {},
    "sales:sales_by_month_export": {},
    "sales:ranking": {},
    "sales:ranking_export": {},
}


def build_walk(w) -> None:
    return None


def build_fuzz(org, world: dict) -> None:
    return None
