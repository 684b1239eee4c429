"""The daily visitor register (日来店顾客登记表, 004 第二章, 第三章 一–三), the home-decoration
consultants' pre-registrations that decide a visitor's source (界定客户有效性), and the weekly
对单 with the market manager (SPEC §12)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from customers.models import Grade, Source

from .people import DesignStyle, Occupation


class FocusPoint(models.TextChoices):
    """客户关注点 (004 第二章 三): what the visitor chooses by."""

    BRAND = "brand", _("Brand")
    DESIGN = "design", _("Design")
    PRICE = "price", _("Price")
    MATERIALS = "materials", _("Materials and environmental protection")
    SERVICE = "service", _("Service")
    REPUTATION = "reputation", _("Reputation")
    QUALITY = "quality", _("Construction quality")
    PROMOTION = "promotion", _("Promotions")
    CRAFT = "craft", _("Craft standards")


class Gender(models.TextChoices):
    UNKNOWN = "", _("Not given")
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class PreRegistration(models.Model):
    """家装顾问告知顾客来店 (004 界定客户有效性): the consultant announces a customer before they
    come — name, gender, phone, 小区. Matched to the visitor when they arrive; the consultant
    is credited only through a match or the store manager's decision."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for the visit")
        MATCHED = "matched", _("Matched")
        EXPIRED = "expired", _("Expired")

    store = models.ForeignKey(
        "crm.Department", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+"
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("home-decoration consultant"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("customer name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=30)
    phone_key = models.CharField(max_length=30, editable=False, db_index=True)
    community = models.CharField(_("residential community"), max_length=100)
    expected_on = models.DateField(_("expected visit"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("consultant's pre-registration")
        verbose_name_plural = _("consultants' pre-registrations")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["store", "status"], name="prereg_store_status_idx")]

    def __str__(self) -> str:
        return self.name


class Visit(models.Model):
    """One line of the 日来店顾客登记表 — or of the phone-inquiry record (电话咨询). Every visitor
    is counted, named or not (004 第三章 三.2.A); a visitor with contact details becomes (or is
    linked to) a customer under the registration rules (SPEC §3, §5)."""

    class Kind(models.TextChoices):
        STORE = "store", _("Store visit")
        PHONE = "phone", _("Phone inquiry")

    class SourceStatus(models.TextChoices):
        """界定客户有效性: the source as told, checked against the consultants' notices."""

        CONFIRMED = "confirmed", _("Confirmed")
        TO_CHECK = "to_check", _("Mismatch: for the store manager")
        DECIDED = "decided", _("Decided by the store manager")

    store = models.ForeignKey(
        "crm.Department", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.STORE)
    occurred_at = models.DateTimeField(_("time"))
    # A phone inquiry counts in 电话咨询人数 only the first time (004 "所有初次电话咨询的客户").
    is_first_inquiry = models.BooleanField(_("first inquiry"), default=True)
    visitor_name = models.CharField(_("visitor"), max_length=50, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    community = models.CharField(_("residential community"), max_length=100, blank=True)
    house_area = models.DecimalField(
        _("house area (m²)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    is_off_plan = models.BooleanField(_("off-plan house"), default=False)  # 期房
    budget = models.DecimalField(
        _("budget (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    preferred_style = models.CharField(
        _("preferred style"), max_length=20, choices=DesignStyle.choices, blank=True
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    occupation = models.CharField(
        _("occupation"), max_length=20, choices=Occupation.choices, blank=True
    )
    focus_points = models.JSONField(_("focus points"), default=list, blank=True)
    intent_grade = models.CharField(
        _("intent grade"), max_length=1, choices=Grade.choices, default=Grade.D
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # 界定客户有效性
    source_status = models.CharField(
        _("source check"),
        max_length=10,
        choices=SourceStatus.choices,
        default=SourceStatus.CONFIRMED,
    )
    pre_registration = models.OneToOneField(
        PreRegistration,
        verbose_name=_("consultant's pre-registration"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visit",
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("credited consultant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("source decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source_decided_at = models.DateTimeField(_("source decided at"), null=True, blank=True)
    source_decision_note = models.CharField(_("decision note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    # Entered after the end of the visit's day (004 "每日必须…在下班前输入"): −1 on the customer
    # manager's 信息管理 score, like an incomplete line.
    is_late_entry = models.BooleanField(_("entered late"), default=False)
    is_incomplete = models.BooleanField(_("incomplete"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visitor register line")
        verbose_name_plural = _("visitor register")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["store", "-occurred_at"], name="visit_store_time_idx"),
            models.Index(fields=["recorded_by", "occurred_at"], name="visit_recorder_idx"),
            models.Index(
                fields=["store"],
                condition=Q(source_status="to_check"),
                name="visit_to_check_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.visitor_name or str(_("Anonymous visitor"))


class WeeklyReconciliation(models.Model):
    """每周与市场部经理对单 (004 界定客户有效性): the customer manager and the market manager go
    through the week's register and dispatches; the sign-off keeps the counts they agreed."""

    store = models.ForeignKey(
        "crm.Department", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+"
    )
    week_start = models.DateField(_("week starting"), help_text=_("A Monday."))
    market_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("market manager"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    visits = models.PositiveIntegerField(_("register lines"))
    dispatches = models.PositiveIntegerField(_("dispatches"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed at"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("weekly reconciliation")
        verbose_name_plural = _("weekly reconciliations")
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(fields=["store", "week_start"], name="reconciliation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.store} {self.week_start}"
