"""The store fixture (SPEC §12): store S (a department of the kind 店面) with its manager, two
customer managers, five designers of four levels, a home-decoration consultant and a
draftsman; store T next door with its own manager, customer manager and designer (for 404s);
on top of the `org` fixture's GM and departments A and B."""

from types import SimpleNamespace

import pytest

from crm.models import Department, Staff
from stores.models import DesignerLevel, DesignerProfile
from tests.factories import DepartmentFactory, make_person

R = Staff.Role
P = Staff.Position


def build_store(org, name="朝阳店", prefix="s") -> SimpleNamespace:
    store = DepartmentFactory(name=name, region="北京", kind=Department.Kind.STORE)
    return SimpleNamespace(
        store=store,
        manager=make_person(f"{prefix}_manager", R.MANAGER, store, manages=store),
        cm1=make_person(f"{prefix}_cm1", R.SALESPERSON, store, position=P.CUSTOMER_MANAGER),
        cm2=make_person(f"{prefix}_cm2", R.SALESPERSON, store, position=P.CUSTOMER_MANAGER),
        consultant=make_person(
            f"{prefix}_consultant", R.SALESPERSON, store, position=P.HOME_CONSULTANT
        ),
        draftsman=make_person(f"{prefix}_draftsman", R.SALESPERSON, store, position=P.DRAFTSMAN),
    )


def ensure_levels() -> dict[str, DesignerLevel]:
    rows = [
        ("助理设计师", 1, False, False),
        ("设计师", 2, False, False),
        ("主任设计师", 3, True, False),
        ("首席设计师", 4, True, True),
    ]
    return {
        name: DesignerLevel.objects.get_or_create(
            name=name, defaults={"rank": rank, "is_senior": senior, "charges_design_fee": fee}
        )[0]
        for name, rank, senior, fee in rows
    }


def make_designer(username, store, level, **profile):
    user = make_person(username, R.SALESPERSON, store, position=P.DESIGNER)
    DesignerProfile.objects.create(user=user, level=level, **profile)
    return user


@pytest.fixture
def shop(org):
    """Store S with five designers (d1 首席 … d5 助理) and store T with one (t_d1)."""
    s = build_store(org)
    levels = ensure_levels()
    s.levels = levels
    s.d1 = make_designer("s_d1", s.store, levels["首席设计师"], styles=["modern", "chinese"])
    s.d2 = make_designer("s_d2", s.store, levels["主任设计师"], styles=["european"])
    s.d3 = make_designer("s_d3", s.store, levels["设计师"], styles=["nordic"])
    s.d4 = make_designer("s_d4", s.store, levels["设计师"], styles=["modern"])
    s.d5 = make_designer("s_d5", s.store, levels["助理设计师"], styles=[])
    s.designers = [s.d1, s.d2, s.d3, s.d4, s.d5]
    t = build_store(org, name="海淀店", prefix="t")
    t.d1 = make_designer("t_d1", t.store, levels["设计师"])
    s.other = t
    s.org = org
    return s
