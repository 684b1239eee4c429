"""The navigation each role sees (SPEC §1): one list, each entry naming the page's own right
(crm.rights), so a page is offered exactly when it would answer 200."""

from collections.abc import Callable
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
    # Place in the header, lowest first: crm keeps the ordering, each app picks its places.
    order: int = 0
    # (request, url, url_name) -> bool: whether the entry is the current page; None = the
    # entry's own URL is the path.
    is_active: Callable | None = None


# The registry, kept sorted by `order`. crm registers its own pages below; the higher apps
# register theirs in their AppConfig.ready (register_nav_item), so crm names no higher app.
NAV_ITEMS: list[NavItem] = []


def register_nav_item(
    key: str,
    label,
    url_name: str,
    *,
    right: str,
    order: int,
    is_active: Callable | None = None,
) -> None:
    """Offer a page in the header to whoever holds `right` (a registered page right)."""
    item = NavItem(key, label, url_name, right, order, is_active)
    NAV_ITEMS[:] = sorted(
        [other for other in NAV_ITEMS if other.key != key] + [item], key=lambda i: i.order
    )


register_nav_item("dashboard", _("Dashboard"), "crm:dashboard", right="may_use_app", order=10)
register_nav_item(
    "departments",
    _("Departments"),
    "crm:department_list",
    right="may_view_departments",
    order=20,
    is_active=lambda request, url, name: (name or "").startswith("department"),
)
register_nav_item("calendar", _("Working days"), "crm:calendar", right="may_use_app", order=150)
register_nav_item(
    "logins",
    _("Logins and accounts"),
    "crm:login_log",
    right="may_read_login_log",
    order=160,
    is_active=lambda request, url, name: name in ("login_log", "account_changes"),
)
register_nav_item("admin", _("Administration"), "admin:index", right="may_administer", order=170)


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
    checks = {item.key: item.is_active for item in NAV_ITEMS}
    for item in items:
        check = checks.get(item["key"])
        item["active"] = item["url"] == request.path or bool(
            check and check(request, item["url"], active)
        )
    return {
        "nav": items,
        # Lazy: one COUNT only on pages whose template shows the badge.
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)),
        # Page rights for templates: {% if rights.may_register %} (crm.rights).
        "rights": Rights(user),
        "role_label": staff.get_role_display() if staff else "",
    }
