"""Revisit plans (回访计划, 002 第二章 1.1, 004 追访流程) and the project-stage events that
generate some of them (SPEC §11).

Who does a plan is not stored: it is the customer's holder when the plan is read (a reclaimed
or swapped customer's revisits go with it to the next holder, nothing goes stale)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ProjectStageEvent(models.Model):
    """A stage of the customer's project reached (交定金, 材料验收, 隐蔽工程验收, 中验, 竣工验收),
    entered by the holder or a manager; each one makes a stage revisit due a few days later."""

    class Stage(models.TextChoices):
        DEPOSIT = "deposit", _("Deposit paid")
        MATERIAL = "material", _("Material acceptance")
        CONCEALED = "concealed", _("Concealed works acceptance")
        MID = "mid", _("Mid-term inspection")
        FINAL = "final", _("Final inspection")

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    occurred_on = models.DateField(_("occurred on"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("entered at"))

    class Meta:
        verbose_name = _("project stage")
        verbose_name_plural = _("project stages")
        ordering = ["-occurred_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.occurred_on}"


class RevisitPlan(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", _("Regular revisit")
        REALTIME = "realtime", _("Real-time revisit")
        YEARLY = "yearly", _("Yearly revisit")
        AFTER_SALE = "after_sale", _("After-sale revisit")
        STAGE_DEPOSIT = "stage_deposit", _("Revisit after the deposit")
        STAGE_MATERIAL = "stage_material", _("Revisit after material acceptance")
        STAGE_CONCEALED = "stage_concealed", _("Revisit after concealed works acceptance")
        STAGE_MID = "stage_mid", _("Revisit after the mid-term inspection")
        STAGE_FINAL = "stage_final", _("Revisit after the final inspection")
        FIRST_INQUIRY_RETRY = "first_inquiry_retry", _("First inquiry: call again")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        UNREACHABLE = "unreachable", _("Unreachable")

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    due_on = models.DateField(_("due on"))
    # First-inquiry attempts have an exact deadline (first attempt + 1 day, + 2 days).
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # What generated the plan (at most one is set; none for regular/real-time/yearly ones).
    deal = models.ForeignKey(
        "customers.Deal", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contract = models.ForeignKey(
        "sales.Contract", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stage_event = models.ForeignKey(
        ProjectStageEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The unreachable first-inquiry call that started a chain of attempts, and its time.
    origin_followup = models.ForeignKey(
        "customers.FollowUp", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    followup = models.ForeignKey(
        "customers.FollowUp", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)

    class Meta:
        verbose_name = _("revisit plan")
        verbose_name_plural = _("revisit plans")
        ordering = ["due_on", "pk"]
        constraints = [
            # A customer gets one generated revisit of a kind per day (a deal and a contract
            # of the same sale make one 售后 revisit, not two).
            models.UniqueConstraint(
                fields=["customer", "kind", "due_on"],
                condition=~Q(kind__in=["realtime", "first_inquiry_retry"]),
                name="service_revisit_one_per_day",
            ),
            # An unreachable attempt is followed by one next attempt.
            models.UniqueConstraint(
                fields=["previous"],
                condition=Q(previous__isnull=False),
                name="service_revisit_one_next_attempt",
            ),
        ]
        indexes = [
            models.Index(
                fields=["customer", "due_on"],
                condition=Q(done_at__isnull=True),
                name="service_revisit_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


STAGE_KINDS = {
    ProjectStageEvent.Stage.DEPOSIT: RevisitPlan.Kind.STAGE_DEPOSIT,
    ProjectStageEvent.Stage.MATERIAL: RevisitPlan.Kind.STAGE_MATERIAL,
    ProjectStageEvent.Stage.CONCEALED: RevisitPlan.Kind.STAGE_CONCEALED,
    ProjectStageEvent.Stage.MID: RevisitPlan.Kind.STAGE_MID,
    ProjectStageEvent.Stage.FINAL: RevisitPlan.Kind.STAGE_FINAL,
}
