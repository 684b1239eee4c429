"""年度评价 — the yearly customer evaluation (001 四.4, 年客户交易记录表; SPEC §11).

By the due date (default 12-25, `YEARLY_EVALUATION_DUE`) the holder of every customer with deals
that year submits three evaluations: the transaction (交易情况), the credit (信用评价) and the
contacts (联系人评价). Then the department manager adds 业务经理评价 and the next manager up
(the parent department's manager, else the GM) 主管经理评价. One row per customer and year."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Verdict(models.TextChoices):
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")


class CreditGrade(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"


class YearlyEvaluation(models.Model):
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    # The customer's department when submitted: whose managers add their verdicts.
    department = models.ForeignKey(
        "crm.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    transaction_grade = models.CharField(
        _("transaction evaluation"), max_length=4, choices=Verdict.choices
    )
    transaction_note = models.TextField(_("transaction remarks"), blank=True, max_length=1000)
    credit_grade = models.CharField(
        _("credit evaluation"), max_length=1, choices=CreditGrade.choices
    )
    credit_note = models.TextField(_("credit remarks"), blank=True, max_length=1000)
    contact_grade = models.CharField(_("contact evaluation"), max_length=4, choices=Verdict.choices)
    contact_note = models.TextField(_("contact remarks"), blank=True, max_length=1000)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    is_late = models.BooleanField(_("submitted late"), default=False)
    manager_note = models.TextField(_("business manager's evaluation"), blank=True, max_length=1000)
    manager_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("business manager"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    manager_at = models.DateTimeField(_("business manager evaluated at"), null=True, blank=True)
    director_note = models.TextField(
        _("supervising manager's evaluation"), blank=True, max_length=1000
    )
    director_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervising manager"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    director_at = models.DateTimeField(_("supervising manager evaluated at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("yearly evaluation")
        verbose_name_plural = _("yearly evaluations")
        constraints = [
            models.UniqueConstraint(fields=["customer", "year"], name="yearly_eval_one_per_year")
        ]
        indexes = [
            models.Index(fields=["year", "department"], name="yearly_eval_dept_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.year}"


class YearlyEvaluationNotice(models.Model):
    """One reminder (or overdue notice) per person, kind and day: the task runs several times
    a morning and sends each once."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Reminder")
        OVERDUE = "overdue", _("Overdue notice")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "sent_on"], name="yearly_notice_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.user_id} {self.sent_on}"
