"""Distribution (发放, 000 §3.4), requests (申领) and wrong-number reports (错号/空号)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DistributionBatch(models.Model):
    """发放: one decision by a manager (own department pool) or the GM (company pool) handing
    pool customers to people or, for the GM, to departments' pools."""

    class Source(models.TextChoices):
        DEPARTMENT = "department", _("Department pool")
        COMPANY = "company", _("Company pool")

    source = models.CharField(_("source pool"), max_length=20, choices=Source.choices)
    department = models.ForeignKey(
        "crm.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The department whose pool it came from (empty: the company pool)."),
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("at"))
    source_note = models.CharField(_("source note"), max_length=200, blank=True)
    exception_reason = models.CharField(
        _("new-hire exception"),
        max_length=300,
        blank=True,
        help_text=_("Why a person in their first month may receive pool customers."),
    )
    cooldown_reason = models.CharField(
        _("cool-down override"),
        max_length=300,
        blank=True,
        help_text=_(
            "Why the general manager hands customers back to a person they left within the "
            "cool-down."
        ),
    )
    claim = models.OneToOneField(
        "allocation.ClaimRequest",
        verbose_name=_("request"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="batch",
    )

    class Meta:
        verbose_name = _("distribution batch")
        verbose_name_plural = _("distribution batches")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"FF{self.pk:06d}" if self.pk else "FF"

    @property
    def reference(self) -> str:
        return str(self)


class DistributionItem(models.Model):
    batch = models.ForeignKey(
        DistributionBatch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="items"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipient_department = models.ForeignKey(
        "crm.Department",
        verbose_name=_("recipient department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    replaces = models.OneToOneField(
        "allocation.WrongNumberReport",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replacement",
    )

    class Meta:
        verbose_name = _("distributed customer")
        verbose_name_plural = _("distributed customers")

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.customer_id}"


class ClaimRequest(models.Model):
    """申领: a salesperson asks for specific pool customers; a manager decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "crm.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    customers = models.ManyToManyField(
        "customers.Customer", verbose_name=_("customers"), related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(_("at"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.CharField(_("decision reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("pool request")
        verbose_name_plural = _("pool requests")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["department", "status", "created_at"], name="claim_dept_status_idx"
            )
        ]

    def __str__(self) -> str:
        return f"SL{self.pk:06d}" if self.pk else "SL"


class WrongNumberReport(models.Model):
    """错号/空号: the only ground for a replacement, once the manager has verified it."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300)
    created_at = models.DateTimeField(_("at"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("wrong-number report")
        verbose_name_plural = _("wrong-number reports")

    def __str__(self) -> str:
        return f"{self.customer_id} {self.note}"
