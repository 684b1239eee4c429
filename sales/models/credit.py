"""Sales credit (业绩), dormant customers and credit transfers (000 §3.2.c, e, f; SPEC §3, §10).

`SalesCredit` is the one table every sales figure reads (ranking, sales by month, the funnel's
won amounts): a row per person and sale — a purchase record, a signed contract or amendment, a
return (negative), or one side of an approved and recorded credit transfer. The sales themselves
are never edited; adjustments are further rows."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SalesCredit(models.Model):
    class Kind(models.TextChoices):
        DEAL = "deal", _("Purchase record")
        CONTRACT = "contract", _("Signed contract")
        RETURN = "return", _("Return or exchange")
        TRANSFER = "transfer", _("Credit transfer")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Null: a sale made while the customer sat in a pool (credited to nobody, SPEC §3).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("credited to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The credited person's department when the row was written (ranking by department);
    # for an uncredited sale, the customer's.
    department = models.ForeignKey(
        "crm.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    on_date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, default=0)
    deal = models.ForeignKey(
        "customers.Deal", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contract = models.ForeignKey(
        "sales.Contract", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_record = models.ForeignKey(
        "sales.ReturnRecord", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    transfer = models.ForeignKey(
        "sales.CreditTransfer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("sales credit")
        verbose_name_plural = _("sales credit")
        indexes = [
            models.Index(fields=["user", "on_date"], name="credit_user_idx"),
            models.Index(fields=["department", "on_date"], name="credit_department_idx"),
            # The ranking and the yearly totals read a period's rows from the index alone.
            models.Index(
                fields=["on_date"],
                include=["user", "department", "amount"],
                name="credit_date_cover_idx",
            ),
            models.Index(fields=["customer", "on_date"], name="credit_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class DormantMark(models.Model):
    """沉默客户: marked by the data administrator (an accountant of the customer's department)
    with a reason; cleared when a cross-sale is approved or the mark is withdrawn."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="dormant_marks",
    )
    reason = models.CharField(_("reason"), max_length=300)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    marked_at = models.DateTimeField(_("marked at"))
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cleared by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    cleared_reason = models.CharField(_("why cleared"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("dormant mark")
        verbose_name_plural = _("dormant marks")
        constraints = [
            # At most one standing mark per customer.
            models.UniqueConstraint(
                fields=["customer"], condition=Q(cleared_at__isnull=True), name="dormant_one_open"
            )
        ]

    def __str__(self) -> str:
        return self.reason


class Decision(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RECORDED = "recorded", _("Recorded by finance")


class CrossSale(models.Model):
    """交叉销售 (000 §3.2.e): a salesperson sold to a dormant customer; once the manager approves,
    the customer (ownership kind 交叉销售) and the sale (a purchase record credited to the seller)
    go to the seller."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    dormant_mark = models.ForeignKey(
        DormantMark,
        verbose_name=_("dormant mark"),
        on_delete=models.PROTECT,
        related_name="cross_sales",
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("seller"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    product = models.CharField(_("product"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    occurred_at = models.DateTimeField(_("sold at"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    status = models.CharField(
        _("status"), max_length=10, choices=Decision.choices, default=Decision.PENDING
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
    deal = models.OneToOneField(
        "customers.Deal",
        verbose_name=_("purchase record"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("cross-sale")
        verbose_name_plural = _("cross-sales")
        indexes = [models.Index(fields=["status", "requested_at"], name="cross_sale_status_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(status="pending"), name="cross_sale_one_pending"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(amount__gt=0), name="cross_sale_amounts_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.amount}"


class CreditTransfer(models.Model):
    """划转销量/划分提成 (000 §3.2.f): the data administrator proposes moving credit of one sale
    (a purchase record or a signed contract) between people; the department manager approves;
    finance (an accountant) records it, which writes the SalesCredit rows. The sale is never
    edited."""

    deal = models.ForeignKey(
        "customers.Deal",
        verbose_name=_("purchase record"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    contract = models.ForeignKey(
        "sales.Contract",
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_transfers",
    )
    reason = models.CharField(_("reason"), max_length=500)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    status = models.CharField(
        _("status"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.CharField(_("decision reason"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("credit transfer")
        verbose_name_plural = _("credit transfers")
        indexes = [
            models.Index(fields=["status", "proposed_at"], name="credit_transfer_status_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(deal__isnull=False, contract__isnull=True)
                | Q(deal__isnull=True, contract__isnull=False),
                name="credit_transfer_one_sale",
            ),
        ]

    def __str__(self) -> str:
        return self.reason


class CreditShare(models.Model):
    """One move inside a transfer: `amount` of credit from one person to another."""

    transfer = models.ForeignKey(
        CreditTransfer,
        verbose_name=_("credit transfer"),
        on_delete=models.PROTECT,
        related_name="shares",
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("from"), on_delete=models.PROTECT, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("credit share")
        verbose_name_plural = _("credit shares")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_share_positive"),
            models.CheckConstraint(
                condition=~Q(from_user=models.F("to_user")), name="credit_share_two_people"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount}"
