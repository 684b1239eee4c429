"""Roles map to Django groups; department rights are guardian object permissions (SPEC §1)."""

from crm.models import Department, DepartmentUserObjectPermission, Staff
from crm.services import department_save, staff_sync_access


def perms_on(user, department):
    return set(
        DepartmentUserObjectPermission.objects.filter(
            user=user, content_object=department
        ).values_list("permission__codename", flat=True)
    )


def test_each_role_is_exactly_one_group(org):
    assert list(org.gm.groups.values_list("name", flat=True)) == ["general_manager"]
    assert list(org.manager_a.groups.values_list("name", flat=True)) == ["manager"]
    assert list(org.sales_a.groups.values_list("name", flat=True)) == ["salesperson"]
    assert list(org.accountant_a.groups.values_list("name", flat=True)) == ["accountant"]


def test_general_manager_holds_global_department_permissions(org):
    gm = type(org.gm).objects.get(pk=org.gm.pk)  # fresh object: no permission cache
    assert gm.has_perm("crm.view_department_customers")
    assert gm.has_perm("crm.manage_department")
    assert gm.is_staff, "the GM keeps the organisation in the admin"
    assert not DepartmentUserObjectPermission.objects.filter(user=org.gm).exists()


def test_manager_gets_view_and_manage_on_own_department_only(org):
    assert perms_on(org.manager_a, org.a) == {"view_department_customers", "manage_department"}
    assert perms_on(org.manager_a, org.b) == set()
    manager = type(org.manager_a).objects.get(pk=org.manager_a.pk)
    assert not manager.has_perm("crm.manage_department"), "no global right"
    assert manager.has_perm("crm.manage_department", org.a)
    assert not manager.has_perm("crm.manage_department", org.b)
    assert not manager.is_staff


def test_accountant_gets_view_on_assigned_departments_and_never_manage(org):
    assert perms_on(org.accountant_a, org.a) == {"view_department_customers"}
    assert perms_on(org.accountant_a, org.b) == set()


def test_salesperson_has_no_department_permission(org):
    assert not DepartmentUserObjectPermission.objects.filter(user=org.sales_a).exists()
    user = type(org.sales_a).objects.get(pk=org.sales_a.pk)
    assert not user.has_perm("crm.view_department_customers")
    assert not user.has_perm("crm.view_department_customers", org.a)


def test_role_change_replaces_group_and_revokes_old_department_rights(org):
    staff = org.accountant_a.staff
    staff.role = Staff.Role.SALESPERSON
    staff.save()
    staff_sync_access(user=org.accountant_a)
    assert list(org.accountant_a.groups.values_list("name", flat=True)) == ["salesperson"]
    assert perms_on(org.accountant_a, org.a) == set()


def test_changing_department_manager_moves_the_manager_rights(org):
    org.a.manager = org.manager_b
    department_save(department=org.a)
    assert perms_on(org.manager_a, org.a) == set()
    assert perms_on(org.manager_b, org.a) == {"view_department_customers", "manage_department"}
    assert perms_on(org.manager_b, org.b) == {"view_department_customers", "manage_department"}


def test_department_save_keeps_paths_of_a_moved_subtree(org):
    org.a.parent = org.b
    department_save(department=org.a)
    a1 = Department.objects.get(pk=org.a1.pk)
    assert a1.path == f"/{org.b.pk}/{org.a.pk}/{org.a1.pk}/"
    assert a1.depth == 2
