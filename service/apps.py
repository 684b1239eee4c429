from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    """客户服务: complaints, the yearly evaluation, satisfaction surveys, revisit plans and
    competitors (SPEC §11). The highest app: it proposes ledger entries (penalties) and reads
    sales and the archive."""

    name = "service"
    verbose_name = _("Customer service")

    def ready(self):
        from .wiring import connect

        connect()
