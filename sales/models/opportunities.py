"""销售机会 (002 §6, SPEC §10): an opportunity on a customer, its stages and the actions
(一般行动) logged against it. The owner is the customer's holder: nothing is stored, so the
opportunity moves with the customer."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords


class Stage(models.TextChoices):
    CONTACT = "contact", _("Initial contact")
    NEEDS = "needs", _("Needs confirmed")
    PROPOSAL = "proposal", _("Proposal and quote")
    NEGOTIATION = "negotiation", _("Negotiation")
    # In context: "Lost" alone is a customer class (流失客户), not a lost deal (输单).
    WON = "won", pgettext_lazy("opportunity stage", "Won")
    LOST = "lost", pgettext_lazy("opportunity stage", "Lost")


OPEN_STAGES = (Stage.CONTACT, Stage.NEEDS, Stage.PROPOSAL, Stage.NEGOTIATION)
CLOSED_STAGES = (Stage.WON, Stage.LOST)


class StageProbability(models.Model):
    """Probability (赢率) of each stage, edited by the GM in the admin; the funnel's weighted
    amount reads it."""

    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, unique=True)
    probability = models.PositiveSmallIntegerField(_("probability (%)"))

    class Meta:
        verbose_name = _("stage probability")
        verbose_name_plural = _("stage probabilities")
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__lte=100), name="stage_probability_at_most_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.probability}%"


class Opportunity(models.Model):
    """销售机会."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    product = models.CharField(_("product or service"), max_length=200)
    expected_amount = models.DecimalField(_("expected amount"), max_digits=14, decimal_places=2)
    expected_close = models.DateField(_("expected close date"))
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.CONTACT
    )
    lost_reason = models.CharField(_("reason lost"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))
    stage_changed_at = models.DateTimeField(_("stage changed at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [
            models.Index(fields=["customer", "-id"], name="opportunity_customer_idx"),
            models.Index(fields=["stage", "customer"], name="opportunity_stage_idx"),
            models.Index(
                fields=["created_at"],
                condition=Q(closed_at__isnull=True),
                name="opportunity_open_idx",
            ),
            # The list's orders (newest first by default), read in index order (issue 19).
            models.Index(fields=["created_at", "id"], name="opportunity_created_idx"),
            models.Index(fields=["expected_close", "id"], name="opportunity_close_idx"),
            models.Index(fields=["expected_amount", "id"], name="opportunity_amount_idx"),
            # A scope's count from its customers' ids, read from the index alone (the
            # dashboard's 一般行动 panel; issue 19 round 3).
            models.Index(
                fields=["customer"],
                include=["created_at", "closed_at", "id"],
                name="opportunity_customer_cover_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_amount__gte=0), name="opportunity_amount_not_negative"
            ),
            # Closed exactly when won or lost; a lost one says why.
            models.CheckConstraint(
                condition=Q(stage__in=CLOSED_STAGES, closed_at__isnull=False)
                | (~Q(stage__in=CLOSED_STAGES) & Q(closed_at__isnull=True)),
                name="opportunity_closed_when_won_or_lost",
            ),
            models.CheckConstraint(
                condition=~Q(stage=Stage.LOST) | ~Q(lost_reason=""),
                name="opportunity_lost_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.product

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class StageChange(models.Model):
    """One move of an opportunity's stage (append-only history)."""

    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        on_delete=models.PROTECT,
        related_name="stage_changes",
    )
    from_stage = models.CharField(_("from stage"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to stage"), max_length=20, choices=Stage.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [models.Index(fields=["opportunity", "at"], name="stage_change_opp_idx")]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"


class OpportunityAction(models.Model):
    """一般行动: a follow-up logged against an open opportunity (002). `occurred_at` is the
    follow-up's, copied so the monthly check reads one index."""

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.PROTECT, related_name="actions"
    )
    followup = models.OneToOneField(
        "customers.FollowUp",
        verbose_name=_("follow-up"),
        on_delete=models.PROTECT,
        related_name="opportunity_action",
    )
    occurred_at = models.DateTimeField(_("occurred at"))

    class Meta:
        verbose_name = _("opportunity action")
        verbose_name_plural = _("opportunity actions")
        indexes = [models.Index(fields=["opportunity", "occurred_at"], name="opp_action_idx")]

    def __str__(self) -> str:
        return f"{self.opportunity_id} {self.occurred_at:%Y-%m-%d}"
