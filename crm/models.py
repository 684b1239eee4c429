"""Organisation core: users, departments (a tree), staff profiles with roles, calendar overrides."""

from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    """A login. People's organisational facts live on `Staff`; this holds only the account."""

    # Account changes are audited (SPEC §1); the password hash and login stamps are not history.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_full_name(self) -> str:
        # Chinese order: family name first, no space.
        return f"{self.last_name}{self.first_name}".strip()

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def __str__(self) -> str:
        return self.display_name


class Department(models.Model):
    """部门. A tree: `path` ("/1/4/") is the materialised ancestry, so a subtree is one prefix
    match and "which departments may this user see" stays one query at any depth."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    manager = models.ForeignKey(
        "crm.User",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_departments",
    )
    region = models.CharField(_("region"), max_length=100, blank=True)
    path = models.CharField(_("tree path"), max_length=255, editable=False, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="department_unique_name"),
        ]
        permissions = [
            ("view_department_customers", _("Can view the department's customers")),
            ("manage_department", _("Can manage the department")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)


class DepartmentUserObjectPermission(UserObjectPermissionBase):
    """Direct-foreign-key guardian table: department rights join on an integer key, so the
    visibility helper is a plain indexed join instead of a cast over a text object id."""

    content_object = models.ForeignKey(Department, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("department permission")
        verbose_name_plural = _("department permissions")


class Staff(models.Model):
    """员工档案: role, department, hire date and employment status of one user."""

    class Role(models.TextChoices):
        SALESPERSON = "salesperson", _("Salesperson")
        MANAGER = "manager", _("Department manager")
        GENERAL_MANAGER = "general_manager", _("General manager")
        ACCOUNTANT = "accountant", _("Accountant")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        TRANSFERRING = "transferring", _("Transferring")
        LEFT = "left", _("Left")

    user = models.OneToOneField(
        "crm.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="staff"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    assigned_departments = models.ManyToManyField(
        Department,
        verbose_name=_("assigned departments"),
        blank=True,
        related_name="accountants",
        help_text=_("Accountants: the departments whose archive records this person keeps."),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    hire_date = models.DateField(_("hire date"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    status_effective_at = models.DateTimeField(
        _("status effective at"),
        null=True,
        blank=True,
        help_text=_("When a transfer or departure takes effect; login ends at this moment."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["department__path", "role", "user__username"]
        indexes = [models.Index(fields=["status", "status_effective_at"])]

    def __str__(self) -> str:
        return self.user.display_name

    def has_left(self, *, now: datetime) -> bool:
        """True from the moment a departure takes effect (002 §3.3)."""
        return (
            self.status == self.Status.LEFT
            and self.status_effective_at is not None
            and self.status_effective_at <= now
        )

    def is_new_hire(self, *, today: date, months: int) -> bool:
        """In the first `months` after the hire date (000 §3.4: no pool customers then)."""
        return today < self.hire_date + relativedelta(months=months)


class WorkdayOverride(models.Model):
    """工作日调整: wins over the chinesecalendar package, and covers years it does not know."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("is a working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}"


class Notification(models.Model):
    """站内通知: in-app message to one person (e-mail too when mail is configured)."""

    recipient = models.ForeignKey(
        "crm.User",
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), max_length=2000, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title
