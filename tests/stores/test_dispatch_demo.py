"""The demo dispatches (派单): six dispatches in 朝阳家居体验店 over the last 30 days, without
the people and visitors seeders having run (no profiles, no store customers); idempotent."""

from datetime import date, datetime, time

import pytest
from dateutil.relativedelta import relativedelta

from crm.calendar import SHANGHAI
from crm.models import Staff
from stores.demo_dispatch import seed_dispatch
from stores.models import Dispatch, ManagerAway
from stores.selectors.dispatch import REFUSED, dispatch_ranking
from tests.factories import make_person
from tests.stores.conftest import build_store

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 16)


@pytest.mark.parametrize("light", [False, True])
def test_seed_dispatch(org, light):
    s = build_store(org, name="朝阳家居体验店", prefix="store")
    users = {
        "gm": org.gm,
        "store.manager": s.manager,
        "store.cm1": s.cm1,
        "store.cm2": s.cm2,
        **{
            f"store.d{n}": make_person(
                f"store_d{n}", Staff.Role.SALESPERSON, s.store, position=Staff.Position.DESIGNER
            )
            for n in range(1, 6)
        },
    }
    lines = seed_dispatch(today=TODAY, users=users, light=light)
    assert lines == ["dispatches: 6"]
    rows = list(Dispatch.objects.filter(store=s.store))
    by_status = {status: [d for d in rows if d.status == status] for status in Dispatch.Status}
    assert len(by_status[Dispatch.Status.PROPOSED]) == 1
    assert len(by_status[Dispatch.Status.REFUSED]) == 1
    assert by_status[Dispatch.Status.REFUSED][0].designer == users["store.d5"]
    gm_made = [d for d in rows if d.confirmed_as == Dispatch.ConfirmedAs.GM_AUTHORISED]
    assert len(gm_made) == 1 and gm_made[0].manager_signed_at is None
    assert ManagerAway.objects.filter(store=s.store).count() == 1
    assert any(d.signed_at for d in rows) and any(d.deposit_at for d in rows)
    start = datetime.combine(TODAY - relativedelta(days=30), time(0), SHANGHAI)
    assert all(d.proposed_at >= start for d in rows)
    # d5 is stopped now.
    now = datetime.combine(TODAY, time(12), SHANGHAI)
    row = next(
        r
        for r in dispatch_ranking(store=s.store, as_of=now, is_big_order=False)
        if r.designer == users["store.d5"]
    )
    assert row.place is None and [r.code for r in row.reasons] == [REFUSED]
    # Idempotent.
    assert seed_dispatch(today=TODAY, users=users, light=light) == []
    assert Dispatch.objects.filter(store=s.store).count() == 6


def test_seed_dispatch_without_the_store_does_nothing(org):
    assert seed_dispatch(today=TODAY, users={"gm": org.gm}) == []
