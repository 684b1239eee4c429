"""Every write to the organisation core. Services take the clock as an argument."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Department, DepartmentUserObjectPermission, Staff, User
from .rights import may_keep_a_department
from .roles import ROLE_DEPARTMENT_PERMISSIONS, role_group
from .selectors import departed_users


def department_parent_error(department: Department | None, parent: Department | None):
    """Why `parent` cannot hold `department` (a cycle), or None when it can."""
    if department and department.pk and parent and parent.path.startswith(department.path):
        return _("A department cannot be placed under itself or its sub-department.")
    return None


def department_manager_error(manager: User | None):
    """Why `manager` cannot manage a department, or None when they can."""
    if manager is None:
        return None
    staff = Staff.objects.filter(user=manager).first()
    if staff is None or not may_keep_a_department(staff):
        return _("Only a department manager or the general manager can manage a department.")
    return None


@transaction.atomic
def department_save(*, department: Department) -> Department:
    """Save a department, keep its subtree's materialised paths right, and re-grant the manager
    rights of the old and new manager. Refuses a parent inside the department's own subtree."""
    old = Department.objects.filter(pk=department.pk).first() if department.pk else None
    parent = Department.objects.get(pk=department.parent_id) if department.parent_id else None
    error = department_parent_error(old, parent)
    if error:
        raise ValidationError({"parent": error})
    error = department_manager_error(department.manager)
    if error:
        raise ValidationError({"manager": error})
    prefix = parent.path if parent else "/"
    if department.pk is None:
        department.path = prefix  # completed below once the id exists
        department.save()
    department.path = f"{prefix}{department.pk}/"
    department.save()
    if old and old.path != department.path:
        for child in Department.objects.filter(path__startswith=old.path).exclude(pk=department.pk):
            child.path = department.path + child.path[len(old.path) :]
            child.save(update_fields=["path"])
    affected = {department.manager_id, old.manager_id if old else None} - {None}
    for user in User.objects.filter(pk__in=affected).select_related("staff"):
        staff_sync_access(user=user)
    return department


@transaction.atomic
def staff_sync_access(*, user: User, now: datetime | None = None) -> None:
    """Make groups, admin access and department object permissions match the person's role:
    a manager holds view+manage on the departments they manage, an accountant view on the
    departments assigned to them, the general manager gets everything through the role group.
    With `now`, an account whose departure has taken effect is switched off as well."""
    staff = Staff.objects.filter(user=user).first()
    role = staff.role if staff else None
    user.groups.set([role_group(role)] if role else [])

    wanted: set[tuple[str, int]] = set()
    codenames = ROLE_DEPARTMENT_PERMISSIONS.get(role, [])
    if role == Staff.Role.MANAGER:
        departments = Department.objects.filter(manager=user)
    elif role == Staff.Role.ACCOUNTANT:
        departments = staff.assigned_departments.all()
    else:
        departments = Department.objects.none()
    for department_id in departments.values_list("pk", flat=True):
        wanted.update((codename, department_id) for codename in codenames)

    existing = DepartmentUserObjectPermission.objects.filter(user=user).select_related("permission")
    have = {(p.permission.codename, p.content_object_id): p for p in existing}
    stale = [p.pk for key, p in have.items() if key not in wanted]
    DepartmentUserObjectPermission.objects.filter(pk__in=stale).delete()
    missing = wanted - have.keys()
    if missing:
        from django.contrib.auth.models import Permission

        perms = {
            p.codename: p
            for p in Permission.objects.filter(
                content_type__app_label="crm", codename__in={c for c, _ in missing}
            )
        }
        DepartmentUserObjectPermission.objects.bulk_create(
            DepartmentUserObjectPermission(
                user=user, permission=perms[codename], content_object_id=department_id
            )
            for codename, department_id in missing
        )

    is_staff = user.is_superuser or role == Staff.Role.GENERAL_MANAGER
    switch_off = bool(staff and now and staff.has_left(now=now))
    if user.is_staff != is_staff or (switch_off and user.is_active):
        user.is_staff = is_staff
        if switch_off:
            user.is_active = False
        user.save(update_fields=["is_staff", "is_active"])


# Higher apps may veto switching an account off (allocation: not while a customer still names
# the person as holder). crm cannot import them, so they register here in their ready().
_DEACTIVATION_GUARDS: list = []


def register_deactivation_guard(guard) -> None:
    """`guard(user) -> bool`: False keeps the account on (login stays refused regardless)."""
    if guard not in _DEACTIVATION_GUARDS:
        _DEACTIVATION_GUARDS.append(guard)


@transaction.atomic
def staff_deactivate_departed(*, now: datetime) -> int:
    """Switch off every account whose departure took effect by `now` (002 §3.3). The login
    check already refuses them from that moment; this makes the account state say so too.
    Each switch-off is saved through the model so the account history records it. A person
    who still holds customers stays on until the handover is done (SPEC §5)."""
    count = 0
    for user in departed_users(now=now).select_for_update():
        if not all(guard(user) for guard in _DEACTIVATION_GUARDS):
            continue
        user.is_active = False
        user.save(update_fields=["is_active"])
        count += 1
    return count
