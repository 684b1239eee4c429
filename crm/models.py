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

    # Set whenever somebody else set this password (an administrator's reset, a new account):
    # the person chooses their own at the next login, so nobody else keeps knowing it (SPEC §9).
    must_change_password = models.BooleanField(
        _("must change password at next login"), default=False
    )
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

    class Kind(models.TextChoices):
        GENERAL = "", _("Department")
        # 店面 (004, SPEC §12): receives visitors and dispatches designers; its manager is the
        # 店经理. The same ownership, reclaim and ledger rules apply to its customers.
        STORE = "store", _("Store")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, blank=True, default="")
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

    class Position(models.TextChoices):
        """岗位 in a store (004 一): a job on top of the rights role. A customer manager,
        designer, home-decoration consultant or draftsman holds the salesperson role (they
        hold and register customers); the store manager is the store's department manager."""

        NONE = "", _("(none)")
        CUSTOMER_MANAGER = "customer_manager", _("Customer manager")
        DESIGNER = "designer", _("Designer")
        HOME_CONSULTANT = "home_consultant", _("Home-decoration consultant")
        DRAFTSMAN = "draftsman", _("Draftsman")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        TRANSFERRING = "transferring", _("Transferring")
        LEFT = "left", _("Left")

    user = models.OneToOneField(
        "crm.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="staff"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    position = models.CharField(
        _("position"), max_length=20, choices=Position.choices, blank=True, default=""
    )
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


class LoginEvent(models.Model):
    """登录日志: one row per log-in attempt through a form (SPEC §9, 002 §3): who was tried,
    when, from where, with which browser, and how it ended. Written by `crm.accounts`."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Logged in")
        FAILURE = "failure", _("Wrong username or password")
        LOCKED = "locked", _("Locked out")

    at = models.DateTimeField(_("time"))
    # What was typed (failures) or the account's username (successes); never a password.
    username = models.CharField(_("username tried"), max_length=150)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)
    path = models.CharField(_("page"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("log-in record")
        verbose_name_plural = _("log-in records")
        ordering = ["-id"]
        # The log page pages by id, newest first, optionally for one username or one outcome.
        indexes = [
            models.Index(fields=["username", "-id"], name="loginevent_username_idx"),
            models.Index(fields=["outcome", "-id"], name="loginevent_outcome_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.get_outcome_display()} {self.at:%Y-%m-%d %H:%M}"


class AccountChange(models.Model):
    """账户变更: a password set, a role, department or status changed, department rights
    assigned — with the value before and after, who did it, when and where (SPEC §9, 002 §3).
    Passwords are recorded as "set", never as a hash. Written by `crm.accounts`."""

    class Field(models.TextChoices):
        PASSWORD = "password", _("Password")
        ROLE = "role", _("Role")
        DEPARTMENT = "department", _("Department")
        ASSIGNED_DEPARTMENTS = "assigned_departments", _("Assigned departments")
        MANAGED_DEPARTMENT = "managed_department", _("Managed department")
        STATUS = "status", _("Employment status")
        STATUS_EFFECTIVE_AT = "status_effective_at", _("Status effective at")
        IS_ACTIVE = "is_active", _("Account switched on")
        IS_SUPERUSER = "is_superuser", _("Superuser")

    class Source(models.TextChoices):
        ADMIN = "admin", _("Administration")
        SELF = "self", _("Own password change")
        PAGE = "page", _("Page")
        SYSTEM = "system", _("System (job or command)")

    at = models.DateTimeField(_("time"))
    user = models.ForeignKey(
        "crm.User",
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="account_changes",
        db_index=False,  # the (user, -id) index below serves it
    )
    actor = models.ForeignKey(
        "crm.User",
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # nothing reads by actor
    )
    field = models.CharField(_("what changed"), max_length=30, choices=Field.choices)
    before = models.CharField(_("before"), max_length=500, blank=True)
    after = models.CharField(_("after"), max_length=500, blank=True)
    source = models.CharField(_("where"), max_length=10, choices=Source.choices)
    path = models.CharField(_("page"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("account change")
        verbose_name_plural = _("account changes")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["user", "-id"], name="accountchange_user_idx"),
            models.Index(fields=["field", "-id"], name="accountchange_field_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_field_display()} {self.at:%Y-%m-%d %H:%M}"


class Backup(models.Model):
    """数据备份 (002 §4.3; SPEC §9): one nightly dump of the database, its manifest (row counts
    and checksums per table at dump time, beside the file) and the result of restoring it into
    a scratch database and comparing."""

    file_name = models.CharField(_("file"), max_length=200, unique=True)
    engine = models.CharField(_("database"), max_length=20)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    size = models.BigIntegerField(_("size (bytes)"), default=0)
    is_ok = models.BooleanField(_("succeeded"), default=False)
    error = models.TextField(_("error"), blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    is_verified = models.BooleanField(_("verified"), null=True, blank=True)
    verify_message = models.TextField(_("verification"), blank=True)
    pruned_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("backup")
        verbose_name_plural = _("backups")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return self.file_name


class ChannelConfig(models.Model):
    """工作消息配置 (SPEC §9): the company's one row saying which channels carry notifications
    besides the in-app centre, and the WeCom (企业微信) / DingTalk (钉钉) credentials. Kept by
    the general manager in the admin; secrets are never shown back in full (crm/channels)."""

    email_enabled = models.BooleanField(_("e-mail on"), default=True)
    wecom_enabled = models.BooleanField(_("WeCom application messages on"), default=False)
    wecom_corpid = models.CharField(_("WeCom CorpID"), max_length=64, blank=True)
    wecom_secret = models.CharField(_("WeCom application Secret"), max_length=128, blank=True)
    wecom_agentid = models.PositiveIntegerField(_("WeCom AgentId"), null=True, blank=True)
    wecom_robot_enabled = models.BooleanField(_("WeCom group robot on"), default=False)
    wecom_robot_key = models.CharField(
        _("WeCom group robot webhook key"), max_length=128, blank=True
    )
    dingtalk_enabled = models.BooleanField(_("DingTalk work notifications on"), default=False)
    dingtalk_appkey = models.CharField(_("DingTalk AppKey"), max_length=64, blank=True)
    dingtalk_appsecret = models.CharField(_("DingTalk AppSecret"), max_length=128, blank=True)
    dingtalk_agent_id = models.PositiveBigIntegerField(_("DingTalk AgentId"), null=True, blank=True)
    dingtalk_robot_enabled = models.BooleanField(_("DingTalk group robot on"), default=False)
    dingtalk_robot_token = models.CharField(
        _("DingTalk group robot access_token"), max_length=128, blank=True
    )
    dingtalk_robot_secret = models.CharField(
        _("DingTalk group robot signing secret (加签)"), max_length=128, blank=True
    )

    class Meta:
        verbose_name = _("work messaging configuration")
        verbose_name_plural = _("work messaging configuration")

    def __str__(self) -> str:
        return str(_("Work messaging configuration"))


class ChannelPreference(models.Model):
    """消息接收设置: where one person wants their notifications besides the in-app centre, and
    who they are in WeCom / DingTalk (the userid the company's directory gives them)."""

    user = models.OneToOneField(
        "crm.User",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="channel_preference",
    )
    wecom_userid = models.CharField(_("WeCom userid"), max_length=64, blank=True)
    dingtalk_userid = models.CharField(_("DingTalk userid"), max_length=64, blank=True)
    wants_email = models.BooleanField(_("by e-mail"), default=True)
    wants_wecom = models.BooleanField(_("by WeCom"), default=True)
    wants_dingtalk = models.BooleanField(_("by DingTalk"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)


class NotificationDelivery(models.Model):
    """消息投递: one notification (or one company broadcast) to one outside channel. Written
    with the notification in the same transaction, sent by Celery after commit, retried with
    backoff; the in-app notification never depends on it (crm/channels/delivery.py)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WECOM = "wecom", _("WeCom application message")
        WECOM_ROBOT = "wecom_robot", _("WeCom group robot")
        DINGTALK = "dingtalk", _("DingTalk work notification")
        DINGTALK_ROBOT = "dingtalk_robot", _("DingTalk group robot")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    # Where it goes, fixed when queued: an e-mail address or a WeCom/DingTalk userid; empty
    # for a group robot.
    address = models.CharField(_("address"), max_length=254, blank=True)
    # A broadcast's own text (a notification's deliveries read the notification's).
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("body"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"))
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification delivery")
        verbose_name_plural = _("notification deliveries")
        ordering = ["-id"]
        indexes = [
            # The retry sweep: pending deliveries whose next attempt is due.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="delivery_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.address}".strip()


class JobPeriodRun(models.Model):
    """定时任务运行记录 (SPEC §9 "every scheduled job catches up"): one scheduled job's run for
    one period ("2026-11" for a monthly job), or its latest run (`period` = "") for a job
    without periods. UNIQUE (job, period): a period is run once, whoever runs it
    (`crm.jobs.run_missed_periods`). allocation keeps its own `JobRun` for the reclaim rules."""

    job = models.CharField(_("job"), max_length=80)
    period = models.CharField(_("period"), max_length=20, blank=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    is_ok = models.BooleanField(_("succeeded"), default=False)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        constraints = [
            models.UniqueConstraint(fields=["job", "period"], name="jobperiodrun_unique_period"),
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.period}"
