"""The people demo (stores/demo_people.py): profiles, two weeks of attendance with store.d4
excluded for repeated absence, store.d3 out today, last month's 主材 figures; idempotent."""

from datetime import date

import pytest
from constance.test import override_config

from stores.demo_people import seed_people
from stores.models import DesignerLevel, DesignerMonth, DesignerProfile, Outing
from stores.selectors.people import absence_counts, attendance_on, month_figures, open_outings
from tests.factories import make_person
from tests.stores.conftest import build_store

TODAY = date(2026, 6, 10)


@pytest.mark.parametrize("light", [False, True])
def test_seed_people(org, light):
    s = build_store(org, prefix="demo")
    users = {"store.manager": s.manager, "store.cm1": s.cm1, "store.cm2": s.cm2}
    for n in range(1, 6):
        users[f"store.d{n}"] = make_person(
            f"store.d{n}", "salesperson", s.store, position="designer"
        )
    assert seed_people(today=TODAY, users=users, light=light)
    assert seed_people(today=TODAY, users=users, light=light) == []  # idempotent
    assert DesignerLevel.objects.count() == 4
    chief = DesignerProfile.objects.get(user=users["store.d1"])
    assert chief.level.name == "首席设计师" and chief.level.charges_design_fee and chief.school
    assert DesignerProfile.objects.get(user=users["store.d5"]).level.rank == 1
    d3, d4 = users["store.d3"], users["store.d4"]
    with override_config(DISPATCH_ABSENCE_LIMIT=3):
        from constance import config

        counts = absence_counts(s.store, today=TODAY)
        assert counts.get(d4.pk, 0) >= config.DISPATCH_ABSENCE_LIMIT
        assert all(n < 3 for pk, n in counts.items() if pk != d4.pk)
    assert len(attendance_on(s.store, TODAY)) == 5
    assert list(open_outings(s.store)) == [d3.pk] and Outing.objects.count() == 1
    figures = month_figures(s.store, date(2026, 5, 1))
    meets = {pk for pk, m in figures.items() if m.main_material_sales >= 50000}
    assert meets == {users["store.d1"].pk, users["store.d2"].pk, d4.pk}
    assert DesignerMonth.objects.count() == 5


def test_seed_people_without_the_store_people_does_nothing(org):
    assert seed_people(today=TODAY, users={}, light=False) == []
