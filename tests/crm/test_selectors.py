"""Which departments may a user see / manage: GM all, manager own subtree, accountant the
assigned departments (and their subtree), salesperson none — in one query (SPEC §1)."""

import pytest
from django.core.exceptions import ValidationError

from crm.selectors import departments_managed_by, departments_visible_to, staff_visible_to
from crm.services import department_save, staff_deactivate_departed
from tests.factories import DepartmentFactory


def names(qs):
    return sorted(d.name for d in qs)


def test_general_manager_sees_and_manages_every_department(org):
    everything = ["上海分部", "华东销售部", "华南销售部"]
    assert names(departments_visible_to(org.gm)) == everything
    assert names(departments_managed_by(org.gm)) == everything


def test_manager_sees_and_manages_own_subtree_not_sibling(org):
    assert names(departments_visible_to(org.manager_a)) == ["上海分部", "华东销售部"]
    assert names(departments_managed_by(org.manager_a)) == ["上海分部", "华东销售部"]
    assert names(departments_managed_by(org.manager_a1)) == ["上海分部"]
    assert names(departments_managed_by(org.manager_b)) == ["华南销售部"]


def test_subtree_grows_with_new_sub_departments(org):
    DepartmentFactory(name="浦东组", parent=org.a1)
    assert "浦东组" in names(departments_managed_by(org.manager_a))
    assert "浦东组" in names(departments_managed_by(org.manager_a1))
    assert "浦东组" not in names(departments_managed_by(org.manager_b))


def test_accountant_sees_assigned_departments_but_manages_none(org):
    assert names(departments_visible_to(org.accountant_a)) == ["上海分部", "华东销售部"]
    assert names(departments_visible_to(org.accountant_b)) == ["华南销售部"]
    assert names(departments_managed_by(org.accountant_a)) == []


def test_salesperson_sees_and_manages_no_department(org):
    assert names(departments_visible_to(org.sales_a)) == []
    assert names(departments_managed_by(org.sales_a)) == []


def test_sibling_path_prefix_does_not_leak(org):
    """/1/ must not match /10/: paths end with a slash, so prefixes are whole ids."""
    for _ in range(12):
        DepartmentFactory()
    tenth = DepartmentFactory(name="十号部门")
    assert "十号部门" not in names(departments_visible_to(org.manager_a))
    assert tenth.path.endswith(f"/{tenth.pk}/")


def test_inactive_user_sees_nothing(org, django_assert_num_queries):
    org.manager_a.is_active = False
    with django_assert_num_queries(0):
        assert list(departments_visible_to(org.manager_a)) == []


@pytest.mark.parametrize("who", ["gm", "manager_a", "accountant_a", "sales_a"])
def test_visible_departments_is_one_query(org, who, django_assert_num_queries):
    user = getattr(org, who)
    for _ in range(5):
        DepartmentFactory(parent=org.a1)
    with django_assert_num_queries(1):
        list(departments_visible_to(user))


def test_staff_visible_to_follows_department_scope(org):
    usernames = {s.user.username for s in staff_visible_to(org.manager_a1)}
    assert usernames == {"manager_a1", "sales_a1"}
    assert {s.user.username for s in staff_visible_to(org.sales_b)} == {"sales_b"}


def test_department_cannot_move_under_its_own_subtree(org):
    org.a.parent = org.a1
    with pytest.raises(ValidationError):
        department_save(department=org.a)


def test_deactivate_sweep_with_nothing_due_changes_nothing(org):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    assert staff_deactivate_departed(now=datetime(2026, 3, 1, tzinfo=ZoneInfo("UTC"))) == 0
