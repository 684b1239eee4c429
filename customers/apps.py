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

        from crm.dashboard import register_department_panel
        from crm.rights import sees_assigned_departments

        from .dashboard import department_worklist, followups_panel, worklist_panel
        from .rights import may_work_incomplete_records

        register_panel(
            "salesperson-followups",
            template="customers/_followups_due.html",
            context=followups_panel,
            shown_to=sees_only_own_customers,
            order=8,
        )
        register_panel(
            "accountant-worklist",
            template="customers/_worklist_summary.html",
            context=worklist_panel,
            shown_to=sees_assigned_departments,
            order=10,
        )
        register_department_panel(
            "department-worklist",
            template="customers/_department_worklist.html",
            context=department_worklist,
            shown_to=may_work_incomplete_records,
            order=30,
        )

        from crm.search import register_header_search

        # The header's search box: name, phone or code, within the viewer's scope (the list's
        # `q` filter; scope=all is everything `customers_visible_to` the viewer).
        register_header_search(
            "customers:list",
            right="may_list_customers",
            placeholder=_("Search customers: name, phone or code"),
            extra=[("scope", "all")],
        )

        from crm.navigation import register_nav_item

        # The header's entries for customers' pages (crm keeps the registry and the order).
        register_nav_item(
            "customers",
            _("Customers"),
            "customers:list",
            right="may_list_customers",
            order=30,
            is_active=lambda request, url, name: (
                request.path.startswith(url)
                and name not in ("register", "worklist", "duplicates_report", "export_log")
            ),
        )
        register_nav_item(
            "register",
            _("Register a customer"),
            "customers:register",
            right="may_register",
            order=40,
        )
        register_nav_item(
            "worklist",
            _("Incomplete records"),
            "customers:worklist",
            right="may_work_incomplete_records",
            order=50,
        )
        register_nav_item(
            "duplicates",
            _("Duplicates and fakes"),
            "customers:duplicates_report",
            right="may_see_quality_report",
            order=60,
        )
        register_nav_item(
            "inquiry",
            _("Inquiry call"),
            "customers:inquiry_new",
            right="may_log_inquiry",
            order=110,
        )
        register_nav_item(
            "exports",
            _("Export log"),
            "customers:export_log",
            right="may_read_export_log",
            order=140,
        )

        # 客户信用评价 (SPEC §11): the history on the customer page, the scheme in the admin.
        from django.db.models.signals import post_migrate

        from crm.roles import register_gm_permissions

        from .credit_rules import ensure_on_migrate
        from .extras import register_detail_section
        from .views.credit import credit_section

        register_detail_section(
            "credit_rating",  # "credit" is sales' (sales credit of the customer's deals)
            template="customers/_credit_section.html",
            context=credit_section,
            order=5,
        )
        register_gm_permissions(
            [
                "customers.view_creditweight",
                "customers.change_creditweight",
                "customers.view_creditgraderule",
                "customers.change_creditgraderule",
                "customers.view_creditevaluation",
            ]
        )
        post_migrate.connect(ensure_on_migrate, sender=self, dispatch_uid="customers-credit-scheme")

        from constance.signals import config_updated

        from .jobs import connect as connect_jobs
        from .tasks import on_config_updated

        connect_jobs()  # the activity summary's nightly build in crm's registry (issue 19)

        config_updated.connect(on_config_updated, dispatch_uid="customers.completeness")

        from django.db.backends.signals import connection_created

        from .quality.rules import sqlite_functions

        connection_created.connect(sqlite_functions, dispatch_uid="customers.quality.sqlite")
