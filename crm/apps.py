from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    """The organisation core: departments, staff and roles, the working-day calendar."""

    name = "crm"
    verbose_name = _("Organisation")

    def ready(self):
        from . import rights, roles  # noqa: F401 - importing rights registers its page rights

        # Role groups carry global permissions of several apps, which exist only once each app
        # has migrated: re-applied after every app's post_migrate (idempotent, four groups).
        post_migrate.connect(
            roles.ensure_role_groups_on_migrate, dispatch_uid="crm.ensure_role_groups"
        )

        from .accounts import connect_receivers

        # The login log and the account-change record (SPEC §9), wherever a log-in or a change
        # happens: see crm/accounts.py for why these are receivers.
        connect_receivers()

        from .jobs import connect as connect_jobs

        # Scheduled jobs (SPEC §9): crm's own in the registry, and each task's success recorded.
        connect_jobs()
