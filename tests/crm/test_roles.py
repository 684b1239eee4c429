"""Roles map to Django groups; department rights are guardian object permissions (SPEC §1)."""

import pytest

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


# --- Issue 14 defect 10: the GM keeps 系统管理 → Config and 奖惩规则 (README); nobody else. ---

GM_ADMIN_PAGES = ["/admin/constance/config/", "/admin/penalties/penaltyrule/"]


def constance_form(client) -> dict:
    form = client.get("/admin/constance/config/").context["form"]
    return {name: form.initial.get(name, "") for name in form.fields}


def test_general_manager_edits_a_rule_number_in_config(org, client):
    from constance import config
    from django.contrib.contenttypes.models import ContentType

    # Constance logs the change under a content type made on the fly; another test's (rolled
    # back) may still sit in the in-process cache.
    ContentType.objects.clear_cache()

    client.force_login(type(org.gm).objects.get(pk=org.gm.pk))
    response = client.get("/admin/constance/config/")
    assert response.status_code == 200
    assert 'name="HOLDING_CAP"' in response.content.decode()
    data = constance_form(client)
    data["HOLDING_CAP"] = "250"
    response = client.post("/admin/constance/config/", data)
    assert response.status_code == 302, response.context["form"].errors
    assert config.HOLDING_CAP == 250


def test_general_manager_opens_and_edits_the_rule_catalogue(org, client):
    from penalties.models import PenaltyRule

    rule = PenaltyRule.objects.get(code="LATE_ENTRY")
    client.force_login(org.gm)
    listing = client.get("/admin/penalties/penaltyrule/")
    assert listing.status_code == 200 and rule.label in listing.content.decode()
    change = f"/admin/penalties/penaltyrule/{rule.pk}/change/"
    assert client.get(change).status_code == 200
    form = client.get(change).context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items() if not isinstance(v, bool)}
    data.update(default_amount="60", min_amount="0", max_amount="")
    if rule.is_active:
        data["is_active"] = "on"
    response = client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule.refresh_from_db()
    assert rule.default_amount == 60


@pytest.mark.parametrize("role", ["manager_a", "accountant_a", "sales_a"])
def test_nobody_else_reaches_config_or_the_rule_catalogue(org, client, role):
    client.force_login(getattr(org, role))
    for url in GM_ADMIN_PAGES:
        response = client.get(url)
        # Not staff: the admin sends them to its log-in page and shows nothing.
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    data = {"HOLDING_CAP": "1"}
    client.post("/admin/constance/config/", data)
    from constance import config

    assert config.HOLDING_CAP != 1


def test_migration_restores_the_gm_rights_of_an_existing_installation(org):
    """An installation whose GM group lost (or never got) the rights: penalties 0005 grants
    them and puts every GM back in the group with admin access."""
    import importlib
    from types import SimpleNamespace

    from django.contrib.auth.models import Group
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    migration = importlib.import_module("penalties.migrations.0005_gm_keeps_rules_and_settings")
    group = Group.objects.get(name=Staff.Role.GENERAL_MANAGER)
    group.permissions.remove(
        *group.permissions.filter(content_type__app_label__in=["constance", "penalties"])
    )
    gm = type(org.gm).objects.get(pk=org.gm.pk)
    gm.groups.clear()
    type(gm).objects.filter(pk=gm.pk).update(is_staff=False)
    assert not type(gm).objects.get(pk=gm.pk).has_perm("constance.change_config")

    state = MigrationLoader(connection).project_state(
        ("penalties", "0005_gm_keeps_rules_and_settings")
    )
    # The function reads only the editor's connection (no schema change inside a test's
    # transaction on SQLite).
    migration.grant(state.apps, SimpleNamespace(connection=connection))

    gm = type(org.gm).objects.get(pk=org.gm.pk)
    assert gm.is_staff
    for perm in [
        "constance.view_config",
        "constance.change_config",
        "penalties.view_penaltyrule",
        "penalties.add_penaltyrule",
        "penalties.change_penaltyrule",
    ]:
        assert gm.has_perm(perm), perm
    assert not gm.has_perm("penalties.delete_penaltyrule")
