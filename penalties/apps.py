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

        post_migrate.connect(ensure_rules_on_migrate, sender=self)
        register_seeder(seed_penalties, order=40)
        register_panel(
            "ledger-own",
            template="penalties/_own_panel.html",
            context=own_panel,
            roles={"salesperson"},
            order=30,
        )
        register_panel(
            "ledger-department",
            template="penalties/_manager_panel.html",
            context=manager_panel,
            roles={"manager"},
            order=10,
        )
        register_panel(
            "ledger-company",
            template="penalties/_company_panel.html",
            context=company_panel,
            roles={"general_manager"},
            order=1,
        )
