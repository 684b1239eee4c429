"""The role fixture (healthchecks' Alice/Bob/Charlie): a GM, two departments each with a
manager, two salespeople and an accountant; department A has a sub-department A1."""

from types import SimpleNamespace

import pytest

from crm.models import Staff
from tests.factories import DepartmentFactory, make_person

R = Staff.Role


@pytest.fixture(autouse=True)
def _fresh_content_types():
    """Content types are cached per process by id. A test that creates one inside its rolled-back
    transaction (a data migration run by hand, constance's config type) would leave the next
    test's admin log pointing at a row that no longer exists: every test starts with none."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    yield


@pytest.fixture
def org(db):
    return build_org()


def build_org() -> SimpleNamespace:
    """The `org` fixture's people and departments; also for module-scoped fixtures that build
    their data once (tests/crm/test_url_walk.py)."""
    a = DepartmentFactory(name="华东销售部", region="华东")
    a1 = DepartmentFactory(name="上海分部", parent=a, region="上海")
    b = DepartmentFactory(name="华南销售部", region="华南")
    return SimpleNamespace(
        a=a,
        a1=a1,
        b=b,
        gm=make_person("gm", R.GENERAL_MANAGER),
        manager_a=make_person("manager_a", R.MANAGER, a, manages=a),
        manager_a1=make_person("manager_a1", R.MANAGER, a1, manages=a1),
        manager_b=make_person("manager_b", R.MANAGER, b, manages=b),
        sales_a=make_person("sales_a", R.SALESPERSON, a),
        sales_a2=make_person("sales_a2", R.SALESPERSON, a),
        sales_a1=make_person("sales_a1", R.SALESPERSON, a1),
        sales_b=make_person("sales_b", R.SALESPERSON, b),
        sales_b2=make_person("sales_b2", R.SALESPERSON, b),
        accountant_a=make_person("accountant_a", R.ACCOUNTANT, a, assigned=[a]),
        accountant_b=make_person("accountant_b", R.ACCOUNTANT, b, assigned=[b]),
    )


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login
