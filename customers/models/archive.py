"""客户档案 (001): the customer archive, its duplicate keys and the ownership record."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Nature(models.TextChoices):
    SUPPLIER = "supplier", _("Supplier")
    DISTRIBUTOR = "distributor", _("Distributor")
    DIRECT_USER = "direct_user", _("Direct user")
    SPECIAL = "special", _("Special (advertising, bank, insurance, institute, construction)")
    OTHER = "other", _("Other")


class Settlement(models.TextChoices):
    CASH = "cash", _("Cash on delivery")
    ROLLING = "rolling", _("Rolling settlement")
    GOODS_FIRST = "goods_first", _("Goods first, payment later")


class CustomerClass(models.TextChoices):
    IMPORTANT = "important", _("Important")
    ORDINARY = "ordinary", _("Ordinary")
    POTENTIAL = "potential", _("Potential")
    LOST = "lost", _("Lost")


class Grade(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"


class Source(models.TextChoices):
    """来源 (004's channels plus phone, online and company distribution)."""

    WALK_IN = "walk_in", _("Walk-in")
    DESIGNER = "designer", _("Home-decoration consultant referral")
    MEDIA = "media", _("Media promotion")
    SITE = "site", _("Construction-site marketing")
    COMMUNITY = "community", _("Residential community promotion")
    FRIEND = "friend", _("Friend referral")
    STORE = "store", _("Store visit after inquiry")
    EXHIBITION = "exhibition", _("Exhibition or event")
    PHONE = "phone", _("Phone")
    ONLINE = "online", _("Online")
    COMPANY = "company", _("Company distribution")


class Pool(models.TextChoices):
    NONE = "", _("Held")
    DEPARTMENT = "department", _("Department pool")
    COMPANY = "company", _("Company pool")


class OwnershipKind(models.TextChoices):
    SELF_REGISTERED = "self_registered", _("Self-registered")
    DISTRIBUTED = "distributed", _("Distributed")
    CLAIMED = "claimed", _("Claimed")
    SWAP = "swap", _("Swap")
    HANDOVER = "handover", _("Handover")
    DISPUTE_RULING = "dispute_ruling", _("Dispute ruling")
    RECLAIM = "reclaim", _("Reclaim")
    CONFISCATION = "confiscation", _("Confiscation")
    RESTORED = "restored", _("Restored after appeal")
    CROSS_SALE = "cross_sale", _("Cross-sale")


class SweptHistoricalRecords(HistoricalRecords):
    """History of a table the reclaim sweep writes in bulk (one row per moved customer).

    It is read per object only (by `id`), so it keeps no index on `history_date` (simple-history
    indexes it by default) or `history_user` (null for the sweep's rows, never searched by):
    each would add an entry per moved customer to a sweep that must stay near a bare UPDATE."""

    @property
    def _date_indexing(self):
        return False

    def _get_history_user_fields(self):
        fields = super()._get_history_user_fields()
        user = fields.get("history_user")
        if isinstance(user, models.ForeignKey):
            user.db_index = False
        return fields


class Customer(models.Model):
    """客户. Static information (客户静态信息表), classification, and who holds it now.

    `holder` is null exactly when the customer is in a pool (`pool` says which); the holder
    changes only through `customers.services.ownership_transfer`, which writes the event.
    """

    # --- 客户静态信息表
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    is_organisation = models.BooleanField(_("organisation"), default=True)
    product_category = models.CharField(_("product category"), max_length=100, blank=True)
    nature = models.CharField(_("nature"), max_length=20, choices=Nature.choices, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    fax = models.CharField(_("fax"), max_length=30, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    business_scope = models.TextField(_("business scope"), max_length=2000, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    tax_id = models.CharField(_("tax id"), max_length=30, blank=True)
    settlement_method = models.CharField(
        _("settlement method"), max_length=20, choices=Settlement.choices, blank=True
    )
    bank = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    remarks = models.TextField(_("remarks"), max_length=2000, blank=True)

    # --- classification
    customer_class = models.CharField(
        _("customer class"),
        max_length=20,
        choices=CustomerClass.choices,
        default=CustomerClass.POTENTIAL,
    )
    intent_grade = models.CharField(
        _("intent grade"), max_length=1, choices=Grade.choices, default=Grade.C
    )
    credit_rating = models.CharField(
        _("credit rating"), max_length=1, choices=Grade.choices, blank=True
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_note = models.CharField(_("source note"), max_length=200, blank=True)
    # 000 §3.4.b: the batch that last handed the customer out and its source note, kept beside
    # the original channel (`source`), which distribution never overwrites.
    distribution_note = models.CharField(_("distribution"), max_length=200, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)

    # --- ownership
    # No index of its own: customer_dept_pool_idx and customer_dept_holder_idx lead with it, and
    # every index of this table is maintained by each move of the reclaim sweep (issue 19).
    department = models.ForeignKey(
        "crm.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
        db_index=False,
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="held_customers",
    )
    pool = models.CharField(_("pool"), max_length=20, choices=Pool.choices, blank=True)
    holder_since = models.DateTimeField(_("held since"))
    acquired_via = models.CharField(_("acquired via"), max_length=20, choices=OwnershipKind.choices)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("registered at"))

    # --- 无效客户 (004): declared by the department manager after the manager's own revisit
    is_invalid = models.BooleanField(_("invalid customer"), default=False)
    invalid_reason = models.CharField(_("why invalid"), max_length=300, blank=True)

    # --- clocks the rules read (denormalised; written with the record that moves them)
    last_followup_at = models.DateTimeField(_("last follow-up"), null=True, blank=True)
    last_deal_at = models.DateTimeField(_("last deal"), null=True, blank=True)
    first_deal_at = models.DateTimeField(_("first deal"), null=True, blank=True)

    # --- completeness of the ten basic fields (kept by the services; see worklist)
    is_incomplete = models.BooleanField(_("basic information incomplete"), default=True)
    completion_due = models.DateField(_("completion due"), null=True, blank=True)

    # Derived bookkeeping (clocks, completeness) is not history: the records that move it are.
    history = SweptHistoricalRecords(
        excluded_fields=[
            "last_followup_at",
            "last_deal_at",
            "first_deal_at",
            "is_incomplete",
            "completion_due",
        ],
        # History is read per customer (by id); indexes on the copied foreign keys would only
        # slow the bulk history inserts of a reclaim sweep.
        no_db_index=["holder", "department", "registered_by"],
        user_db_constraint=False,  # null on every sweep row; see docs/decisions.md
    )

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            # A customer has one holder or none; none means it sits in exactly one pool.
            models.CheckConstraint(
                condition=(Q(holder__isnull=False) & Q(pool=""))
                | (Q(holder__isnull=True) & Q(pool__in=["department", "company"])),
                name="customer_holder_xor_pool",
            ),
        ]
        indexes = [
            models.Index(fields=["holder", "-id"], name="customer_holder_idx"),
            models.Index(fields=["department", "pool", "-id"], name="customer_dept_pool_idx"),
            models.Index(fields=["last_followup_at"], name="customer_last_followup_idx"),
            models.Index(fields=["last_deal_at"], name="customer_last_deal_idx"),
            models.Index(fields=["holder_since"], name="customer_holder_since_idx"),
            # INCLUDE first_deal_at: the accountant's summary (overdue / due this week / no deal
            # per department) reads the index alone (issue 19: 197 → 14 ms for 20 departments).
            models.Index(
                fields=["department", "completion_due"],
                include=["first_deal_at", "id"],
                condition=Q(is_incomplete=True),
                name="customer_incomplete_idx",
            ),
            # The worklist walks incomplete records by deadline across departments.
            models.Index(
                fields=["completion_due", "id"],
                condition=Q(is_incomplete=True),
                name="customer_incomplete_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def code(self) -> str:
        """编号: derived from the primary key, so it is unique and never needs a second write."""
        return f"KH{self.pk:08d}" if self.pk else ""

    def missing_basic_fields(self, fields: list[str] | None = None) -> list[str]:
        """The basic fields (十项基本信息, admin-configurable) this customer still lacks."""
        from ..basic_fields import basic_field_names

        names = fields if fields is not None else basic_field_names()
        return [name for name in names if not getattr(self, name)]


class Contact(models.Model):
    """联系人信息: several per customer."""

    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    mobile = models.CharField(_("mobile"), max_length=30, blank=True)
    fax = models.CharField(_("fax"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    hobbies = models.CharField(_("hobbies"), max_length=200, blank=True)
    remarks = models.CharField(_("remarks (family)"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class CustomerKey(models.Model):
    """A normalised duplicate key. UNIQUE: the database, not a read-then-write check, decides
    who registered a customer first (000 §3.2.c 优先注册归属)."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone")
        TAX_ID = "tax_id", _("Tax id")
        ORG_NAME = "org_name", _("Organisation name")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="keys"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=200)

    class Meta:
        verbose_name = _("duplicate key")
        verbose_name_plural = _("duplicate keys")
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="customer_key_unique"),
        ]
        indexes = [models.Index(fields=["customer"], name="customer_key_customer_idx")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class OwnershipEvent(models.Model):
    """归属变更: append-only record of every change of holder (SPEC §3)."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,  # covered by ownership_customer_at_idx
        db_constraint=False,  # see docs/decisions.md: customers are never deleted (trigger)
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OwnershipKind.choices)
    from_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("from"),
        db_index=False,
        db_constraint=False,  # see docs/decisions.md: bulk-written audit rows
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_pool = models.CharField(_("from pool"), max_length=20, choices=Pool.choices, blank=True)
    to_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("to"),
        db_index=False,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,  # null on every sweep row; see docs/decisions.md
    )
    to_pool = models.CharField(_("to pool"), max_length=20, choices=Pool.choices, blank=True)
    department = models.ForeignKey(
        "crm.Department",
        verbose_name=_("department"),
        db_index=False,
        db_constraint=False,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        db_index=False,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,  # null on every sweep row; see docs/decisions.md
    )
    approval_ref = models.CharField(_("approval reference"), max_length=100, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("ownership event")
        verbose_name_plural = _("ownership events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["customer", "-at"], name="ownership_customer_at_idx")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.kind} {self.at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        # Append-only: an event is evidence; corrections are new events.
        if self.pk is not None:
            raise ValueError("OwnershipEvent is append-only")
        super().save(*args, **kwargs)


class ImportJob(models.Model):
    """A large Excel import run by the worker, so the page can show its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        ROLLED_BACK = "rolled_back", _("Nothing imported")
        ERROR = "error", _("Failed")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    filename = models.CharField(_("file"), max_length=200)
    content = models.BinaryField(_("content"))
    only_valid = models.BooleanField(_("import the valid rows only"), default=False)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    imported = models.PositiveIntegerField(_("imported"), default=0)
    errors = models.JSONField(_("errors"), default=list)
    created_at = models.DateTimeField(_("created at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # A retry starts a new attempt; a run records its outcome only while its attempt is the
    # current one (services.imports), so a worker presumed dead can never land its rows.
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    # The last sign of life written to this row: queued, started, retried. Heartbeats during
    # the run go to the cache, since the run's own transaction hides its writes.
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return self.filename
