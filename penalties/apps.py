from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PenaltiesConfig(AppConfig):
    """奖惩台账: the rule catalogue, the ledger, scans and month close."""

    name = "penalties"
    verbose_name = _("Penalties and rewards")
