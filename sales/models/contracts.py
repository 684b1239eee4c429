"""合同, 回款, 退换货 (SPEC §10; 001 附录 1(3), 2(1)–(4)).

A contract is a draft until signed; a signed contract is never edited — a change is an
amendment (补充协议), a contract of its own that points at the original and carries its own
lines (negative quantities reduce). Collections are recorded against instalments of the
collection plan; returns reverse a contract line or a purchase record (customers.Deal), which
is never edited either."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from customers.models import Settlement


class Contract(models.Model):
    """合同 (or, with `amends`, 补充协议)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    opportunity = models.ForeignKey(
        "sales.Opportunity",
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    amends = models.ForeignKey(
        "self",
        verbose_name=_("amends"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
    )
    number = models.CharField(_("contract number"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    settlement_method = models.CharField(
        _("settlement method"), max_length=20, choices=Settlement.choices
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2, default=0)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    # Sales credit (SPEC §3): whoever held the customer at `signed_at`, fixed at signing.
    credited_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sales credit to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credited_contracts",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signing entered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("signing entered at"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        indexes = [
            models.Index(fields=["customer", "-id"], name="contract_customer_idx"),
            models.Index(fields=["credited_to", "signed_at"], name="contract_credit_idx"),
            models.Index(fields=["signed_at"], name="contract_signed_idx"),
            # The managers' inbox: signed contracts credited to nobody (signed while the
            # customer sat in a pool), oldest first — 1.5 % of contracts (issue 19: the inbox
            # walked 100,000 contracts of the 90-day window, 290-350 ms -> 15 ms).
            models.Index(
                fields=["signed_at", "id"],
                condition=Q(credited_to__isnull=True, status="signed", total__gt=0),
                name="contract_uncredited_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", signed_at__isnull=True)
                | Q(status="signed", signed_at__isnull=False),
                name="contract_signed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED


class ContractLine(models.Model):
    """A line of a contract: product, quantity, unit price. An amendment's line may carry a
    negative quantity (less of something); an original contract's may not."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="lines"
    )
    product = models.CharField(_("product"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("contract line")
        verbose_name_plural = _("contract lines")
        constraints = [
            models.CheckConstraint(
                condition=~Q(quantity=0), name="contract_line_quantity_not_zero"
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="contract_line_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"


class Instalment(models.Model):
    """One instalment of the collection plan (回款计划). `paid` is the sum of its collections,
    kept by `collection_record` on the locked row so the receivables read one table."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="instalments"
    )
    seq = models.PositiveSmallIntegerField(_("instalment no."))
    due_on = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    paid = models.DecimalField(_("paid"), max_digits=14, decimal_places=2, default=0)
    settled_on = models.DateField(_("settled on"), null=True, blank=True)
    # The customer, copied so receivables per customer/department read without the contract.
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    last_reminded_on = models.DateField(_("last reminded on"), null=True, blank=True)
    # The contract is signed: set with it by `contract_sign` (a draft's plan is a proposal and
    # owes nothing), so the receivables read this table alone, without the contract.
    signed = models.BooleanField(_("contract signed"), default=False)

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["contract", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "seq"], name="instalment_seq_unique"),
            # 0 only when a reducing amendment took all of an unpaid instalment off the plan
            # (sales.services.contracts._take_off_plan); such an instalment is settled.
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="instalment_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(paid__gte=0) & Q(paid__lte=models.F("amount")),
                name="instalment_paid_within_amount",
            ),
        ]
        indexes = [
            # Receivables and overdue reminders read only the instalments still owed.
            models.Index(
                fields=["due_on", "customer"],
                condition=Q(settled_on__isnull=True),
                name="instalment_open_idx",
            ),
            models.Index(fields=["customer", "due_on"], name="instalment_customer_idx"),
            # What is owed, per customer, read from the index alone (the receivables' ageing
            # and totals; docs/performance.md "Sales pages at 1,000,000 customers").
            models.Index(
                fields=["customer"],
                include=["due_on", "amount", "paid"],
                condition=Q(settled_on__isnull=True, signed=True),
                name="instalment_owed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}#{self.seq}"

    @property
    def outstanding(self):
        return self.amount - self.paid


class Collection(models.Model):
    """回款: money received against an instalment. Written once; a mistake is corrected by a
    reversing collection (negative amount pointing at the original)."""

    instalment = models.ForeignKey(
        Instalment,
        verbose_name=_("instalment"),
        on_delete=models.PROTECT,
        related_name="collections",
    )
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="collections"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    received_on = models.DateField(_("received on"))
    method = models.CharField(_("payment method"), max_length=50, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversal",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        indexes = [
            models.Index(fields=["contract", "received_on"], name="collection_contract_idx"),
            models.Index(fields=["received_on"], name="collection_received_idx"),
            models.Index(fields=["customer", "received_on"], name="collection_customer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0, reverses__isnull=True)
                | Q(amount__lt=0, reverses__isnull=False),
                name="collection_sign_matches_reversal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.received_on}"


def attachment_path(instance, filename) -> str:
    """An unguessable name; nothing under MEDIA_ROOT is served directly (SPEC §10: attachments
    only for those who may see the customer), `sales:contract_attachment` serves it."""
    extension = ContractAttachment.EXTENSIONS.get(instance.content_type, "")
    return f"contracts/{instance.uploaded_at:%Y/%m}/{secrets.token_urlsafe(24)}{extension}"


class ContractAttachment(models.Model):
    """A scanned contract or annex (PDF or image)."""

    EXTENSIONS = {
        "application/pdf": ".pdf",
        "image/jpeg": ".jpg",
        "image/png": ".png",
        "image/webp": ".webp",
    }
    MAX_BYTES = 20 * 1024 * 1024

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("contract attachment")
        verbose_name_plural = _("contract attachments")

    def __str__(self) -> str:
        return self.original_name


class ReturnRecord(models.Model):
    """退换货: reverses quantity and amount of a contract line or a purchase record, which
    stay as they were. An exchange reverses what came back; what went out instead is a new
    sale (a purchase record or an amendment)."""

    class Kind(models.TextChoices):
        RETURN = "return", _("Return")
        EXCHANGE = "exchange", _("Exchange")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="returns",
    )
    deal = models.ForeignKey(
        "customers.Deal",
        verbose_name=_("purchase record"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="returns",
    )
    contract_line = models.ForeignKey(
        ContractLine,
        verbose_name=_("contract line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="returns",
    )
    quantity = models.DecimalField(_("quantity returned"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("amount reversed"), max_digits=14, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300)
    occurred_at = models.DateTimeField(_("occurred at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"))

    class Meta:
        verbose_name = _("return or exchange")
        verbose_name_plural = _("returns and exchanges")
        indexes = [models.Index(fields=["customer", "occurred_at"], name="return_customer_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(deal__isnull=False, contract_line__isnull=True)
                | Q(deal__isnull=True, contract_line__isnull=False),
                name="return_has_one_original",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(amount__gte=0), name="return_amounts_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"
