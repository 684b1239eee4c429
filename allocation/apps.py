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
        from crm.demo import register_seeder

        from .demo import seed_allocation

        register_seeder(seed_allocation, order=20)

        from crm.services import register_deactivation_guard

        from .services.handover import staff_can_be_deactivated

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
