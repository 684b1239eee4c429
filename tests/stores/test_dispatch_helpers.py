"""Shared helpers of the dispatch tests (派单, SPEC §12): customers of store S, dispatch rows
written with the ORM for the ranking's inputs, and the ranking's order as usernames."""

from datetime import datetime
from zoneinfo import ZoneInfo

from stores.models import Dispatch
from stores.selectors.dispatch import dispatch_ranking
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
# A Monday in March 2026: the previous calendar month is February 2026.
NOW = datetime(2026, 3, 16, 10, 0, tzinfo=SH)
REGISTERED = datetime(2026, 1, 5, 10, 0, tzinfo=SH)


def customer_of(shop, actor=None):
    """A customer registered in store S (held by cm1 unless another actor registers it)."""
    return register(actor or shop.cm1, now=REGISTERED)


def order(shop, designer, *, status=Dispatch.Status.CONFIRMED, **fields):
    """A dispatch of `designer` written directly (the ranking's input), for a new customer."""
    fields.setdefault("proposed_at", REGISTERED)
    return Dispatch.objects.create(
        store=shop.store,
        customer=customer_of(shop),
        designer=designer,
        status=status,
        proposed_by=shop.cm1,
        **fields,
    )


def ranking(shop, *, as_of=NOW, big=False, **kw):
    return dispatch_ranking(store=shop.store, as_of=as_of, is_big_order=big, **kw)


def order_of(shop, **kw) -> list[str]:
    """Usernames of the eligible designers in their places."""
    return [r.designer.username for r in ranking(shop, **kw) if r.place is not None]


def row_of(shop, designer, **kw):
    return next(r for r in ranking(shop, **kw) if r.designer.pk == designer.pk)
