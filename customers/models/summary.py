"""The activity summary (issue 19): follow-ups, deals, inquiry calls and reclaims counted per
author (or per department, for ownership events) and calendar month (Asia/Shanghai), built
nightly up to a watermark. Readers add the rows after the watermark live (`customers.summary`).

Per author, not per department: a follow-up counts for its author's *current* department
(the live rule), so the department is joined from `crm.Staff` at read time and moving a person
needs no rebuild. Per month, not per day: the only readers count whole months, and an author's
month is one row (about 10,000 rows a month at 10,000 staff; per day would be ~220,000)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityMonth(models.Model):
    """One author's counts in one month (`department` null), or one department's reclaims and
    confiscations (`author` null; `department` null: events that name no department). Only
    rows with ids up to the watermark are counted here. Rebuilt whole by `summary_build`."""

    month = models.DateField(_("month"))  # the 1st, Asia/Shanghai
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,  # a derived table, rebuilt whole; users are never deleted
        db_index=False,  # covered by activity_month_idx
        related_name="+",
    )
    department = models.ForeignKey(
        "crm.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    followups = models.PositiveIntegerField(_("follow-ups"), default=0)  # amendments excluded
    inquiry_followups = models.PositiveIntegerField(_("inquiry follow-ups"), default=0)
    deals = models.PositiveIntegerField(_("deals"), default=0)
    inquiries = models.PositiveIntegerField(_("inquiry calls"), default=0)
    reclaimed = models.PositiveIntegerField(_("reclaims and confiscations"), default=0)

    class Meta:
        verbose_name = _("activity month")
        verbose_name_plural = _("activity months")
        indexes = [models.Index(fields=["month", "author"], name="activity_month_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.author_id or self.department_id}"


class ActivityWatermark(models.Model):
    """The single row (pk 1) saying what `ActivityMonth` holds: every row of each source table
    with an id up to these. No row: nothing summarised yet (readers count everything live)."""

    followup_id = models.BigIntegerField(_("last follow-up id"), default=0)
    deal_id = models.BigIntegerField(_("last deal id"), default=0)
    inquiry_id = models.BigIntegerField(_("last inquiry call id"), default=0)
    event_id = models.BigIntegerField(_("last ownership event id"), default=0)
    built_at = models.DateTimeField(_("built at"))
    seconds = models.FloatField(_("build seconds"), default=0)

    class Meta:
        verbose_name = _("activity summary watermark")
        verbose_name_plural = _("activity summary watermarks")

    def __str__(self) -> str:
        return f"{self.built_at:%Y-%m-%d %H:%M}"
