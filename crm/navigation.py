"""The navigation each role sees (SPEC §1): one list, each entry naming the page's own right
(crm.rights), so a page is offered exactly when it would answer 200."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from .notifications import unread_count
from .rights import Rights, page_right_named


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    # The name of the page's own right (a `@page_right` in the app that serves the page): the
    # navigation offers the page exactly when the page itself answers 200. Names, not imports,
    # so crm never imports a higher app.
    right: str


NAV_ITEMS = [
    NavItem("dashboard", _("Dashboard"), "crm:dashboard", "may_use_app"),
    NavItem("departments", _("Departments"), "crm:department_list", "may_view_departments"),
    NavItem("customers", _("Customers"), "customers:list", "may_list_customers"),
    NavItem("register", _("Register a customer"), "customers:register", "may_register"),
    NavItem(
        "worklist", _("Incomplete records"), "customers:worklist", "may_work_incomplete_records"
    ),
    NavItem(
        "duplicates",
        _("Duplicates and fakes"),
        "customers:duplicates_report",
        "may_see_quality_report",
    ),
    NavItem("pool", _("Public pool"), "allocation:pool", "may_distribute"),
    NavItem("inbox", _("Approvals"), "allocation:inbox", "may_approve"),
    NavItem("notices", _("Public notices"), "allocation:notices", "may_see_notices"),
    NavItem("swaps", _("Swaps"), "allocation:swap_list", "may_see_swaps"),
    NavItem("inquiry", _("Inquiry call"), "customers:inquiry_new", "may_log_inquiry"),
    NavItem("ledger", _("Ledger"), "penalties:ledger", "may_see_ledger"),
    NavItem("overview", _("Overview"), "penalties:company", "may_view_company_overview"),
    NavItem("exports", _("Export log"), "customers:export_log", "may_read_export_log"),
    NavItem("calendar", _("Working days"), "crm:calendar", "may_use_app"),
    NavItem("logins", _("Logins and accounts"), "crm:login_log", "may_read_login_log"),
    NavItem("admin", _("Administration"), "admin:index", "may_administer"),
]


def nav_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    return [
        {"key": item.key, "label": item.label, "url": reverse(item.url_name)}
        for item in NAV_ITEMS
        if page_right_named(item.right)(user)
    ]


def navigation(request) -> dict:
    """Context processor: `nav` for the header, `rights` for templates, `role_label` for the
    user menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": [], "rights": Rights(None)}
    staff = getattr(user, "staff", None)
    active = getattr(request.resolver_match, "url_name", None) if request.resolver_match else None
    items = nav_for(user)
    for item in items:
        item["active"] = (
            item["url"] == request.path
            or (item["key"] == "departments" and (active or "").startswith("department"))
            or (item["key"] == "logins" and active in ("login_log", "account_changes"))
            or (
                item["key"] == "customers"
                and request.path.startswith(item["url"])
                and active not in ("register", "worklist", "duplicates_report", "export_log")
            )
        )
    return {
        "nav": items,
        # Lazy: one COUNT only on pages whose template shows the badge.
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)),
        # Page rights for templates: {% if rights.may_register %} (crm.rights).
        "rights": Rights(user),
        "role_label": staff.get_role_display() if staff else "",
    }
