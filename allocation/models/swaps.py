"""Swaps (交换申请, 000 §4.2④; SPEC §5): two salespeople agree to exchange customers on a written
application; the department manager approves, and across departments the next manager up (the
manager of the lowest common parent department, else the GM) approves as well."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["SwapApproval", "SwapItem", "SwapRequest"]


class SwapRequest(models.Model):
    """交换申请: A (proposer) gives some of A's customers for some of B's (counterpart)."""

    class Status(models.TextChoices):
        AWAITING_COUNTERPART = "awaiting_counterpart", _("Waiting for the counterpart")
        AWAITING_APPROVAL = "awaiting_approval", _("Waiting for approval")
        EXECUTED = "executed", _("Executed")
        DECLINED = "declined", _("Declined by the counterpart")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed")

    OPEN_STATUSES = (Status.AWAITING_COUNTERPART, Status.AWAITING_APPROVAL)

    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    counterpart = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("counterpart"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Departments as they were when the application was written: they decide who approves.
    proposer_department = models.ForeignKey(
        "crm.Department",
        verbose_name=_("proposer's department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    counterpart_department = models.ForeignKey(
        "crm.Department",
        verbose_name=_("counterpart's department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_cross_department = models.BooleanField(_("across departments"), default=False)
    upper_department = models.ForeignKey(
        "crm.Department",
        verbose_name=_("approving parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "Across departments: the lowest common parent department, whose manager approves "
            "as well (empty: the general manager)."
        ),
    )
    reason = models.TextField(_("written application"), max_length=1000)
    created_at = models.DateTimeField(_("proposed at"))
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.AWAITING_COUNTERPART
    )
    counterpart_decided_at = models.DateTimeField(
        _("counterpart decided at"), null=True, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closing_reason = models.CharField(
        _("reason for the outcome"),
        max_length=500,
        blank=True,
        help_text=_("Why it was declined, rejected or failed."),
    )

    class Meta:
        verbose_name = _("swap request")
        verbose_name_plural = _("swap requests")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="swap_status_idx"),
            models.Index(fields=["counterpart", "status"], name="swap_counterpart_idx"),
            models.Index(fields=["proposer", "-created_at"], name="swap_proposer_idx"),
        ]

    def __str__(self) -> str:
        return f"JH{self.pk:06d}" if self.pk else "JH"

    @property
    def reference(self) -> str:
        return str(self)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def required_levels(self) -> list[str]:
        if self.is_cross_department:
            return [SwapApproval.Level.DEPARTMENT, SwapApproval.Level.UPPER]
        return [SwapApproval.Level.DEPARTMENT]


class SwapItem(models.Model):
    """One customer of a swap and the move it makes: from its holder at proposal time (the
    expected holder when the swap executes) to the other party."""

    swap = models.ForeignKey(
        SwapRequest, verbose_name=_("swap"), on_delete=models.CASCADE, related_name="items"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("from"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("to"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("swapped customer")
        verbose_name_plural = _("swapped customers")
        ordering = ["customer_id"]
        constraints = [
            models.UniqueConstraint(fields=["swap", "customer"], name="swap_item_unique_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.swap} {self.customer_id}"


class SwapApproval(models.Model):
    """One approval step of a swap: who approved, when, why. One row per step."""

    class Level(models.TextChoices):
        DEPARTMENT = "department", _("Department manager")
        UPPER = "upper", _("Next manager up")

    swap = models.ForeignKey(
        SwapRequest, verbose_name=_("swap"), on_delete=models.CASCADE, related_name="approvals"
    )
    level = models.CharField(_("step"), max_length=20, choices=Level.choices)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("swap approval")
        verbose_name_plural = _("swap approvals")
        ordering = ["approved_at", "id"]
        constraints = [
            # A step is approved once: a second click (or a racing one) cannot record it again.
            models.UniqueConstraint(fields=["swap", "level"], name="swap_approval_unique_level"),
        ]

    def __str__(self) -> str:
        return f"{self.swap} {self.level}"
