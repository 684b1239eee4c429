"""派单 (004 五; SPEC §12): the customer manager proposes a designer for a customer from the
ranking the system shows, the store manager confirms (the GM while the store manager is away),
and the dispatch then follows the order: plan, deposit, signing. The dispatch keeps the ranking
shown at the time, so fairness can be audited (公平公正). The same row is the 顾客咨询登记表: it
names the designer and carries the store manager's signature, marked 补签 when signed later."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Dispatch(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Not confirmed")
        REFUSED = "refused", _("Refused by the designer")
        CLOSED = "closed", _("Closed")

    class ConfirmedAs(models.TextChoices):
        STORE_MANAGER = "store_manager", _("Store manager")
        GM_AUTHORISED = "gm", _("General manager (store manager away)")

    store = models.ForeignKey(
        "crm.Department", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    visit = models.ForeignKey(
        "stores.Visit",
        verbose_name=_("visitor register line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispatches",
    )
    designer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("designer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    is_big_order = models.BooleanField(_("big order"), default=False)
    is_off_plan = models.BooleanField(_("off-plan house"), default=False)  # 期房
    # The ranking as shown when proposed: [{"designer": id, "name": str, "place": n or None,
    # "keys": {...}, "excluded": [reason codes]}] — the audit of 公平公正.
    ranking = models.JSONField(_("ranking shown"), default=list)
    # Proposing anyone but the first eligible designer needs a reason (004 五 选派 5: the
    # customer's special wishes), kept with the dispatch.
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    confirmed_as = models.CharField(
        _("confirmed as"), max_length=20, choices=ConfirmedAs.choices, blank=True
    )
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    # 顾客咨询登记表: the store manager's signature; 补签 when signed after the dispatch was
    # confirmed in their absence.
    manager_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by the store manager"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    manager_signed_at = models.DateTimeField(_("store manager signed at"), null=True, blank=True)
    is_countersigned_later = models.BooleanField(_("countersigned later (补签)"), default=False)
    refused_at = models.DateTimeField(_("refused at"), null=True, blank=True)
    refusal_reason = models.CharField(_("refusal reason"), max_length=500, blank=True)
    # The order's progress (what the ranking and the store's rates read).
    plan_at = models.DateTimeField(_("plan presented"), null=True, blank=True)
    deposit_at = models.DateTimeField(_("deposit received"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    signed_amount = models.DecimalField(
        _("signed amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            # One live dispatch per customer: a second needs the first refused, rejected or
            # closed (the database decides between two customer managers).
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(status__in=["proposed", "confirmed"]),
                name="dispatch_one_live_per_customer",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "-proposed_at"], name="dispatch_store_idx"),
            models.Index(fields=["designer", "status"], name="dispatch_designer_idx"),
            models.Index(fields=["store", "signed_at"], name="dispatch_signed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} → {self.designer}"
