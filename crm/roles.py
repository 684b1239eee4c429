"""Roles (SPEC §1) map to Django groups; the general manager's group carries the global
department permissions, everybody else gets department rights as guardian object permissions."""

from django.contrib.auth.models import Group, Permission

from .models import Staff

VIEW_CUSTOMERS = "view_department_customers"
MANAGE = "manage_department"

# Global (model-level) permissions each role's group holds. The GM reads and manages every
# department (000 §4.1 调阅权限) and keeps the organisation in the admin.
ROLE_GROUP_PERMISSIONS: dict[str, list[str]] = {
    Staff.Role.SALESPERSON: [],
    Staff.Role.MANAGER: [],
    Staff.Role.ACCOUNTANT: [],
    Staff.Role.GENERAL_MANAGER: [
        f"crm.{VIEW_CUSTOMERS}",
        f"crm.{MANAGE}",
        "crm.view_department",
        "crm.add_department",
        "crm.change_department",
        "crm.view_staff",
        "crm.add_staff",
        "crm.change_staff",
        "crm.view_user",
        "crm.add_user",
        "crm.change_user",
        "crm.view_workdayoverride",
        "crm.add_workdayoverride",
        "crm.change_workdayoverride",
        "crm.delete_workdayoverride",
        "constance.view_config",
        "constance.change_config",
        # The higher apps add theirs in their AppConfig.ready (register_group_permissions).
    ],
}


def register_group_permissions(role: str, perms: list[str]) -> None:
    """A higher app gives a role's group global permissions on its own models
    ("app_label.codename"), so crm names no higher app. Applied by ensure_role_groups."""
    wanted = ROLE_GROUP_PERMISSIONS.setdefault(role, [])
    wanted.extend(p for p in perms if p not in wanted)


def register_gm_permissions(perms: list[str]) -> None:
    """The general manager's group (reads and keeps the whole company): the higher apps' admin
    permissions, without their naming a role (roles are named in crm and the rights modules)."""
    register_group_permissions(Staff.Role.GENERAL_MANAGER, perms)


# Object permissions a role receives on the departments it is tied to.
ROLE_DEPARTMENT_PERMISSIONS: dict[str, list[str]] = {
    Staff.Role.MANAGER: [VIEW_CUSTOMERS, MANAGE],
    Staff.Role.ACCOUNTANT: [VIEW_CUSTOMERS],
}


def role_group(role: str) -> Group:
    return Group.objects.get(name=role)


def ensure_role_groups() -> None:
    """Create one group per role and give it exactly its global permissions."""
    for role, perms in ROLE_GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)


def ensure_role_groups_on_migrate(sender, **kwargs) -> None:
    ensure_role_groups()
