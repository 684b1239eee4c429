"""Reclaim rules (回收, SPEC §6): policies, job runs, public notices and appeals, warnings."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReclaimPolicy(models.Model):
    """One of the four rules of SPEC §6, with its numbers (admin-editable)."""

    class Code(models.TextChoices):
        NO_FOLLOWUP = "no_followup", _("No follow-up")
        UNSATISFIED = "unsatisfied", _("Unsatisfied")
        NO_DEAL_ISSUED = "no_deal_issued", _("No deal, company-issued")
        NO_DEAL_SELF = "no_deal_self", _("No deal, self-registered")

    class Unit(models.TextChoices):
        DAYS = "days", _("days")
        MONTHS = "months", _("months")

    class Schedule(models.TextChoices):
        DAILY = "daily", _("Daily")
        MONTHLY = "monthly", _("On the 1st of each month")

    code = models.CharField(_("rule"), max_length=20, choices=Code.choices, unique=True)
    is_active = models.BooleanField(_("on"), default=True)
    window_value = models.PositiveIntegerField(_("window"))
    window_unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    acquisition_kinds = models.CharField(
        _("applies to acquisition kinds"),
        max_length=200,
        blank=True,
        help_text=_("Comma-separated ownership kinds; empty: every held customer."),
    )
    target_pool = models.CharField(
        _("goes to"),
        max_length=20,
        choices=[("department", _("Department pool")), ("company", _("Company pool"))],
    )
    schedule = models.CharField(_("runs"), max_length=10, choices=Schedule.choices)
    run_time = models.TimeField(_("run time"))
    warn_days = models.CharField(_("warn days before"), max_length=50, default="7,1")
    notice_working_days = models.PositiveIntegerField(_("public notice (working days)"), default=3)

    class Meta:
        verbose_name = _("reclaim policy")
        verbose_name_plural = _("reclaim policies")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.get_code_display()

    @property
    def kinds(self) -> list[str]:
        return [k.strip() for k in self.acquisition_kinds.split(",") if k.strip()]

    @property
    def warn_offsets(self) -> list[int]:
        return sorted(
            {int(d) for d in self.warn_days.split(",") if d.strip().isdigit()}, reverse=True
        )


class JobRun(models.Model):
    """One rule's run for one period. UNIQUE: the second run of the same period moves nothing;
    an unfinished row is resumed by the next run (a crash leaves `finished_at` empty)."""

    policy = models.CharField(_("rule"), max_length=20, choices=ReclaimPolicy.Code.choices)
    period = models.DateField(_("period"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    moved = models.PositiveIntegerField(_("moved"), default=0)

    class Meta:
        verbose_name = _("reclaim run")
        verbose_name_plural = _("reclaim runs")
        constraints = [
            models.UniqueConstraint(fields=["policy", "period"], name="jobrun_unique_period"),
        ]
        ordering = ["-period", "policy"]

    def __str__(self) -> str:
        return f"{self.policy} {self.period}"


class PublicNotice(models.Model):
    """公示 (000 §3.4.b): a reclaimed customer is listed for N working days before it can be
    distributed again; the previous holder may appeal once; the manager restores or confirms."""

    class Decision(models.TextChoices):
        RESTORED = "restored", _("Restored to the holder")
        CONFIRMED = "confirmed", _("Reclaim confirmed")

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="notices",
        db_index=False,  # covered by notice_customer_idx
        db_constraint=False,  # see docs/decisions.md: customers are never deleted (trigger)
    )
    previous_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("previous holder"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # no query starts from it (the board's scope is an OR; see Meta)
        db_constraint=False,  # see docs/decisions.md: bulk-written by the sweep
    )
    department = models.ForeignKey(
        "crm.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the board's scope is an OR its indexes could not serve (see Meta)
        db_constraint=False,
    )
    policy = models.CharField(_("rule"), max_length=20, choices=ReclaimPolicy.Code.choices)
    pool = models.CharField(_("pool"), max_length=20)
    reclaimed_at = models.DateTimeField(_("reclaimed at"))
    ends_at = models.DateTimeField(_("notice ends"))
    appeal_reason = models.CharField(_("appeal"), max_length=500, blank=True)
    appealed_at = models.DateTimeField(_("appealed at"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # never searched by; every sweep row would add a NULL entry
        db_constraint=False,  # null on every sweep row; see docs/decisions.md
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.CharField(_("decision reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        # What reads notices: a customer's notices (distribution and claiming check them), the
        # running ones (ends_at) and the undecided appeals (partial index). The board's scope
        # (company notices, the viewer's departments, the viewer as previous holder) is an OR
        # across columns, so it filters the running/appealed rows rather than driving the scan;
        # indexes on department or previous holder were never used and cost the sweep a write
        # per reclaimed customer each.
        indexes = [
            models.Index(fields=["customer", "-ends_at"], name="notice_customer_idx"),
            models.Index(fields=["ends_at"], name="notice_ends_idx"),
            # Appeals waiting for a decision (the board's and the inbox's other half); partial,
            # so the rows a sweep writes (never appealed) add nothing to it.
            models.Index(
                fields=["appealed_at"],
                condition=Q(appealed_at__isnull=False, decision=""),
                name="notice_appeal_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.reclaimed_at:%Y-%m-%d}"


class ReclaimWarning(models.Model):
    """A warning sent to a holder N days before a customer's reclaim date (sent once)."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    policy = models.CharField(_("rule"), max_length=20, choices=ReclaimPolicy.Code.choices)
    due_on = models.DateField(_("reclaim date"))
    days_before = models.PositiveIntegerField(_("days before"))
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("reclaim warning")
        verbose_name_plural = _("reclaim warnings")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "holder", "policy", "due_on", "days_before"],
                name="reclaim_warning_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.due_on} -{self.days_before}"


class UnsatisfiedVerification(models.Model):
    """A manager's confirmation that a follow-up's 不满意 is real: the unsatisfied rule only
    takes customers whose latest follow-up says 不满意 and carries this (SPEC §6)."""

    followup = models.OneToOneField(
        "customers.FollowUp",
        verbose_name=_("follow-up"),
        on_delete=models.CASCADE,
        related_name="unsatisfied_verification",
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"))
    # Only the manager withdrawing the verification lifts it; a later follow-up does not.
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("why withdrawn"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("unsatisfied verification")
        verbose_name_plural = _("unsatisfied verifications")

    def __str__(self) -> str:
        return str(self.followup_id)


__all__ = ["JobRun", "PublicNotice", "ReclaimPolicy", "ReclaimWarning", "UnsatisfiedVerification"]
