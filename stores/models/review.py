"""客户经理月度考核 (004 四; SPEC §12): 100 points a month — 信息管理 30, 追访频次 30,
内部服务满意率 20 (scored by the store manager), 考勤/外出登记 20 — computed on the 1st for the
previous month, adjusted and confirmed by the GM (专题总监/总经理), exported for HR."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class MonthlyReview(models.Model):
    store = models.ForeignKey(
        "crm.Department", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+"
    )
    customer_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer manager"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    info_score = models.PositiveSmallIntegerField(_("information management"))
    followup_score = models.PositiveSmallIntegerField(_("follow-up frequency"))
    service_score = models.PositiveSmallIntegerField(
        _("internal service satisfaction"), null=True, blank=True
    )
    attendance_score = models.PositiveSmallIntegerField(_("attendance and outing register"))
    # What each deduction was for: {"info": [...], "followup": [...], "attendance": [...]},
    # each item {"what": str, "points": n} (shown on the review page, exported).
    details = models.JSONField(_("details"), default=dict)
    computed_at = models.DateTimeField(_("computed at"))
    service_scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service scored by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    adjustment = models.SmallIntegerField(_("adjustment"), default=0)
    adjustment_reason = models.CharField(_("adjustment reason"), max_length=500, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("customer manager's monthly review")
        verbose_name_plural = _("customer managers' monthly reviews")
        ordering = ["-month", "store", "customer_manager"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer_manager", "month"], name="monthlyreview_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_manager} {self.month:%Y-%m}"

    @property
    def total(self) -> int:
        """Out of 100; the store manager's 20 count as 0 until scored."""
        base = self.info_score + self.followup_score + self.attendance_score
        return max(0, min(100, base + (self.service_score or 0) + self.adjustment))
