"""Reads of swaps (交换, SPEC §5): scope, approval steps and approvers, inbox rows."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from crm.models import Department, Staff, User
from crm.rights import general_managers
from crm.selectors import departments_managed_by, manages_company

from ..inbox import InboxItem
from ..models import SwapApproval, SwapRequest
from ..rights import may_approve_swaps, swap_partners

Level = SwapApproval.Level
Status = SwapRequest.Status


def _path_ids(department: Department) -> list[int]:
    return [int(part) for part in department.path.strip("/").split("/") if part]


def lowest_common_parent(first: Department, second: Department) -> Department | None:
    """The deepest department that is a parent (ancestor, not the department itself) of both.

    上海分部 and 华东销售部 (its parent) share no common *parent*: the GM approves that swap
    as the next manager up, not the manager who already approves one side.
    """
    common = None
    for x, y in zip(_path_ids(first)[:-1], _path_ids(second)[:-1], strict=False):
        if x != y:
            break
        common = x
    return Department.objects.get(pk=common) if common else None


def swaps_visible_to(user):
    """The parties see their swaps; managers see the swaps touching a department they manage
    (the GM: all). Everything else answers 404."""
    if not user.is_authenticated or not user.is_active:
        return SwapRequest.objects.none()
    managed = departments_managed_by(user)
    return SwapRequest.objects.filter(
        Q(proposer=user.pk)
        | Q(counterpart=user.pk)
        | Q(proposer_department__in=managed)
        | Q(counterpart_department__in=managed)
    )


def managed_department_ids(user) -> set[int]:
    return set(departments_managed_by(user).values_list("pk", flat=True))


def eligible_levels(user, swap: SwapRequest, managed_ids: set[int]) -> set[str]:
    """The steps `user` may approve on `swap`, whatever is already recorded."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if not may_approve_swaps(user):
        return set()
    if user.pk in (swap.proposer_id, swap.counterpart_id):
        return set()
    if manages_company(user):
        return set(swap.required_levels)
    levels = set()
    if {swap.proposer_department_id, swap.counterpart_department_id} & managed_ids:
        levels.add(Level.DEPARTMENT)
    if swap.is_cross_department and swap.upper_department_id in managed_ids:
        levels.add(Level.UPPER)
    return levels


def pending_levels(swap: SwapRequest) -> list[str]:
    done = {a.level for a in swap.approvals.all()}
    return [level for level in swap.required_levels if level not in done]


def _nearest_manager_id(department: Department | None) -> int | None:
    """The manager of `department`, else of the closest department above it that has one."""
    if department is None:
        return None
    ids = _path_ids(department)
    managers = dict(
        Department.objects.filter(
            pk__in=ids, manager__isnull=False, manager__is_active=True
        ).values_list("pk", "manager_id")
    )
    for pk in reversed(ids):
        if pk in managers:
            return managers[pk]
    return None


def _general_manager_ids() -> set[int]:
    return set(
        general_managers().filter(staff__status=Staff.Status.ACTIVE).values_list("pk", flat=True)
    )


def designated_approver_ids(swap: SwapRequest, level: str) -> set[int]:
    """Who is expected to approve `level` (notified, and shown it in their inbox): the
    departments' managers, or the GM where no manager is above."""
    if level == Level.DEPARTMENT:
        departments = [swap.proposer_department, swap.counterpart_department]
    else:
        departments = [swap.upper_department] if swap.upper_department_id else []
    ids = {pk for pk in map(_nearest_manager_id, departments) if pk}
    ids -= {swap.proposer_id, swap.counterpart_id}
    return ids or _general_manager_ids()


def swap_title(swap: SwapRequest) -> str:
    return _("Swap %(ref)s: %(proposer)s ⇄ %(counterpart)s") % {
        "ref": swap.reference,
        "proposer": swap.proposer.display_name,
        "counterpart": swap.counterpart.display_name,
    }


def swap_link(swap: SwapRequest) -> str:
    return reverse("allocation:swap_detail", args=[swap.pk])


def swaps_waiting_for_counterpart(user) -> list[InboxItem]:
    """Swaps other salespeople proposed to `user` that await their answer, oldest first."""
    if not user.is_authenticated:
        return []
    swaps = (
        SwapRequest.objects.filter(counterpart=user.pk, status=Status.AWAITING_COUNTERPART)
        .select_related("proposer", "counterpart")
        .order_by("created_at", "pk")
    )
    return [
        InboxItem(kind=_("Swap"), title=swap_title(s), created_at=s.created_at, url=swap_link(s))
        for s in swaps
    ]


def counterpart_choices(user):
    """Active salespeople of any department, except the user."""
    return (
        User.objects.filter(
            swap_partners("staff__"),
            is_active=True,
            staff__status=Staff.Status.ACTIVE,
        )
        .exclude(pk=user.pk)
        .select_related("staff__department")
        .order_by("staff__department__path", "username")
    )
