"""Sales reports (SPEC §10): the funnel, sales / collections / receivables by month and the
ranking, each a page with local SVG charts (crm.charts) and an Excel export logged like every
export (SPEC §9). The figures and their scope are `sales.selectors.reports`'; a page and its
export read the same selector with the same filters, so they cannot disagree."""

from datetime import date
from decimal import Decimal
from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from crm import xlsx
from crm.charts import bar_chart, line_chart
from customers.views.exports import audited_export

from ..forms_reports import FunnelForm, RankingForm, SalesByMonthForm
from ..rights import may_see_sales_reports
from ..selectors.common import customer_condition
from ..selectors.opportunities import reads_few_customers
from ..selectors.reports import Period, funnel, period_of, ranking, sales_by_month, subtree_ids

FUNNEL_FILE = pgettext_lazy("file name", "sales-funnel-%(period)s.xlsx")
BY_MONTH_FILE = pgettext_lazy("file name", "sales-by-month-%(period)s.xlsx")
RANKING_FILE = pgettext_lazy("file name", "sales-ranking-%(period)s.xlsx")
TOP_PEOPLE_CHARTED = 10
# The ranking page lists this many people; the export lists everybody (docs/decisions.md).
RANKING_PEOPLE_SHOWN = 100
# So does the funnel's person table (an accountant of 20 departments: ~1,000 people, whose
# table alone took ~150 ms to render; issue 19).
FUNNEL_PEOPLE_SHOWN = 100


def _require(user) -> None:
    if not may_see_sales_reports(user):
        raise Http404


def _query(request) -> str:
    """The page's query string, for the tabs' and the export's links."""
    return request.GET.urlencode()


def _period_text(period: Period) -> str:
    if period.start.month == 1 and period.end.month == 12 and period.start.year == period.end.year:
        return f"{period.start.year}"
    if (period.start.year, period.start.month) == (period.end.year, period.end.month):
        return f"{period.start:%Y-%m}"
    return f"{period.start:%Y-%m}–{period.end:%Y-%m}"


def _chart_values(values) -> list[float]:
    """Bars start at zero: a negative month (returns above sales) is drawn as none; the table
    gives the figure."""
    return [max(float(v or 0), 0.0) for v in values]


def _book(sheets) -> tuple[bytes, int]:
    """A workbook of (title, header, money columns, rows) sheets in the house style
    (crm.xlsx.Table); the number of data rows for the export log."""
    book = Workbook()
    book.remove(book.active)
    count = 0
    for title, header, money, rows in sheets:
        table = xlsx.Table(
            book.create_sheet(title=title[:31]),
            header,
            formats=dict.fromkeys(money, xlsx.MONEY_FORMAT),
        )
        for row in rows:
            table.append(row)
        table.close()
        count += table.rows
    out = BytesIO()
    book.save(out)
    return out.getvalue(), count


def _export(request, *, list_name: str, page: str, sheets, filename, **effective):
    def build():
        content, rows = _book(sheets())
        response = HttpResponse(content, content_type=xlsx.XLSX_CONTENT_TYPE)
        return xlsx.attach(response, filename), rows

    query = _query(request)
    refused_url = reverse(page) + (f"?{query}" if query else "")
    return audited_export(
        request, list_name=list_name, build=build, refused_url=refused_url, **effective
    )


# --- funnel ----------------------------------------------------------------------------------


def _company_wide(user) -> bool:
    """The viewer sees every customer (the GM): a person-by-person table or choice list would
    hold every salesperson of the company."""
    return customer_condition(user) is None


def _narrow_person_choices(form, user) -> None:
    """The person filter lists the chosen department's people; a viewer of more than a few
    departments (the GM, an accountant of 20) who has chosen no department picks a
    department first (10,000 names in one list is no choice, and 1,000 took ~60 ms to
    render). The form was validated against everybody the viewer sees, so a link naming a
    person still works; only the rendered list is narrowed."""
    field = form.fields.get("person")
    if field is None:
        return
    department = form.value("department")
    if department is not None:
        field.queryset = field.queryset.filter(staff__department__in=subtree_ids(department))
    elif not reads_few_customers(user):
        chosen = form.value("person")
        field.queryset = field.queryset.filter(pk=chosen.pk) if chosen else field.queryset.none()
        field.help_text = _("Choose a department to pick a person.")


def _lists_people(user, department, person) -> bool:
    """The funnel page has a per-person table unless a company-wide viewer chose no
    department and no person (docs/decisions.md); the export always has it."""
    return department is not None or person is not None or not _company_wide(user)


def _funnel_report(request, *, people: bool | None = None):
    """The report; `people` None: per-person rows unless a company-wide viewer has narrowed
    it to no department or person (the page); True: always (the export)."""
    today = timezone.localdate()
    form = FunnelForm(request.GET, user=request.user, today=today)
    form.is_valid()
    start = form.value("start", date(today.year, 1, 1))
    end = form.value("end")
    end = period_of("month", end).end if end else date(start.year, 12, 31)
    if end < start:
        end = date(start.year, 12, 31)
    department, person = form.value("department"), form.value("person")
    if people is None:
        people = _lists_people(request.user, department, person)
    report = funnel(
        user=request.user,
        period=Period(start, end),
        department=department,
        person=person,
        people=people,
    )
    return form, report


@login_required
@require_GET
def funnel_view(request):
    """销售漏斗: per stage, per department and per person."""
    _require(request.user)
    form, report = _funnel_report(request)
    people_listed = _lists_people(request.user, form.value("department"), form.value("person"))
    _narrow_person_choices(form, request.user)
    labels = [label for _stage, label, _p in report.stages]
    cells = report.total.stage_cells()
    chart = bar_chart(
        labels,
        [
            (_("Expected amount"), _chart_values(c.amount for c in cells)),
            (_("Weighted amount"), _chart_values(c.weighted for c in cells)),
        ],
        title=_("Funnel by stage"),
    )
    count_chart = bar_chart(
        labels, [(_("Opportunities"), [c.count for c in cells])], title=_("Opportunities by stage")
    )
    stage_rows = [
        {"stage": stage, "label": label, "probability": p, "cell": report.total.cells[stage]}
        for stage, label, p in report.stages
    ]
    people_shown = report.people[:FUNNEL_PEOPLE_SHOWN]
    return render(
        request,
        "sales/report_funnel.html",
        {
            "form": form,
            "report": report,
            "stage_rows": stage_rows,
            "period_text": _period_text(report.period),
            "chart": chart,
            "count_chart": count_chart,
            "people_listed": people_listed,
            "people_shown": people_shown,
            "people_cut": len(people_shown) < len(report.people),
            "tab": "funnel",
            "query": _query(request),
        },
    )


@login_required
@require_GET
def funnel_export(request):
    _require(request.user)
    form, report = _funnel_report(request, people=True)

    def sheets():
        header = [
            _("Stage"),
            _("Probability (%)"),
            _("Opportunities"),
            _("Expected amount"),
            _("Weighted amount"),
        ]

        def lines(row, *first):
            for stage, label, p in report.stages:
                c = row.cells[stage]
                if c.count or row is report.total:
                    yield [*first, label, p, c.count, c.amount, c.weighted]

        return [
            (_("By stage"), header, [3, 4], lines(report.total)),
            (
                _("By department"),
                [_("Department"), *header],
                [4, 5],
                (line for r in report.departments for line in lines(r, r.label)),
            ),
            (
                _("By person"),
                [_("Person"), _("Department"), *header],
                [5, 6],
                (line for r in report.people for line in lines(r, r.label, r.department)),
            ),
        ]

    period_text = _period_text(report.period)
    return _export(
        request,
        list_name="sales_funnel",
        page="sales:funnel",
        sheets=sheets,
        filename=xlsx.FileName.of(FUNNEL_FILE, period=period_text.replace("–", "_")),
        period=period_text,
    )


# --- sales, collections and receivables by month ---------------------------------------------


def _by_month_report(request):
    today = timezone.localdate()
    form = SalesByMonthForm(request.GET, user=request.user, today=today)
    form.is_valid()
    report = sales_by_month(
        user=request.user,
        year=form.value("year", today.year),
        as_of=today,
        department=form.value("department"),
        person=form.value("person"),
    )
    return form, report


@login_required
@require_GET
def sales_by_month_view(request):
    """销售、回款与应收 by month of a year."""
    _require(request.user)
    form, report = _by_month_report(request)
    _narrow_person_choices(form, request.user)
    labels = [f"{r.month:%m}" for r in report.rows]
    chart = bar_chart(
        labels,
        [
            (_("Net sales"), _chart_values(r.sales for r in report.rows)),
            (_("Collections"), _chart_values(r.collections for r in report.rows)),
        ],
        title=_("Sales and collections by month"),
    )
    known = [r for r in report.rows if r.receivable is not None]
    receivable_chart = line_chart(
        [f"{r.month:%m}" for r in known],
        [(_("Receivable at month end"), _chart_values(r.receivable for r in known))],
        title=_("Receivable at month end"),
    )
    return render(
        request,
        "sales/report_by_month.html",
        {
            "form": form,
            "report": report,
            "chart": chart,
            "receivable_chart": receivable_chart if known else "",
            "prev_year": report.year - 1,
            "next_year": report.year + 1,
            "tab": "sales_by_month",
            "query": _query(request),
        },
    )


@login_required
@require_GET
def sales_by_month_export(request):
    _require(request.user)
    form, report = _by_month_report(request)

    def sheets():
        rows = [
            [r.label, r.sales, r.collections, "" if r.receivable is None else r.receivable]
            for r in report.rows
        ]
        rows.append([_("Total"), report.sales, report.collections, ""])
        return [
            (
                _("By month"),
                [_("Month"), _("Net sales"), _("Collections"), _("Receivable at month end")],
                [1, 2, 3],
                rows,
            )
        ]

    return _export(
        request,
        list_name="sales_by_month",
        page="sales:sales_by_month",
        sheets=sheets,
        filename=xlsx.FileName.of(BY_MONTH_FILE, period=report.year),
        year=report.year,
    )


# --- ranking ---------------------------------------------------------------------------------


def _ranking_report(request, *, limit: int | None = None):
    today = timezone.localdate()
    form = RankingForm(request.GET, user=request.user, today=today)
    form.is_valid()
    kind = form.value("period", "month")
    month = form.value("month", date(today.year, today.month, 1))
    report = ranking(
        user=request.user,
        period=period_of(kind, month),
        department=form.value("department"),
        limit=limit,
    )
    return form, report, kind


def _people_shown(rows: list) -> list:
    """The page's person table: the first RANKING_PEOPLE_SHOWN ranked people and the pool
    line (the export and a department's page list everybody)."""
    ranked = [r for r in rows if r.rank is not None]
    if len(ranked) <= RANKING_PEOPLE_SHOWN:
        return rows
    return ranked[:RANKING_PEOPLE_SHOWN] + [r for r in rows if r.rank is None]


def _share(value: Decimal | None):
    return "" if value is None else value


@login_required
@require_GET
def ranking_view(request):
    """业绩排行 by person and by department."""
    _require(request.user)
    # Only the rows shown are named and ranked (the company's year: 10,000 people).
    form, report, kind = _ranking_report(request, limit=RANKING_PEOPLE_SHOWN)
    top = [r for r in report.people if r.rank is not None][:TOP_PEOPLE_CHARTED]
    chart = bar_chart(
        [r.name for r in top],
        [(_("Net sales"), _chart_values(r.amount for r in top))],
        title=_("Ranking by person"),
    )
    department_chart = bar_chart(
        [r.name for r in report.departments],
        [(_("Net sales"), _chart_values(r.amount for r in report.departments))],
        title=_("Ranking by department"),
    )
    return render(
        request,
        "sales/report_ranking.html",
        {
            "form": form,
            "report": report,
            "kind": kind,
            "period_text": _period_text(report.period),
            "people_shown": _people_shown(report.people),
            "chart": chart if top else "",
            "department_chart": department_chart if report.departments else "",
            "tab": "ranking",
            "query": _query(request),
        },
    )


@login_required
@require_GET
def ranking_export(request):
    _require(request.user)
    form, report, kind = _ranking_report(request)

    def sheets():
        header = [_("Rank"), _("Name"), _("Department"), _("Net sales"), _("Share (%)")]

        def lines(rows):
            return [[r.rank or "", r.name, r.department, r.amount, _share(r.share)] for r in rows]

        return [
            (_("By person"), header, [3], lines(report.people)),
            (_("By department"), header, [3], lines(report.departments)),
        ]

    period_text = _period_text(report.period)
    return _export(
        request,
        list_name="sales_ranking",
        page="sales:ranking",
        sheets=sheets,
        filename=xlsx.FileName.of(RANKING_FILE, period=period_text.replace("–", "_")),
        period=period_text,
    )
