from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    """客户档案: the archive, registration ("first registration wins") and the holder service."""

    name = "customers"
    verbose_name = _("Customers")

    def ready(self):
        from crm.demo import register_seeder

        from .demo import seed_customers, seed_quality_examples

        register_seeder(seed_customers, order=10)
        register_seeder(seed_quality_examples, order=11)

        from crm.dashboard import register_panel

        from .day import day_panel
        from .rights import sees_only_own_customers  # importing rights registers its page rights

        register_panel(
            "salesperson-day",
            template="customers/_day.html",
            context=day_panel,
            shown_to=sees_only_own_customers,
            order=10,
        )

        from constance.signals import config_updated

        from .tasks import on_config_updated

        config_updated.connect(on_config_updated, dispatch_uid="customers.completeness")

        from django.db.backends.signals import connection_created

        from .quality.rules import sqlite_functions

        connection_created.connect(sqlite_functions, dispatch_uid="customers.quality.sqlite")
