"""The ledger's part of the dashboards (SPEC §8): a salesperson's own ledger and score, the
manager's department (ledger to confirm, quota status, pool, reclaims, notices, the four success
rates of 004), and the GM's company summary with a link to the full company view."""

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

from crm.charts import bar_chart
from crm.dashboard import managed_departments
from crm.selectors import manages_company

from .models import LedgerEntry
from .rates import recent_success_rates
from .selectors import entries_to_decide, person_month_summary
from .services.ledger import month_of
from .stats import department_rows, notices_running, quota_status


def own_panel(request, *, now, today) -> dict:
    month = month_of(today)
    user = request.user
    recent = list(user.ledger_entries.select_related("rule").order_by("-occurred_on", "-pk")[:6])
    return {
        "ledger": person_month_summary(user, month),
        "last_month": person_month_summary(user, month - relativedelta(months=1)),
        "recent": recent,
        # The person's own share: visits and calls they took, deals credited to them.
        "rates": recent_success_rates(month=month, user=user).total,
    }


def managed_entries_to_decide(user, department_ids: list[int]):
    """`entries_to_decide(user)` for a manager whose departments' ids the page has read
    already (`department_ids`, all of them): a literal IN list lets PostgreSQL read the oldest
    few through ledger_proposed_idx (department, created_at) instead of walking every proposed
    entry of the company by age and filtering (issue 19). The GM keeps the company-wide read."""
    if manages_company(user):
        return entries_to_decide(user)
    return (
        LedgerEntry.objects.filter(
            status=LedgerEntry.Status.PROPOSED, department_id__in=department_ids
        )
        .exclude(person=user)
        .select_related("person", "rule", "department")
    )


def manager_panel(request, *, now, today) -> dict:
    month = month_of(today)
    # Shared with the page's other sections: read once per request (crm.dashboard).
    departments = managed_departments(request)
    ids = [d.pk for d in departments]
    waiting = managed_entries_to_decide(request.user, ids)
    rows = department_rows(departments, month=month)
    return {
        "waiting": list(waiting.order_by("created_at", "pk")[:8]),
        "waiting_count": waiting.count(),
        "quota": quota_status(ids, month=month),
        # Pooled customers of a department are its pool (the company pool has no department).
        "pool_size": sum(r.pooled for r in rows),
        "notices": notices_running(ids, now=now),
        "reclaimed": sum(r.reclaimed for r in rows),
        "rates": recent_success_rates(month=month, department_ids=ids).total,
        "chart": bar_chart(
            [r.department.name for r in rows],
            [
                (_("Follow-ups"), [r.followups for r in rows]),
                (_("Deals"), [r.deals for r in rows]),
                (_("Reclaimed"), [r.reclaimed for r in rows]),
            ],
            title=_("This month by department"),
            height=200,
        )
        if rows
        else "",
    }


def company_panel(request, *, now, today) -> dict:
    waiting = entries_to_decide(request.user)
    return {"waiting_count": waiting.count(), "waiting": list(waiting.order_by("created_at")[:5])}


def department_panel(request, department, *, now, today) -> dict:
    """One department's figures on its page (crm's department_detail): customers held and
    pooled, this month's follow-ups and deals, ledger entries to confirm, and the follow-up
    quota per salesperson. Ten queries whatever the department's size."""
    month = month_of(today)
    return {
        "row": department_rows([department], month=month)[0],
        "quota": quota_status([department.pk], month=month),
        "month": month,
    }
