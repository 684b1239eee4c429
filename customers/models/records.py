"""Dynamic records (跟踪记录, 购买/成交, 转介, 咨询来电): evidence the rules rely on. Written
once by the services, never edited or deleted; a correction is a new record pointing back."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .archive import Contact, Customer


class LateEntry(models.Model):
    """What the entry-deadline rule (000 §3.1.d–e) needs: when it happened, when it was due,
    when it was entered, and whether that was late — the penalty scan reads these."""

    occurred_at = models.DateTimeField(_("occurred at"))
    entered_at = models.DateTimeField(_("entered at"))
    deadline = models.DateTimeField(_("entry deadline"))
    is_late = models.BooleanField(_("entered late"), default=False)

    class Meta:
        abstract = True


class FollowUp(LateEntry):
    """跟踪记录."""

    class Kind(models.TextChoices):
        HOME_VISIT = "home_visit", _("Home visit")
        CALLBACK = "callback", _("Phone call-back")
        STORE_VISIT = "store_visit", _("Store visit")
        INQUIRY = "inquiry", _("Inquiry call")
        ONLINE = "online", _("Online")
        OTHER = "other", _("Other")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        NEUTRAL = "neutral", _("Neutral")
        UNSATISFIED = "unsatisfied", _("Unsatisfied")

    # Neither foreign key has an index of its own: followup_customer_idx and followup_author_idx
    # lead with them (two single-column indexes of 20,000,000 rows, 290 MB, were redundant).
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="followups",
        db_index=False,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    content = models.TextField(_("content"), max_length=2000)
    result = models.CharField(_("result"), max_length=500, blank=True)
    next_step = models.CharField(_("next step"), max_length=500, blank=True)
    next_date = models.DateField(_("next date"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    amends = models.ForeignKey(
        "self",
        verbose_name=_("amends"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
    )
    by_holder = models.BooleanField(_("by the holder"), default=False)
    # 外勤签到: the browser's position fix, taken only when the person pressed 签到 (home visits).
    checkin_latitude = models.DecimalField(
        _("check-in latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    checkin_longitude = models.DecimalField(
        _("check-in longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    checkin_accuracy = models.PositiveIntegerField(
        _("check-in accuracy (m)"), null=True, blank=True
    )
    checkin_at = models.DateTimeField(_("check-in time"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [
            models.Index(fields=["customer", "-occurred_at", "-id"], name="followup_customer_idx"),
            # Covering: a month's follow-ups of a department's people by customer (the quota
            # of the dashboards and the department page, `penalties.services.scans.
            # quota_shortfall`) read from the index alone — 16,600 heap fetches for a store at
            # the end of a month otherwise (50-180 ms).
            models.Index(
                fields=["author", "-occurred_at"],
                include=["customer", "amends"],
                name="followup_author_idx",
            ),
            models.Index(
                fields=["author", "entered_at"], condition=Q(is_late=True), name="followup_late_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"

    @property
    def checked_in(self) -> bool:
        return self.checkin_at is not None


def visit_photo_path(instance, filename) -> str:
    """An unguessable name (the uploaded name is dropped); the extension follows the checked
    content type. Nothing under MEDIA_ROOT is served directly: `customers:visit_photo` is."""
    extension = VisitPhoto.EXTENSIONS.get(instance.content_type, "")
    return f"visits/{instance.uploaded_at:%Y/%m}/{secrets.token_urlsafe(24)}{extension}"


class VisitPhoto(models.Model):
    """A photo taken on a visit (外勤签到), attached to its follow-up; written once."""

    EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
    MAX_COUNT = 6  # per follow-up
    MAX_BYTES = 8 * 1024 * 1024  # per photo

    followup = models.ForeignKey(
        FollowUp, verbose_name=_("follow-up"), on_delete=models.PROTECT, related_name="photos"
    )
    file = models.FileField(_("file"), upload_to=visit_photo_path, max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")

    def __str__(self) -> str:
        return self.file.name


class Deal(LateEntry):
    """购买/成交 record. Sales credit goes to whoever held the customer when it was entered."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="deals"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    credited_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sales credit to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credited_deals",
    )
    product = models.CharField(_("product"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    gifts = models.CharField(_("gifts"), max_length=200, blank=True)
    points = models.PositiveIntegerField(_("points"), default=0)
    paid = models.DecimalField(_("paid"), max_digits=14, decimal_places=2, default=0)
    outstanding = models.DecimalField(_("outstanding"), max_digits=14, decimal_places=2, default=0)
    owed_reason = models.CharField(_("reason owed"), max_length=200, blank=True)
    # A deal without a positive amount (gifts, points) restarts the no-deal clock only once a
    # manager confirms it (SPEC §6).
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="deal_customer_idx"),
            models.Index(fields=["credited_to", "occurred_at"], name="deal_credit_idx"),
            # Gift or points records waiting for a manager's confirmation (the inbox).
            models.Index(
                fields=["occurred_at"],
                condition=Q(amount=0, confirmed_at__isnull=True),
                name="deal_unconfirmed_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="deal_quantity_positive"),
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(paid__gte=0) & Q(outstanding__gte=0),
                name="deal_money_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.amount}"


class Referral(models.Model):
    """转介: the customer referred somebody (or something) to the company."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("referred by"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    referred = models.ForeignKey(
        Customer,
        verbose_name=_("referred customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referred_by",
    )
    referred_name = models.CharField(_("referred (name)"), max_length=200, blank=True)
    # Normalised; a later registration with this number links the referral (SPEC §6).
    referred_phone = models.CharField(_("referred (phone)"), max_length=20, blank=True)
    what = models.CharField(_("what"), max_length=500)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    occurred_at = models.DateTimeField(_("occurred at"))
    entered_at = models.DateTimeField(_("entered at"))
    # A referral restarts the no-deal clock only once the referred customer is registered or a
    # manager has verified it (SPEC §6).
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
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="referral_customer_idx"),
            models.Index(
                fields=["referred_phone"],
                condition=Q(referred__isnull=True) & ~Q(referred_phone=""),
                name="referral_unlinked_phone_idx",
            ),
            models.Index(
                fields=["occurred_at"],
                condition=Q(referred__isnull=True, verified_at__isnull=True),
                name="referral_unproven_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.what


class InquiryCall(models.Model):
    """咨询来电 taken by anybody (000 §3.1.b). Attached to the customer whose key matches the
    number; unmatched calls keep the number so a later registration or dispute can find them."""

    phone = models.CharField(_("phone"), max_length=20, db_index=True)
    caller_name = models.CharField(_("caller"), max_length=50, blank=True)
    content = models.TextField(_("content"), max_length=2000)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inquiries",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    occurred_at = models.DateTimeField(_("occurred at"))
    entered_at = models.DateTimeField(_("entered at"))

    class Meta:
        verbose_name = _("inquiry call")
        verbose_name_plural = _("inquiry calls")
        indexes = [models.Index(fields=["customer", "-occurred_at"], name="inquiry_customer_idx")]

    def __str__(self) -> str:
        return self.phone
