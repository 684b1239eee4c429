from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    """销售管理: opportunities, contracts, collections, returns, dormant customers and sales
    credit (SPEC §10). Sits between allocation and penalties in the import order."""

    name = "sales"
    verbose_name = _("Sales")

    def ready(self):
        from .wiring import connect

        connect()
