"""Sales credit at the time of the deal (SPEC §3): whoever held the customer at `occurred_at`,
read from the ownership events — also when the customer changed hands between the deal and its
entry the next morning; a deal made while the customer sat in a pool is credited to nobody and
listed for the manager."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from allocation.inbox import inbox_for
from customers.models import Pool
from customers.selectors import records_awaiting_manager
from customers.services import deal_record, holder_at, ownership_transfer
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


def sale(actor, customer, occurred, entered, amount="800"):
    return deal_record(
        actor=actor,
        customer=customer,
        now=entered,
        data={
            "occurred_at": occurred,
            "product": "实木地板",
            "quantity": Decimal("10"),
            "amount": Decimal(amount),
        },
    )


def test_credit_stays_with_the_holder_at_the_deal_when_reclaimed_before_entry(org):
    c = register(org.sales_a, now=at(2026, 1, 5, 9))
    # sold on the evening of the 28th; the monthly reclaim runs at 00:30 on the 1st …
    ownership_transfer(
        customer=c, to_pool=Pool.DEPARTMENT, kind="reclaim", actor=None, now=at(2026, 3, 1, 0, 30)
    )
    # … and the manager enters the deal the next morning
    deal = sale(org.manager_a, c, at(2026, 2, 28, 19), at(2026, 3, 2, 9))
    assert deal.credited_to == org.sales_a


def test_credit_stays_with_the_holder_at_the_deal_when_swapped_before_entry(org):
    c = register(org.sales_a, now=at(2026, 1, 5, 9))
    ownership_transfer(
        customer=c, to_holder=org.sales_a2, kind="swap", actor=org.manager_a, now=at(2026, 3, 3, 8)
    )
    deal = sale(org.sales_a2, c, at(2026, 3, 2, 16), at(2026, 3, 3, 9))
    assert deal.credited_to == org.sales_a, "the new holder does not take the old holder's sale"
    later = sale(org.sales_a2, c, at(2026, 3, 3, 10), at(2026, 3, 3, 11))
    assert later.credited_to == org.sales_a2


def test_a_deal_made_while_in_a_pool_is_credited_to_nobody_and_listed(org):
    c = register(org.sales_a, now=at(2026, 1, 5, 9))
    ownership_transfer(
        customer=c, to_pool=Pool.DEPARTMENT, kind="reclaim", actor=None, now=at(2026, 3, 1, 0, 30)
    )
    ownership_transfer(
        customer=c,
        to_holder=org.sales_a2,
        kind="distributed",
        actor=org.manager_a,
        now=at(2026, 3, 5, 9),
    )
    deal = sale(org.sales_a2, c, at(2026, 3, 4, 15), at(2026, 3, 5, 10))
    assert deal.credited_to is None
    since = at(2026, 3, 1)
    assert records_awaiting_manager(org.manager_a, since=since)["uncredited"] == [deal]
    assert records_awaiting_manager(org.gm, since=since)["uncredited"] == [deal]
    assert records_awaiting_manager(org.manager_b, since=since)["uncredited"] == []
    assert records_awaiting_manager(org.manager_a, since=at(2026, 3, 5))["uncredited"] == []


def test_the_uncredited_deal_shows_in_the_managers_inbox(org):
    c = register(org.sales_a, now=at(2026, 1, 5, 9))
    ownership_transfer(
        customer=c, to_pool=Pool.DEPARTMENT, kind="reclaim", actor=None, now=at(2026, 3, 1, 0, 30)
    )
    sale(org.manager_a, c, at(2026, 3, 4, 15), at(2026, 3, 5, 10))
    # The inbox lists the last 90 days as of the clock it is given.
    titles = [item.title for item in inbox_for(org.manager_a, now=at(2026, 3, 6, 9))]
    elsewhere = [item.title for item in inbox_for(org.manager_b, now=at(2026, 3, 6, 9))]
    assert any(c.name in t for t in titles)
    assert not any(c.name in t for t in elsewhere)
    later = at(2026, 6, 5, 9)  # 93 days later: gone
    assert not any(c.name in i.title for i in inbox_for(org.manager_a, now=later))


def test_holder_at_reads_the_events_at_the_exact_moment(org):
    c = register(org.sales_a, now=at(2026, 1, 5, 9))
    move = at(2026, 2, 1, 12)
    ownership_transfer(
        customer=c, to_holder=org.sales_a2, kind="swap", actor=org.manager_a, now=move
    )
    assert holder_at(c.pk, move - timedelta(microseconds=1)) == org.sales_a.pk
    assert holder_at(c.pk, move) == org.sales_a2.pk
    assert holder_at(c.pk, at(2026, 1, 5, 8)) is None  # before it was registered
