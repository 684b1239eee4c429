"""What stores plug into the lower apps (navigation, dashboards, the admin's groups, the demo,
the scheduler). One function per area; `connect` runs them at start-up."""


def connect() -> None:
    from . import rights  # noqa: F401  (importing rights registers its page rights)

    connect_people()
    connect_visitors()
    connect_dispatch()
    connect_review()


def connect_people() -> None:
    """Designers, levels, attendance and outings; the store demo."""
    from django.utils.translation import gettext_lazy as _

    from crm.navigation import register_nav_item
    from crm.roles import register_gm_permissions

    register_nav_item(
        "stores",
        _("Store"),
        "stores:home",
        right="may_use_stores",
        order=115,
        is_active=lambda request, url, name: request.path.startswith("/stores/"),
    )
    register_gm_permissions(
        [
            "stores.view_designerlevel",
            "stores.add_designerlevel",
            "stores.change_designerlevel",
            "stores.view_designerprofile",
            "stores.change_designerprofile",
        ]
    )


def connect_visitors() -> None:
    """The visitor register, pre-registrations, 对单 and the store's figures."""


def connect_dispatch() -> None:
    """Dispatch (派单)."""


def connect_review() -> None:
    """The customer managers' monthly review."""
