"""投诉 (SPEC §11; 003 四, 004 客户投诉处理流程).

A complaint is taken by any member of staff (the store clerk at the counter), routed to a
responsible person and department, and moves 受理 → 调查 → 处理 → 客户满意确认 → 归档; each
step keeps who and when on the complaint and a `ComplaintEvent` row. The first response (the
start of the investigation, 立即反应) is due by `response_due`; the deadline task reminds the
responsible person once and escalates to the department manager once when it is missed. A
complaint verified as "contacted another's registered customer" links the CONTACT_REGISTERED
ledger proposal it produced (`ledger_entry`, one per complaint)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ComplaintCategory(models.Model):
    """投诉分类, kept by the GM in the admin; a retired category keeps its complaints."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """Seeded names are catalogue messages; a name typed in the admin shows as typed."""
        return gettext(self.name)


class Complaint(models.Model):
    class Step(models.TextChoices):
        RECEIVED = "received", _("Received")
        INVESTIGATING = "investigating", _("Investigating")
        HANDLING = "handling", _("Handling")
        CONFIRMED = "confirmed", _("Satisfaction confirmed")
        ARCHIVED = "archived", _("Archived")

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    complainant = models.CharField(_("complainant"), max_length=100)
    complainant_phone = models.CharField(_("complainant's phone"), max_length=30, blank=True)
    category = models.ForeignKey(
        ComplaintCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    content = models.TextField(_("content"))
    department = models.ForeignKey(
        "crm.Department",
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        related_name="complaints_responsible",
    )
    step = models.CharField(_("step"), max_length=15, choices=Step.choices, default=Step.RECEIVED)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    taken_at = models.DateTimeField(_("taken at"))
    response_due = models.DateTimeField(_("first response due"))
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    investigated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("investigation started by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    investigated_at = models.DateTimeField(_("investigation started at"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("satisfaction confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("satisfaction confirmed at"), null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("archived by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    # Verified breach: someone contacted another's registered customer (000 §4.2③).
    breach_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person who contacted the customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    breach_on = models.DateField(_("breach date"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    ledger_entry = models.OneToOneField(
        "penalties.LedgerEntry",
        verbose_name=_("ledger entry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaint",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["department", "-id"], name="complaint_dept_idx"),
            models.Index(fields=["taken_at"], name="complaint_taken_idx"),
            models.Index(
                fields=["response_due"],
                condition=Q(step="received"),
                name="complaint_waiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Complaint %(number)s") % {"number": self.number}

    @property
    def number(self) -> str:
        """投诉编号, a document number like a contract's (TS20261130-0003): the day it was taken
        (Asia/Shanghai) and the serial; pages never show a bare id."""
        return f"TS{timezone.localtime(self.taken_at):%Y%m%d}-{self.pk:04d}"

    @property
    def is_closed(self) -> bool:
        return self.step == self.Step.ARCHIVED

    def overdue(self, now) -> bool:
        return self.step == self.Step.RECEIVED and now >= self.response_due


class ComplaintEvent(models.Model):
    """One line of a complaint's history: each step, each verification, each reminder."""

    class Kind(models.TextChoices):
        TAKEN = "taken", _("Complaint received")
        INVESTIGATING = "investigating", _("Investigation started")
        VERIFIED = "verified", _("Verified: contacted another's registered customer")
        HANDLING = "handling", _("Handling recorded")
        NOT_SATISFIED = "not_satisfied", _("Customer not satisfied")
        CONFIRMED = "confirmed", _("Customer satisfied")
        ARCHIVED = "archived", _("Archived")
        REMINDED = "reminded", _("Reminder sent")
        ESCALATED = "escalated", _("Escalated to the manager")

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=15, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()
