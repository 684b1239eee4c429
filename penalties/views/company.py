"""The GM's company overview (SPEC §8): every department side by side for a month and the
12-month trends. The figures come from `penalties.stats.company_overview`; this module only
resolves the scope and draws the charts."""

from dateutil.relativedelta import relativedelta
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.charts import bar_chart, line_chart
from crm.models import Department
from crm.selectors import departments_managed_by, manages_company

from ..rights import may_view_company_overview
from ..services.ledger import month_label, month_of
from ..stats import CompanyOverview, company_overview
from .common import month_or_message, require_right


def _charts(overview: CompanyOverview) -> dict[str, str]:
    """The page's five SVG charts, drawn from the overview's figures."""
    rows, trend = overview.rows, overview.trend
    names = [r.department.name for r in rows]
    return {
        "customers": bar_chart(
            names,
            [(_("Held"), [r.held for r in rows]), (_("In the pool"), [r.pooled for r in rows])],
            title=_("Customers held and pooled"),
        ),
        "work": bar_chart(
            names,
            [
                (_("Follow-ups"), [r.followups for r in rows]),
                (_("Deals"), [r.deals for r in rows]),
                (_("Inquiries"), [r.inquiries for r in rows]),
            ],
            title=_("Follow-ups, deals and inquiries"),
        ),
        "sanctions": bar_chart(
            names,
            [
                (_("Reclaimed"), [r.reclaimed for r in rows]),
                (_("Fines (yuan)"), [r.fines for r in rows]),
            ],
            title=_("Reclaims and fines"),
        ),
        "trend_work": line_chart(
            [label[2:] for label in trend.labels],
            [
                (_("Follow-ups"), trend.followups),
                (_("Deals"), trend.deals),
                (_("Inquiries"), trend.inquiries),
            ],
            title=_("12-month trend: work"),
        ),
        "trend_sanctions": line_chart(
            [label[2:] for label in trend.labels],
            [(_("Reclaimed"), trend.reclaimed), (_("Fines (yuan)"), trend.fines)],
            title=_("12-month trend: reclaims and fines"),
        ),
    }


@login_required
def company_dashboard(request):
    """The GM's company view: every department; a manager sees the same page for the
    departments they manage (404 when they manage none)."""
    require_right(may_view_company_overview, request.user)
    if manages_company(request.user):
        departments = Department.objects.all()
        scope_ids = None
    else:
        departments = departments_managed_by(request.user)
        scope_ids = list(departments.values_list("pk", flat=True))
        if not scope_ids:
            raise Http404
    month = month_or_message(request, month_of(timezone.localdate()))
    overview = company_overview(departments, department_ids=scope_ids, month=month)
    return render(
        request,
        "penalties/company.html",
        {
            "rows": overview.rows,
            "totals": overview.totals,
            "total_rates": overview.total_rates,
            "charts": _charts(overview),
            "month": month,
            "month_text": month_label(month),
            "prev_month": month_label(month - relativedelta(months=1)),
            "next_month": month_label(month + relativedelta(months=1)),
        },
    )
