from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PenaltiesConfig(AppConfig):
    """奖惩台账: the rule catalogue, the ledger, scans and month close."""

    name = "penalties"
    verbose_name = _("Penalties and rewards")

    def ready(self):
        from django.db.models.signals import post_migrate

        from crm.dashboard import register_panel
        from crm.demo import register_seeder

        from .dashboard import company_panel, manager_panel, own_panel
        from .defaults import ensure_rules_on_migrate
        from .demo import seed_penalties
        from .rights import (  # importing rights registers its page rights
            follows_company_ledger,
            follows_department_ledger,
            follows_own_ledger,
        )

        post_migrate.connect(ensure_rules_on_migrate, sender=self)

        from .jobs import connect as connect_jobs

        connect_jobs()  # the scans in crm's registry of scheduled jobs (SPEC §9)
        register_seeder(seed_penalties, order=40)

        from customers.services.exports import register_export_list

        register_export_list("ledger_month", _("Ledger month (payroll)"))
        register_panel(
            "ledger-own",
            template="penalties/_own_panel.html",
            context=own_panel,
            shown_to=follows_own_ledger,
            order=30,
        )
        register_panel(
            "ledger-department",
            template="penalties/_manager_panel.html",
            context=manager_panel,
            shown_to=follows_department_ledger,
            order=10,
        )
        register_panel(
            "ledger-company",
            template="penalties/_company_panel.html",
            context=company_panel,
            shown_to=follows_company_ledger,
            order=1,
        )

        from crm.dashboard import register_department_panel
        from crm.rights import may_view_departments

        from .dashboard import department_panel

        register_department_panel(
            "department-figures",
            template="penalties/_department_panel.html",
            context=department_panel,
            shown_to=may_view_departments,
            order=10,
        )

        from crm.navigation import register_nav_item

        # The header's entries for penalties' pages (crm keeps the registry and the order).
        register_nav_item(
            "ledger", _("Ledger"), "penalties:ledger", right="may_see_ledger", order=120
        )
        register_nav_item(
            "overview",
            _("Overview"),
            "penalties:company",
            right="may_view_company_overview",
            order=130,
        )

        from crm.roles import register_gm_permissions

        # The open rule catalogue (SPEC §7): add, edit and retire (is_active), never delete.
        register_gm_permissions(
            [
                "penalties.view_penaltyrule",
                "penalties.add_penaltyrule",
                "penalties.change_penaltyrule",
            ],
        )
