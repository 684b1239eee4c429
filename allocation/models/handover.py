"""Handovers after transfer or leave (交接, 000 §3.5; SPEC §5) and disputes over unregistered
customers (纠纷, 000 §3.2.d; SPEC §3)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["Dispute", "DisputeClaim", "Handover", "HandoverItem"]


class Handover(models.Model):
    """交接: the manager's task after a person is marked as leaving or transferring. Their
    customers already sit in the department pool; the manager hands them out within the
    deadline (HANDOVER_OVERDUE otherwise, 000 §4.2⑤)."""

    class Reason(models.TextChoices):
        LEFT = "left", _("Leaving")
        TRANSFERRING = "transferring", _("Transferring")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="handovers",
    )
    department = models.ForeignKey(
        "crm.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    effective_at = models.DateTimeField(_("effective at"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"))
    due_at = models.DateTimeField(_("due at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["due_at", "id"]
        constraints = [
            # One open handover per person: a second "mark as leaving" cannot race the first.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(closed_at__isnull=True),
                name="handover_one_open_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "closed_at"], name="handover_dept_open_idx"),
            models.Index(fields=["due_at"], name="handover_due_idx"),
        ]

    def __str__(self) -> str:
        return f"JJ{self.pk:06d}" if self.pk else "JJ"

    @property
    def reference(self) -> str:
        return str(self)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class HandoverItem(models.Model):
    """One customer of a handover, in the order the manager should hand them out."""

    handover = models.ForeignKey(
        Handover, verbose_name=_("handover"), on_delete=models.PROTECT, related_name="items"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    position = models.PositiveIntegerField(_("position"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    distributed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("distributed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    distributed_at = models.DateTimeField(_("distributed at"), null=True, blank=True)
    settled_elsewhere = models.BooleanField(
        _("left the pool by another workflow"),
        default=False,
        help_text=_("The customer left the department pool other than through this handover."),
    )

    class Meta:
        verbose_name = _("handover customer")
        verbose_name_plural = _("handover customers")
        ordering = ["handover", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["handover", "customer"], name="handover_item_unique_customer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.handover} #{self.position}"

    @property
    def is_settled(self) -> bool:
        return self.distributed_at is not None


class Dispute(models.Model):
    """纠纷: two people claim a customer the database has no record of; the manager rules by
    the visit counts in their logs and the customer is registered to the winner."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RULED = "ruled", _("Ruled")

    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    winner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ruled for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ruled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ruled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ruled_at = models.DateTimeField(_("ruled at"), null=True, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("registered customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["status", "opened_at"], name="dispute_status_idx")]

    def __str__(self) -> str:
        return f"JF{self.pk:06d}" if self.pk else "JF"

    @property
    def reference(self) -> str:
        return str(self)


class DisputeClaim(models.Model):
    """One claimant of a dispute and the department they belonged to when it was opened (the
    managers of every claimant's department may see and rule on it)."""

    dispute = models.ForeignKey(
        Dispute, verbose_name=_("dispute"), on_delete=models.PROTECT, related_name="claims"
    )
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("claimant"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "crm.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("dispute claimant")
        verbose_name_plural = _("dispute claimants")
        ordering = ["dispute", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dispute", "claimant"], name="dispute_claim_unique_claimant"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dispute} {self.claimant_id}"
