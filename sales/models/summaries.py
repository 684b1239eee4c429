"""Report summaries (issue 19, docs/performance.md "Sales pages at 1,000,000 customers"): what
the company-wide report pages would otherwise aggregate from millions of rows on every request.
Each is rebuilt nightly (`manage.py sales_summaries`, the `sales-summaries` beat entry) and is
only ever a shortcut: the live computation it replaces stays (`sales.selectors`), and the tests
compare the two.

- `CreditPeriod`: the net `SalesCredit` per (month or year, credited person, credited
  department), as of the highest credit id included (`SummaryState` "credit"). Credit rows are
  append-only, so a read adds the rows written since (ids above the watermark: a primary-key
  range scan) and is exact.
- `ReceivableSnapshot` / `ReceivableGroup`: the ageing of what every customer owes on one day
  (`SummaryState` "receivables".as_of), per customer and per holder / department, kept exact
  by the services that change what is owed (contract_sign with its reductions,
  collection_record, collection_reverse — `sales.services.summaries.receivables_refresh`), in
  their transaction. Customers that changed holder or department since the build are found in
  the customers' history (ids above the watermark) and moved at read time.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 16, "decimal_places": 2, "default": 0}


class SummaryState(models.Model):
    """One row per summary: its watermark and the day it describes."""

    name = models.CharField(_("summary"), max_length=30, primary_key=True)
    last_id = models.BigIntegerField(_("highest source id included"), default=0)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    built_at = models.DateTimeField(_("built at"))

    class Meta:
        verbose_name = _("report summary state")
        verbose_name_plural = _("report summary states")

    def __str__(self) -> str:
        return self.name


class CreditPeriod(models.Model):
    """Σ SalesCredit per period (a month: `grain` "m", `start` its first day; a year: "y",
    `start` 1 January), person and department. `amount`: every row as written (the ranking,
    sales by month); `sales_amount`: transfers left out and returns always negative (the
    company's net sales of the yearly table)."""

    class Grain(models.TextChoices):
        MONTH = "m", _("Month")
        YEAR = "y", _("Year")
        # The same summed per department alone (`user` empty): what a reader of whole
        # departments or of the company sums (200 rows a month instead of ~10,000).
        DEPARTMENT_MONTH = "M", _("Month, per department")
        DEPARTMENT_YEAR = "Y", _("Year, per department")

    grain = models.CharField(max_length=1, choices=Grain.choices)
    start = models.DateField()
    user = models.ForeignKey(
        "crm.User", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    department = models.ForeignKey(
        "crm.Department",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    amount = models.DecimalField(**MONEY)
    sales_amount = models.DecimalField(**MONEY)

    class Meta:
        verbose_name = _("sales credit per period")
        verbose_name_plural = _("sales credit per period")
        indexes = [
            models.Index(
                fields=["grain", "start"],
                include=["user", "department", "amount", "sales_amount"],
                name="creditperiod_start_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.start} {self.user_id} {self.department_id}"


class ReceivableSnapshot(models.Model):
    """What one customer owes on the snapshot's day, by bucket (only customers owing
    something). `holder_id` / `department_id`: the customer's when the row was last written —
    the group (`ReceivableGroup`) it is counted in."""

    customer = models.OneToOneField(
        "customers.Customer",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    holder_id = models.IntegerField(null=True)
    department_id = models.IntegerField(null=True)
    not_due = models.DecimalField(**MONEY)
    days_1_30 = models.DecimalField(**MONEY)
    days_31_90 = models.DecimalField(**MONEY)
    days_over_90 = models.DecimalField(**MONEY)
    overdue = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    overdue_count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("receivables snapshot")
        verbose_name_plural = _("receivables snapshot")
        indexes = [
            # The page's order: largest overdue first (receivables()).
            models.Index(
                models.F("overdue").desc(),
                models.F("total").desc(),
                "customer",
                name="recv_snapshot_order_idx",
            ),
            # A scope of whole departments (an accountant's) read from the rows alone.
            models.Index(
                fields=["department_id"],
                include=[
                    "holder_id",
                    "customer",
                    "not_due",
                    "days_1_30",
                    "days_31_90",
                    "days_over_90",
                    "overdue",
                    "total",
                    "overdue_count",
                ],
                name="recv_snapshot_department_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.total}"


class ReceivableGroup(models.Model):
    """The snapshot summed per holder (`kind` "s"; `key` 0: the pools) or per department
    ("d"; 0: no department)."""

    kind = models.CharField(max_length=1)
    key = models.IntegerField()
    not_due = models.DecimalField(**MONEY)
    days_1_30 = models.DecimalField(**MONEY)
    days_31_90 = models.DecimalField(**MONEY)
    days_over_90 = models.DecimalField(**MONEY)
    overdue = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    overdue_count = models.IntegerField(default=0)
    customers = models.IntegerField(default=0)  # 0: no customer left in it (not listed)

    class Meta:
        verbose_name = _("receivables per group")
        verbose_name_plural = _("receivables per group")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="recv_group_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}{self.key}: {self.total}"


class MonthFigure(models.Model):
    """What sales by month (`sales.selectors.reports.sales_by_month`) sums from every
    collection and instalment, per key day and customer group (appended rows: a read sums
    them; the services append a row per change, in their transaction, and the nightly build
    compacts them):

    - `kind` "r": collections received in the month starting `day` (reversals negative);
    - `kind` "o": what is owed at a month's end, keyed by the month of the day it starts to
      count: + an instalment's amount at its due day, − a collection at the later of the day
      it was received and its instalment's due day. Receivable at day D (the live "still
      open + collected after D" of the instalments due by D) = Σ of the rows keyed on or
      before D, since an instalment is settled exactly when its collections reach its amount
      (`Instalment` checks paid ≤ amount; `collection_record` / `collection_reverse` /
      reductions keep settled ⇔ paid = amount);
    - `kind` "d": the same keyed by the day itself, for days from the month the build
      covered (`SummaryState` "months".as_of): the month under way is measured on `as_of`.

    `by_holder` False: summed per department (`holder_id` 0); True: per (holder, department).
    0 stands for none (a pool, no department). The customer's group is where its figures
    were put (`MonthCustomer`); customers that moved since (the customers' history above
    the watermark `SummaryState` "months".last_id) are moved at read time."""

    kind = models.CharField(max_length=1)
    by_holder = models.BooleanField()
    day = models.DateField()
    holder_id = models.IntegerField(default=0)
    department_id = models.IntegerField(default=0)
    amount = models.DecimalField(**MONEY)

    class Meta:
        verbose_name = _("sales by month figure")
        verbose_name_plural = _("sales by month figures")
        indexes = [
            models.Index(
                fields=["by_holder", "kind", "day"],
                include=["department_id", "amount"],
                name="monthfigure_day_idx",
            ),
            models.Index(
                fields=["holder_id", "kind", "day"],
                include=["department_id", "amount"],
                condition=models.Q(by_holder=True),
                name="monthfigure_holder_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.day} {self.holder_id}/{self.department_id}: {self.amount}"


class CustomerGroup(models.Model):
    """The group (holder, department; 0: none) in which a customer's rows of a summary are
    counted: its group at the build, or when its first figure was written since."""

    customer = models.OneToOneField(
        "customers.Customer",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    holder_id = models.IntegerField(default=0)
    department_id = models.IntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.holder_id}/{self.department_id}"


class MonthCustomer(CustomerGroup):
    """The group of a customer's `MonthFigure` rows."""

    class Meta:
        verbose_name = _("sales by month customer group")
        verbose_name_plural = _("sales by month customer groups")


class FunnelFigure(models.Model):
    """What the funnel (`sales.selectors.reports.funnel`) counts and sums from every
    opportunity, per stage, month and customer group (appended rows: a read sums them; the
    opportunity services append a row per change, in their transaction, and the nightly build
    compacts them). `month`: the first day of the month the opportunity counts in — its
    expected close while open, the day it was closed (Asia/Shanghai) once won or lost.
    `count` and `amount`: + an opportunity entering the (stage, month), − one leaving it.

    `by_holder` False: summed per department (`holder_id` 0, the company-wide funnel);
    True: per (holder, department). 0 stands for none. The customer's group is where its
    figures were put (`FunnelCustomer`); customers that moved since (the customers' history
    above the watermark `SummaryState` "funnel".last_id) are moved at read time."""

    by_holder = models.BooleanField()
    stage = models.CharField(max_length=20)
    month = models.DateField()
    holder_id = models.IntegerField(default=0)
    department_id = models.IntegerField(default=0)
    count = models.IntegerField(default=0)
    amount = models.DecimalField(**MONEY)

    class Meta:
        verbose_name = _("sales funnel figure")
        verbose_name_plural = _("sales funnel figures")
        indexes = [
            # The company's funnel: the per-department rows of the months.
            models.Index(
                fields=["month"],
                include=["stage", "department_id", "count", "amount"],
                condition=models.Q(by_holder=False),
                name="funnelfigure_month_idx",
            ),
            # A department's (a manager's, an accountant's) funnel per person.
            models.Index(
                fields=["department_id", "month"],
                include=["stage", "holder_id", "count", "amount"],
                condition=models.Q(by_holder=True),
                name="funnelfigure_department_idx",
            ),
            # A salesperson's own funnel, a person chosen.
            models.Index(
                fields=["holder_id", "month"],
                include=["stage", "department_id", "count", "amount"],
                condition=models.Q(by_holder=True),
                name="funnelfigure_holder_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stage} {self.month} {self.holder_id}/{self.department_id}: {self.count}"


class FunnelCustomer(CustomerGroup):
    """The group of a customer's `FunnelFigure` rows."""

    class Meta:
        verbose_name = _("sales funnel customer group")
        verbose_name_plural = _("sales funnel customer groups")
