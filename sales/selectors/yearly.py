"""年客户交易记录表 — the yearly transaction table of one customer (001; SPEC §2, §10).

Per calendar year (Asia/Shanghai) of the customer's sales:

- quantity, amount: the customer's sales-credit rows (`SalesCredit`, the one table every sales
  figure reads) of purchase records and signed contracts (amendments included) dated that year,
  net of the returns and exchanges dated that year (a return counts in the year it happens, as
  the company's books do; the original sale is never edited). Credit transfers move credit
  between people, not between customers: they leave the customer's figures alone.
- average price: amount / quantity.
- 销售贡献率: the customer's amount as a share of the COMPANY's net sales that year (every
  credit row but transfers, whoever was credited).
- paid / owed, per year of the sale: for that year's purchase records, their `paid` and
  `outstanding` as entered; for the contracts signed that year, what has been collected on
  their collection plan so far (`Instalment.paid`, kept equal to the collections) and what the
  plan still expects (amount − paid). So a 2025 contract collected in 2026 shows as paid in 2025's
  row: the row answers "of what this customer bought that year, how much is still owed".
- reason owed: the purchase records' `owed_reason`, and for contracts the count and amount of
  instalments overdue (due before `as_of`, unsettled; the earliest due date) and not yet due.
- returns/exchanges: count and amount of the returns and exchanges dated that year (their
  credit rows).
- 总体评价 / 联系人评价: the yearly evaluation of SPEC §11 (issue 16) — `evaluations` below is the
  extension point; until it is filled the cells read "—".

The company totals per year are one GROUP BY over a year of credit rows — millions at scale —
so they are cached (`company_sales_by_year`): keyed by the year and the newest credit row's id,
and credit rows are append-only, so a new sale anywhere makes a new key at once; the timeout
(`SALES_YEARLY_CACHE_SECONDS`, default an hour) only bounds the cache's size.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, Count, DecimalField, F, Min, Q, Sum, Value, When
from django.db.models.functions import Abs, Coalesce, ExtractYear
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customers.models import Deal

from ..models import Contract, Instalment, SalesCredit
from .summaries import credit_mark, credit_totals

CACHE_SECONDS = 3600
MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0")
SHARE_PLACES = Decimal("0.0001")  # % with four places: one customer among a million


@dataclass
class YearRow:
    year: int
    sales: int  # purchase records and signed contracts (amendments included) that year
    quantity: Decimal
    amount: Decimal
    average_price: Decimal | None
    share: Decimal | None  # % of the company's net sales that year
    paid: Decimal
    owed: Decimal
    owed_reasons: list[str] = field(default_factory=list)
    returns: int = 0
    returns_amount: Decimal = ZERO
    evaluation: str | None = None  # 总体评价 (SPEC §11, issue 16)
    contact_evaluation: str | None = None  # 联系人评价

    @property
    def owed_reason_text(self) -> str:
        return "；".join(self.owed_reasons)


# Issue 16 registers here: (customer, years) -> {year: (总体评价, 联系人评价)}, one load for
# all the years; sales never names the app that fills it.
_EVALUATIONS: list[Callable] = []


def register_yearly_evaluations(loader: Callable) -> None:
    """Fill the 总体评价 / 联系人评价 columns: `loader(customer, years)` returns
    {year: (overall text or None, contacts text or None)}."""
    if loader not in _EVALUATIONS:
        _EVALUATIONS.append(loader)


def _signed(value: str):
    """A credit row's value with a return always negative, whichever sign it was written
    with."""
    return Case(
        When(kind=SalesCredit.Kind.RETURN, then=-Abs(F(value))),
        default=F(value),
        output_field=MONEY,
    )


def _year_bounds(years) -> Q:
    return Q(on_date__gte=date(min(years), 1, 1), on_date__lt=date(max(years) + 1, 1, 1))


def company_sales_by_year(years) -> dict[int, Decimal]:
    """The company's net sales (every credit row but transfers) per year in `years`: one
    indexed read of the newest credit id, then the cache, then one GROUP BY for the years
    missing from it."""
    years = sorted(set(years))
    if not years:
        return {}
    # The newest credit id and the summary's watermark in one query: with the summary, two
    # small reads answer (no cache needed); without it, the cached GROUP BY below.
    newest = (
        SalesCredit.objects.order_by("-pk")
        .annotate(mark=credit_mark())
        .values_list("pk", "mark")
        .first()
    )
    last, mark = newest or (0, None)
    if mark is not None:
        return company_sales_from_summary(years, mark=mark)
    timeout = getattr(settings, "SALES_YEARLY_CACHE_SECONDS", CACHE_SECONDS)
    keys = {year: f"sales:yearly:company:{year}:{last}" for year in years}
    found = cache.get_many(list(keys.values())) if timeout else {}
    totals = {year: found[key] for year, key in keys.items() if key in found}
    missing = [year for year in years if year not in totals]
    if missing:
        computed = dict(
            SalesCredit.objects.filter(_year_bounds(missing))
            .exclude(kind=SalesCredit.Kind.TRANSFER)
            .annotate(year=ExtractYear("on_date"))
            .values("year")
            .annotate(total=Sum(_signed("amount")))
            .values_list("year", "total")
        )
        for year in missing:
            totals[year] = computed.get(year) or ZERO
        if timeout:
            cache.set_many({keys[year]: totals[year] for year in missing}, timeout)
    return totals


def company_sales_from_summary(years, *, mark: int) -> dict[int, Decimal]:
    """`company_sales_by_year` from the credit summary (a row per person and department of
    each year, plus the credit rows written since the watermark `mark`): two queries."""
    rows = credit_totals(
        None,
        start=date(min(years), 1, 1),
        end=date(max(years), 12, 31),
        keys=("year",),
        net=True,
        mark=mark,
    )
    found = dict(rows or [])
    return {year: found.get(year) or ZERO for year in years}


def yearly_table(customer, *, as_of: date) -> list[YearRow]:
    """The customer's years, newest first (see the module docstring for each column). A
    fixed number of queries (five, plus one on a cache miss) however many sales it has."""
    years: dict[int, YearRow] = {}

    def row(year: int) -> YearRow:
        if year not in years:
            years[year] = YearRow(
                year=year,
                sales=0,
                quantity=ZERO,
                amount=ZERO,
                average_price=None,
                share=None,
                paid=ZERO,
                owed=ZERO,
            )
        return years[year]

    credit = (
        SalesCredit.objects.filter(customer=customer)
        .exclude(kind=SalesCredit.Kind.TRANSFER)
        .annotate(year=ExtractYear("on_date"))
        .values("year")
        .annotate(
            n=Count("id", filter=Q(kind__in=[SalesCredit.Kind.DEAL, SalesCredit.Kind.CONTRACT])),
            net_quantity=Sum(_signed("quantity")),
            net_amount=Sum(_signed("amount")),
            # Every return record writes one credit row on its own date (sales.services.contracts).
            returns=Count("id", filter=Q(kind=SalesCredit.Kind.RETURN)),
            returned=Sum(Abs("amount"), filter=Q(kind=SalesCredit.Kind.RETURN)),
        )
        .order_by()
    )
    for found in credit:
        r = row(found["year"])
        r.sales, r.quantity, r.amount = found["n"], found["net_quantity"], found["net_amount"]
        r.returns, r.returns_amount = found["returns"], found["returned"] or ZERO

    deals = (
        Deal.objects.filter(customer=customer)
        .annotate(year=ExtractYear("occurred_at"))
        .values("year")
        .annotate(paid=Sum("paid"), owed=Sum("outstanding"))
        .order_by()
    )
    for found in deals:
        r = row(found["year"])
        r.paid += found["paid"] or ZERO
        r.owed += found["owed"] or ZERO
    reasons = (
        Deal.objects.filter(customer=customer, outstanding__gt=0)
        .exclude(owed_reason="")
        .annotate(year=ExtractYear("occurred_at"))
        .values_list("year", "owed_reason")
        .order_by("occurred_at", "pk")
    )
    for year, reason in reasons:
        r = row(year)
        if reason not in r.owed_reasons:
            r.owed_reasons.append(reason)

    open_ = Q(settled_on__isnull=True)
    overdue = open_ & Q(due_on__lt=as_of)
    pending = open_ & Q(due_on__gte=as_of)
    owed_amount = F("amount") - F("paid")
    plans = (
        Instalment.objects.filter(customer=customer, contract__status=Contract.Status.SIGNED)
        .annotate(year=ExtractYear("contract__signed_at"))
        .values("year")
        .annotate(
            planned=Sum("amount"),
            collected=Sum("paid"),
            overdue=Count("id", filter=overdue),
            overdue_amount=Coalesce(
                Sum(owed_amount, filter=overdue), Value(ZERO), output_field=MONEY
            ),
            earliest=Min("due_on", filter=overdue),
            pending=Count("id", filter=pending),
            pending_amount=Coalesce(
                Sum(owed_amount, filter=pending), Value(ZERO), output_field=MONEY
            ),
        )
        .order_by()
    )
    for found in plans:
        r = row(found["year"])
        r.paid += found["collected"]
        r.owed += found["planned"] - found["collected"]
        if found["overdue"]:
            r.owed_reasons.append(
                ngettext(
                    "%(count)d contract instalment overdue (%(amount)s, earliest due %(due)s)",
                    "%(count)d contract instalments overdue (%(amount)s, earliest due %(due)s)",
                    found["overdue"],
                )
                % {
                    "count": found["overdue"],
                    "amount": f"{found['overdue_amount']:,.2f}",
                    "due": found["earliest"].isoformat(),
                }
            )
        if found["pending"]:
            r.owed_reasons.append(
                ngettext(
                    "%(count)d contract instalment not yet due (%(amount)s)",
                    "%(count)d contract instalments not yet due (%(amount)s)",
                    found["pending"],
                )
                % {"count": found["pending"], "amount": f"{found['pending_amount']:,.2f}"}
            )

    if not years:
        return []
    company = company_sales_by_year(years)
    for r in years.values():
        if r.quantity:
            r.average_price = (r.amount / r.quantity).quantize(Decimal("0.01"))
        total = company.get(r.year)
        if total and total > 0:
            r.share = (r.amount * 100 / total).quantize(SHARE_PLACES)
    for loader in _EVALUATIONS:
        for year, (overall, contacts) in loader(customer, sorted(years)).items():
            if year in years:
                years[year].evaluation, years[year].contact_evaluation = overall, contacts
    return sorted(years.values(), key=lambda r: r.year, reverse=True)


def yearly_note() -> str:
    """How paid and owed are counted, for the page and the export."""
    return _(
        "Paid and owed are per year of the sale: for that year's purchase records as entered, "
        "for the contracts signed that year what has been collected on them so far and what "
        "their collection plan still expects. Returns count in the year they happen."
    )
