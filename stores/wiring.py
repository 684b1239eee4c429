"""What stores plug into the lower apps (navigation, dashboards, the admin's groups, the demo,
the scheduler). One function per area; `connect` runs them at start-up."""


def connect() -> None:
    from . import rights  # noqa: F401  (importing rights registers its page rights)

    connect_people()
    from .jobs import connect as connect_jobs

    connect_jobs()  # scheduled jobs in crm's registry (SPEC §9)
    connect_visitors()
    connect_dispatch()
    connect_review()


def connect_people() -> None:
    """Designers, levels, attendance and outings; the store demo."""
    from django.utils.translation import gettext_lazy as _

    from crm.demo import register_seeder
    from crm.navigation import register_nav_item
    from crm.roles import register_gm_permissions

    from .demo_people import seed_people

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
    register_seeder(seed_people, order=60)


def connect_visitors() -> None:
    """The visitor register, pre-registrations, 对单 and the store's figures: the dashboard
    panel of the store manager and the customer managers, the demo register."""
    from crm.dashboard import register_panel
    from crm.demo import register_seeder

    from .demo_visitors import seed_visitors
    from .rights import sees_store_figures_panel
    from .views.visitors import figures_panel

    register_panel(
        "store-figures",
        template="stores/_figures_panel.html",
        context=figures_panel,
        shown_to=sees_store_figures_panel,
        order=12,
    )
    register_seeder(seed_visitors, order=61)


def connect_dispatch() -> None:
    """Dispatch (派单): the demo's dispatches."""
    from crm.demo import register_seeder

    from .demo_dispatch import seed_dispatch

    register_seeder(seed_dispatch, order=62)


def connect_review() -> None:
    """The customer managers' monthly review: its export's name in the export log, the demo."""
    from django.utils.translation import gettext_lazy as _

    from crm.demo import register_seeder
    from customers.services.exports import register_export_list

    from .demo_review import seed_review

    register_export_list("store_reviews", _("Customer managers' monthly reviews"))
    register_seeder(seed_review, order=63)
