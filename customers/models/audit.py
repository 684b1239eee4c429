"""Audit rows of the archive: the export log (导出记录, SPEC §9 Confidentiality; 001 五.4,
002 §4.1)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportLog(models.Model):
    """One export of a list (or its refusal): who, which list, with which filters, how many
    rows, when. Written by `customers.services.exports`; never edited (no admin form)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("exported by"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # covered by exportlog_actor_newest_idx
    )
    at = models.DateTimeField(_("time"))
    # A key of `customers.services.exports.EXPORT_LISTS` (each app registers its lists).
    list_name = models.CharField(_("list"), max_length=40)
    # The query string, normalised (sorted, blanks and paging left out): what was filtered.
    filters = models.CharField(_("filters"), max_length=1000, blank=True)
    rows = models.PositiveIntegerField(_("rows"))
    is_refused = models.BooleanField(_("refused"), default=False)

    class Meta:
        verbose_name = _("export log entry")
        verbose_name_plural = _("export log")
        indexes = [
            models.Index(fields=["-at", "-id"], name="exportlog_newest_idx"),
            models.Index(fields=["actor", "-at", "-id"], name="exportlog_actor_newest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.list_name} {self.at:%Y-%m-%d %H:%M}"
