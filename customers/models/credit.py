"""客户信用评价 (003 三, SPEC §11): 5C scores weighed into a grade A–D, and the admin-edited
scheme (the weight of each factor, the lowest score of each grade) and grade policy (which
settlement methods a grade allows). The customer's `credit_rating` is written only by
`customers.services.credit.credit_evaluate`; evaluations are never edited (append-only)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .archive import Grade


class CreditFactor(models.TextChoices):
    """5C评估法: 道德品质、能力、资本、抵押品、环境条件."""

    CHARACTER = "character", _("Character")
    CAPACITY = "capacity", _("Capacity")
    CAPITAL = "capital", _("Capital")
    COLLATERAL = "collateral", _("Collateral")
    CONDITIONS = "conditions", _("Conditions")


class CreditWeight(models.Model):
    """The weight of one 5C factor (admin-edited; seeded by migration 0014). The weighted
    score divides by the sum of the weights, so they need not add up to 100."""

    factor = models.CharField(_("factor"), max_length=20, choices=CreditFactor.choices, unique=True)
    weight = models.PositiveSmallIntegerField(_("weight"))

    class Meta:
        verbose_name = _("credit factor weight")
        verbose_name_plural = _("credit factor weights")
        constraints = [
            models.CheckConstraint(condition=Q(weight__lte=100), name="credit_weight_at_most_100")
        ]

    def __str__(self) -> str:
        return f"{self.get_factor_display()} {self.weight}"


class CreditGradeRule(models.Model):
    """Per grade: the lowest weighted score that earns it (D: 0, whatever is left) and the
    settlement methods a customer of this grade may sign (admin-edited)."""

    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, unique=True)
    min_score = models.DecimalField(_("lowest score"), max_digits=5, decimal_places=2)
    allows_cash = models.BooleanField(_("allows cash on delivery"), default=True)
    allows_rolling = models.BooleanField(_("allows rolling settlement"), default=True)
    allows_goods_first = models.BooleanField(_("allows goods first, payment later"), default=True)

    class Meta:
        verbose_name = _("credit grade rule")
        verbose_name_plural = _("credit grade rules")
        ordering = ["grade"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_score__gte=0, min_score__lte=100), name="credit_min_score_0_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.grade} ≥ {self.min_score}"


class CreditEvaluation(models.Model):
    """One evaluation (客户信用评价表): five scores 0–100, the weights used (copied, so the
    history stays true when the scheme changes), the weighted score and the grade it earned."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="credit_evaluations",
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluator"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    evaluated_at = models.DateTimeField(_("evaluated at"))
    character = models.PositiveSmallIntegerField(_("character"))
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    capital = models.PositiveSmallIntegerField(_("capital"))
    collateral = models.PositiveSmallIntegerField(_("collateral"))
    conditions = models.PositiveSmallIntegerField(_("conditions"))
    weights = models.JSONField(_("weights used"))
    score = models.DecimalField(_("weighted score"), max_digits=5, decimal_places=2)
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("credit evaluation")
        verbose_name_plural = _("credit evaluations")
        indexes = [
            models.Index(fields=["customer", "-evaluated_at"], name="credit_eval_customer_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    character__lte=100,
                    capacity__lte=100,
                    capital__lte=100,
                    collateral__lte=100,
                    conditions__lte=100,
                ),
                name="credit_scores_at_most_100",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.grade} {self.score}"
