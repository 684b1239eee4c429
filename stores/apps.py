from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoresConfig(AppConfig):
    """店面 (SPEC §12, 004): the visitor register, valid customers, designers, dispatch and the
    customer managers' monthly review. The highest app: it registers customers through the
    archive, reads follow-ups and the ledger's quota scan, and names none of the others' pages."""

    name = "stores"
    verbose_name = _("Stores")

    def ready(self):
        from .wiring import connect

        connect()
