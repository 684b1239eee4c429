"""奖惩台账 (SPEC §7): the rule catalogue, the ledger, closed months, dismissal reviews.

The ledger is append-only once decided: a confirmed or waived entry is never changed or
deleted (the service refuses, and a database trigger refuses a direct UPDATE/DELETE too);
a correction is a new entry that reverses the old one. A closed month takes nothing new.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class PenaltyRule(models.Model):
    """One line of the catalogue: what is fined or rewarded, how much, and on whom."""

    class FallsOn(models.TextChoices):
        PERSON = "person", _("The person concerned")
        MANAGER = "manager", _("The department manager")
        # 002 §5.1.2, §5.1.3, §5.1.5 charge these posts rather than the person at fault.
        ACCOUNTANT = "accountant", _("The store accountant")
        SERVICE = "service", _("The customer service officer")
        OPERATIONS = "operations", _("The chain-store operations officer")

    class Origin(models.TextChoices):
        SCAN = "scan", _("Proposed by the system")
        MANUAL = "manual", _("Recorded by a manager")

    class Effect(models.TextChoices):
        NONE = "", _("None")
        CONFISCATE = "confiscate", _("Customer confiscated to the department pool")
        STRIKES = "strikes", _("Counts towards dismissal review")
        EXTRA_CUSTOMERS = "extra_customers", _("Grants extra pool customers")

    # Fixed once created: scans, effects and exported payroll columns refer to rules by code.
    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z][A-Z0-9_]*\Z",
                _("Use upper-case Latin letters, digits and underscores, starting with a letter."),
            )
        ],
        help_text=_("For example LATE_TO_WORK. It cannot be changed once the rule is saved."),
    )
    name = models.CharField(_("rule"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source in the rule books"), max_length=50, blank=True)
    default_amount = models.DecimalField(
        _("default amount (yuan)"), max_digits=10, decimal_places=2
    )
    min_amount = models.DecimalField(
        _("lowest amount"),
        max_digits=10,
        decimal_places=2,
        help_text=_(
            "Rewards are negative amounts: a reward of 100 to 500 yuan has lowest -500, "
            "highest -100."
        ),
    )
    max_amount = models.DecimalField(
        _("highest amount"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: no upper limit."),
    )
    falls_on = models.CharField(_("falls on"), max_length=10, choices=FallsOn.choices)
    origin = models.CharField(_("proposed by"), max_length=10, choices=Origin.choices)
    effect = models.CharField(
        _("effect on confirmation"), max_length=20, choices=Effect.choices, blank=True
    )
    is_reward = models.BooleanField(_("reward"), default=False)
    is_active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords(excluded_fields=["description"])

    class Meta:
        verbose_name = _("penalty rule")
        verbose_name_plural = _("penalty rules")
        ordering = ["is_reward", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_amount__isnull=True) | Q(max_amount__gte=models.F("min_amount")),
                name="penaltyrule_range_ordered",
            ),
            # The default fills the entry form; outside the range it would be refused there.
            models.CheckConstraint(
                condition=Q(default_amount__gte=models.F("min_amount"))
                & (Q(max_amount__isnull=True) | Q(default_amount__lte=models.F("max_amount"))),
                name="penaltyrule_default_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def label(self) -> str:
        """The name in the user's language: the seeded names are catalogue messages; a name
        the company typed in the admin shows as typed."""
        return gettext(self.name)

    @property
    def range_text(self) -> str:
        """The amounts the rule allows: '20.00', '50.00 – 100.00', or '≥ 20.00' (no limit)."""
        if self.max_amount is None:
            return f"≥ {self.min_amount}"
        if self.max_amount == self.min_amount:
            return f"{self.min_amount}"
        return f"{self.min_amount} – {self.max_amount}"

    def clean(self) -> None:
        """lowest ≤ default ≤ highest; fines are 0 or more and rewards 0 or less (the ledger
        stores rewards as negative yuan, so a month's total is what payroll deducts)."""
        errors = {}
        low, default, high = self.min_amount, self.default_amount, self.max_amount
        if low is not None and high is not None and high < low:
            errors["max_amount"] = _("The highest amount is below the lowest amount.")
        elif low is not None and default is not None and default < low:
            errors["default_amount"] = _("The default amount is below the lowest amount.")
        elif high is not None and default is not None and default > high:
            errors["default_amount"] = _("The default amount is above the highest amount.")
        if self.is_reward and (high is None or high > 0):
            errors.setdefault(
                "max_amount",
                _(
                    "A reward is entered as a negative amount (a reward of 50 yuan is -50): "
                    "give a highest amount of 0 or less."
                ),
            )
        if not self.is_reward and low is not None and low < 0:
            errors.setdefault(
                "min_amount",
                _("A fine is 0 yuan or more; for a negative amount tick the reward box."),
            )
        if errors:
            raise ValidationError(errors)

    def amount_allowed(self, amount: Decimal) -> bool:
        if amount < self.min_amount:
            return False
        return self.max_amount is None or amount <= self.max_amount


class LedgerEntry(models.Model):
    """奖惩台账: one fine or reward for one person in one month.

    `scan_key` makes the scans idempotent: one entry per (rule, person, evidence, period),
    whatever how often a scan runs. Amounts are yuan, negative for rewards; `points` carries
    the follow-up quota score (−1 per missing follow-up, 004)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        WAIVED = "waived", _("Waived")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    department = models.ForeignKey(
        "crm.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    rule = models.ForeignKey(PenaltyRule, verbose_name=_("rule"), on_delete=models.PROTECT)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    points = models.IntegerField(_("score points"), default=0)
    extra_customers = models.PositiveIntegerField(_("extra customers"), default=0)
    reason = models.TextField(_("reason"))
    month = models.DateField(_("month"), help_text=_("The first day of the payroll month."))
    occurred_on = models.DateField(_("breach date"))
    # Evidence: what the entry is about (any that apply).
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    followup = models.ForeignKey(
        "customers.FollowUp",
        verbose_name=_("follow-up"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    deal = models.ForeignKey(
        "customers.Deal",
        verbose_name=_("deal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handover = models.ForeignKey(
        "allocation.Handover",
        verbose_name=_("handover"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: proposed by a scan."),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    reversal_of = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )
    scan_key = models.CharField(_("scan key"), max_length=120, null=True, blank=True, unique=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-month", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["month", "department", "status"], name="ledger_month_dept_idx"),
            models.Index(fields=["person", "-month"], name="ledger_person_idx"),
            # INCLUDE person: "entries to decide" excludes the viewer's own and is counted on
            # every manager's and the GM's dashboard — index-only (18,000 proposed at the
            # bench: 42 ms -> a few ms for the GM; issue 19).
            models.Index(
                fields=["department", "created_at"],
                include=["person"],
                condition=Q(status="proposed"),
                name="ledger_proposed_idx",
            ),
            # Issue 19 (444,000 entries): the lists read their newest page in index order —
            # a month's ledger, a department's, the GM's queue oldest first — and the month
            # totals count from the index alone (PostgreSQL; elsewhere a plain index).
            models.Index(fields=["month", "-occurred_on", "-id"], name="ledger_month_recent_idx"),
            models.Index(
                fields=["department", "month", "-occurred_on", "-id"],
                name="ledger_dept_recent_idx",
            ),
            models.Index(
                fields=["created_at", "id"],
                condition=Q(status="proposed"),
                name="ledger_proposed_age_idx",
            ),
            models.Index(
                fields=["month", "status"],
                include=["amount", "points", "id"],
                name="ledger_month_totals_idx",
            ),
        ]
        constraints = [
            # A waiver always says why (SPEC §7); a decision always says who and when.
            models.CheckConstraint(
                condition=~Q(status="waived") | ~Q(decision_note=""),
                name="ledger_waiver_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="proposed")
                | (Q(decided_at__isnull=False) & Q(decided_by__isnull=False)),
                name="ledger_decision_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule.code} {self.person} {self.amount}"


class ClosedMonth(models.Model):
    """月结: the GM closed this payroll month; its entries are final and it takes no more."""

    month = models.DateField(_("month"), unique=True)
    closed_at = models.DateTimeField(_("closed at"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("closed month")
        verbose_name_plural = _("closed months")
        ordering = ["-month"]

    def __str__(self) -> str:
        return self.month.strftime("%Y-%m")


class DismissalReview(models.Model):
    """劝退审查: the third confirmed CONTACT_REGISTERED in 12 months (000 §4.2③) marks the
    person for dismissal review; all their customers were reclaimed at that moment."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="dismissal_reviews",
    )
    entry = models.OneToOneField(
        LedgerEntry, verbose_name=_("ledger entry"), on_delete=models.PROTECT, related_name="+"
    )
    # The confirmed strikes this review was opened for: each strike escalates at most once,
    # whatever order the entries were entered or confirmed in (SPEC §7).
    strikes = models.ManyToManyField(
        LedgerEntry, verbose_name=_("strikes"), related_name="dismissal_reviews"
    )
    opened_at = models.DateTimeField(_("opened at"))
    customers_reclaimed = models.PositiveIntegerField(_("customers reclaimed"), default=0)

    class Meta:
        verbose_name = _("dismissal review")
        verbose_name_plural = _("dismissal reviews")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return str(self.person)
