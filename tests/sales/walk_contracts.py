"""URL × role walk and junk-input fuzz rows for sales' contracts pages.

- WALK: url name → dict(codes=…, kwargs=<key of WALK_KWARGS or "">, query="", nav=False)
  (codes: one status per role of tests/crm/test_url_walk.ROLES; see tests/sales/codes.py)
- WALK_KWARGS: key → (world) -> URL kwargs; build_walk(w) adds this area's objects to the
  url-walk world (a SimpleNamespace with w.org, w.customer held by sales_a in department A).
- FUZZ: url name → dict(kwargs=(world dict) -> URL kwargs, post=(field names) or None,
  sweep_as="gm"|"salesperson"|…); build_fuzz(org, world) adds ids to the fuzz world dict
  (world["customer"] is held by org.sales_a; see tests/test_fuzz._world).
"""

from tests.sales.codes import *  # noqa: F403

WALK: dict = {}
WALK_KWARGS: dict = {}
FUZZ: dict = {}


def build_walk(w) -> None:
    return None


def build_fuzz(org, world: dict) -> None:
    return None
