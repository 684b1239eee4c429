"""The navigation each role sees (SPEC §1): one list, each entry saying who may use it."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from .models import Staff
from .notifications import unread_count
from .selectors import user_role

R = Staff.Role
ORG_ROLES = {R.MANAGER, R.GENERAL_MANAGER, R.ACCOUNTANT}


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    allowed: Callable[[object, str | None], bool]


NAV_ITEMS = [
    NavItem("dashboard", _("Dashboard"), "crm:dashboard", lambda user, role: True),
    NavItem(
        "departments",
        _("Departments"),
        "crm:department_list",
        lambda user, role: user.is_superuser or role in ORG_ROLES,
    ),
    NavItem(
        "customers",
        _("Customers"),
        "customers:list",
        lambda user, role: user.is_superuser or role is not None,
    ),
    NavItem(
        "register",
        _("Register a customer"),
        "customers:register",
        lambda user, role: role in {R.SALESPERSON, R.MANAGER, R.GENERAL_MANAGER},
    ),
    NavItem(
        "worklist",
        _("Incomplete records"),
        "customers:worklist",
        lambda user, role: role in {R.ACCOUNTANT, R.MANAGER},
    ),
    NavItem(
        "duplicates",
        _("Duplicates and fakes"),
        "customers:duplicates_report",
        lambda user, role: user.is_superuser or role in ORG_ROLES,
    ),
    NavItem(
        "pool",
        _("Public pool"),
        "allocation:pool",
        lambda user, role: role in {R.MANAGER, R.GENERAL_MANAGER},
    ),
    NavItem(
        "inbox",
        _("Approvals"),
        "allocation:inbox",
        lambda user, role: role in {R.MANAGER, R.GENERAL_MANAGER},
    ),
    NavItem(
        "notices",
        _("Public notices"),
        "allocation:notices",
        lambda user, role: role in {R.SALESPERSON, R.MANAGER, R.GENERAL_MANAGER},
    ),
    NavItem(
        "swaps",
        _("Swaps"),
        "allocation:swap_list",
        lambda user, role: role == R.SALESPERSON,
    ),
    NavItem(
        "inquiry",
        _("Inquiry call"),
        "customers:inquiry_new",
        lambda user, role: role is not None,
    ),
    NavItem(
        "ledger",
        _("Ledger"),
        "penalties:ledger",
        lambda user, role: role is not None,
    ),
    NavItem(
        "overview",
        _("Overview"),
        "penalties:company",
        lambda user, role: role in {R.MANAGER, R.GENERAL_MANAGER},
    ),
    NavItem("calendar", _("Working days"), "crm:calendar", lambda user, role: True),
    NavItem("admin", _("Administration"), "admin:index", lambda user, role: user.is_staff),
]


def nav_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    role = user_role(user)
    return [
        {"key": item.key, "label": item.label, "url": reverse(item.url_name)}
        for item in NAV_ITEMS
        if item.allowed(user, role)
    ]


def navigation(request) -> dict:
    """Context processor: `nav` for the header, `role`/`role_label` for the user menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    staff = getattr(user, "staff", None)
    active = getattr(request.resolver_match, "url_name", None) if request.resolver_match else None
    items = nav_for(user)
    for item in items:
        item["active"] = (
            item["url"] == request.path
            or (item["key"] == "departments" and (active or "").startswith("department"))
            or (
                item["key"] == "customers"
                and request.path.startswith(item["url"])
                and active not in ("register", "worklist", "duplicates_report")
            )
        )
    return {
        "nav": items,
        # Lazy: one COUNT only on pages whose template shows the badge.
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)),
        "role": staff.role if staff else None,
        "role_label": staff.get_role_display() if staff else "",
    }
