from celery import shared_task
from django.utils import timezone

from .rates import refresh_company_rates
from .services import penalties_scan
from .services.ledger import month_of
from .services.scans import penalties_monthly_reconcile
from .stats import refresh_company_counts


@shared_task
def penalties_scan_task() -> int:
    """Beat, daily 01:00 Asia/Shanghai: propose the entries the daily rules call for (SPEC §7);
    the monthly rules are `penalties_monthly_task`'s."""
    now = timezone.now()
    return penalties_scan(as_of=timezone.localdate(now), now=now, monthly=False).total


@shared_task
def penalties_monthly_task() -> dict:
    """Beat, hourly: each monthly scan for every month it owes and has not run (SPEC §9 — a
    missed 1st is caught up once when the scheduler returns)."""
    return penalties_monthly_reconcile(now=timezone.now())


@shared_task
def company_rates_task() -> None:
    """Beat, every 10 minutes: the whole company's success rates of the current month and its
    customers per department for the company view (15–25 s at a million customers;
    `penalties.rates.refresh_company_rates`, `penalties.stats.refresh_company_counts`)."""
    refresh_company_rates(month=month_of(timezone.localdate()))
    refresh_company_counts()
