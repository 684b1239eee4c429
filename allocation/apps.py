from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllocationConfig(AppConfig):
    """资源发放与回收: pools, distribution, approvals, swaps, handovers and the reclaim engine."""

    name = "allocation"
    verbose_name = _("Allocation")

    def ready(self):
        from django.db.models.signals import post_migrate

        from crm.dashboard import register_panel

        from .defaults import ensure_policies_on_migrate

        post_migrate.connect(ensure_policies_on_migrate, sender=self)

        from .jobs import connect as connect_jobs

        connect_jobs()  # the reclaim jobs in crm's registry of scheduled jobs (SPEC §9)
        from crm.demo import register_seeder

        from .demo import seed_allocation

        register_seeder(seed_allocation, order=20)

        from crm.services import register_deactivation_guard

        from .selectors.handovers import staff_can_be_deactivated

        register_deactivation_guard(staff_can_be_deactivated)

        from .dashboard import manager_panel
        from .rights import may_approve  # importing rights registers its page rights

        register_panel(
            "manager-allocation",
            template="allocation/_manager_panel.html",
            context=manager_panel,
            shown_to=may_approve,
            order=5,
        )

        from crm.dashboard import register_department_panel
        from crm.rights import may_view_departments
        from customers.rights import sees_only_own_customers

        from .dashboard import department_panel, salesperson_panel

        register_panel(
            "salesperson-allocation",
            template="allocation/_sales_panel.html",
            context=salesperson_panel,
            shown_to=sees_only_own_customers,
            order=9,
        )
        register_department_panel(
            "department-notices",
            template="allocation/_department_panel.html",
            context=department_panel,
            shown_to=may_view_departments,
            order=20,
        )

        from crm.navigation import register_nav_item

        # The header's entries for allocation's pages (crm keeps the registry and the order).
        register_nav_item(
            "pool", _("Public pool"), "allocation:pool", right="may_see_pool", order=70
        )
        register_nav_item(
            "inbox", _("Approvals"), "allocation:inbox", right="may_approve", order=80
        )
        register_nav_item(
            "notices", _("Public notices"), "allocation:notices", right="may_see_notices", order=90
        )
        register_nav_item(
            "swaps", _("Swaps"), "allocation:swap_list", right="may_see_swaps", order=100
        )

        from crm.roles import register_gm_permissions

        register_gm_permissions(
            [
                "allocation.view_reclaimpolicy",
                "allocation.change_reclaimpolicy",
                "allocation.view_jobrun",
                "allocation.view_publicnotice",
                "allocation.view_distributionbatch",
            ],
        )

        from customers.extras import (
            register_detail_action,
            register_followup_action,
            register_list_column,
        )

        from .customer_extras import countdown_values, unsatisfied_verification

        # What allocation shows on customers' pages; customers names no allocation template,
        # tag library or URL (customers/extras.py).
        register_list_column(
            "days-left",
            heading=_("Reclaimed in"),
            template="allocation/_days_left_cell.html",
            values=countdown_values,
            order=10,
        )
        register_detail_action(
            "report-and-claim", template="allocation/_customer_actions.html", order=10
        )
        register_followup_action(
            "unsatisfied-verification",
            template="allocation/_followup_unsatisfied.html",
            context=unsatisfied_verification,
            order=10,
        )
