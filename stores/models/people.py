"""The store's people (004 一, 五.5; SPEC §12): designer levels, designer profiles, their
monthly 主材 figures, daily attendance, 外出登记, and the store manager's absences."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords


class DesignStyle(models.TextChoices):
    """作品风格: a designer's styles and the style a visitor prefers (fit, 004 五 选派 5)."""

    MODERN = "modern", _("Modern minimalist")
    CHINESE = "chinese", _("New Chinese")
    EUROPEAN = "european", _("European")
    AMERICAN = "american", _("American")
    NORDIC = "nordic", _("Nordic")
    # Django itself translates "Japanese" as the language (日语): a context of our own.
    JAPANESE = "japanese", pgettext_lazy("design style", "Japanese")
    MEDITERRANEAN = "mediterranean", _("Mediterranean")
    INDUSTRIAL = "industrial", _("Industrial")
    LIGHT_LUXURY = "light_luxury", _("Light luxury")


class Occupation(models.TextChoices):
    """来店顾客职业 (004 第二章 三 客户分类): also the customer types a designer suits."""

    ENTREPRENEUR = "entrepreneur", _("Entrepreneur")
    EDUCATION = "education", _("Education")
    FREELANCE = "freelance", _("Freelancer")
    STATE_OWNED = "state_owned", _("State-owned enterprise employee")
    FOREIGN = "foreign", _("Foreign enterprise")
    PRIVATE = "private", _("Private enterprise")
    OTHER = "other", _("Other")


class DesignerLevel(models.Model):
    """设计师职级 (助理/设计师/主任/首席 …), kept by the GM in the admin. `rank`: higher is more
    senior. Big orders go to senior or design-fee-charging designers first (004 五 选派 6)."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("Higher is more senior."))
    is_senior = models.BooleanField(
        _("senior"), default=False, help_text=_("Big orders go to senior designers first.")
    )
    charges_design_fee = models.BooleanField(_("charges a design fee"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("designer level")
        verbose_name_plural = _("designer levels")
        ordering = ["-rank", "name"]

    def __str__(self) -> str:
        return self.name


class DesignerProfile(models.Model):
    """设计师档案 (004 五.5): what the customer manager must know to propose a designer. The
    designer is a member of staff with the position 设计师 in a store."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("designer"),
        on_delete=models.PROTECT,
        related_name="designer_profile",
    )
    level = models.ForeignKey(
        DesignerLevel, verbose_name=_("level"), on_delete=models.PROTECT, related_name="+"
    )
    school = models.CharField(_("school"), max_length=100, blank=True)
    work_history = models.TextField(
        _("work history"), max_length=2000, blank=True, help_text=_("Cities and companies.")
    )
    styles = models.JSONField(_("styles"), default=list, blank=True)  # DesignStyle values
    awards = models.TextField(_("awards"), max_length=2000, blank=True)
    published_works = models.TextField(_("published works"), max_length=2000, blank=True)
    suited_customers = models.JSONField(
        _("suited customer types"), default=list, blank=True
    )  # Occupation values
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("designer profile")
        verbose_name_plural = _("designer profiles")

    def __str__(self) -> str:
        return str(self.user)


class DesignerMonth(models.Model):
    """A designer's 主材 sales in a month (主材考核, 004 五 选派 1), entered by the store
    manager from the material sales figures; ranking reads the previous month's."""

    designer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("designer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    main_material_sales = models.DecimalField(
        _("main-material sales (yuan)"), max_digits=14, decimal_places=2
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("designer's main-material sales")
        verbose_name_plural = _("designers' main-material sales")
        ordering = ["-month", "designer"]
        constraints = [
            models.UniqueConstraint(fields=["designer", "month"], name="designermonth_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.designer} {self.month:%Y-%m}"


class Attendance(models.Model):
    """设计师考勤 (004 二.7, 五.6): one row per designer and day, kept by the customer managers.
    Absent, late and early-leave days count towards "repeated absence" (no dispatch)."""

    class Status(models.TextChoices):
        PRESENT = "present", _("On duty")
        LATE = "late", _("Late")
        EARLY_LEAVE = "early_leave", _("Left early")
        ABSENT = "absent", _("Absent without leave")
        LEAVE = "leave", _("On leave")
        REST = "rest", _("Day off")

    store = models.ForeignKey(
        "crm.Department", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+"
    )
    designer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("designer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    day = models.DateField(_("day"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["-day", "designer"]
        constraints = [
            models.UniqueConstraint(fields=["designer", "day"], name="attendance_unique_day"),
        ]
        indexes = [models.Index(fields=["store", "day"], name="attendance_store_day_idx")]

    def __str__(self) -> str:
        return f"{self.designer} {self.day}"


class Outing(models.Model):
    """外出登记 (004 五.6): a designer leaving the store during working hours, registered by a
    customer manager with the time out and, on return, the time back."""

    store = models.ForeignKey(
        "crm.Department", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+"
    )
    designer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("designer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    out_at = models.DateTimeField(_("time out"))
    back_at = models.DateTimeField(_("time back"), null=True, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    back_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("return recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    back_recorded_at = models.DateTimeField(_("return recorded at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("outing")
        verbose_name_plural = _("outings")
        ordering = ["-out_at", "-pk"]
        indexes = [
            models.Index(fields=["store", "-out_at"], name="outing_store_idx"),
            models.Index(
                fields=["designer"], condition=Q(back_at__isnull=True), name="outing_open_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.designer} {self.purpose}"


class ManagerAway(models.Model):
    """店经理不在 (休假、外出开会): while it covers the moment, the GM authorises dispatches
    instead of the store manager (004 五 派单制度 2), and the manager countersigns the
    consultation form later, marked 补签."""

    store = models.ForeignKey(
        "crm.Department", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("store manager's absence")
        verbose_name_plural = _("store manager's absences")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["store", "ends_at"], name="manageraway_store_idx")]

    def __str__(self) -> str:
        return self.reason
