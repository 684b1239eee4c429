"""`penalties.stats.company_overview`: the company page's figures without a request (SPEC §8)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from crm.models import Department
from penalties.stats import TOTAL_KEYS, company_overview
from tests.factories import ledger_entry

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MONTH = date(2026, 11, 1)


def test_overview_totals_are_the_sums_of_the_department_rows(org):
    ledger_entry(org.manager_a, org.sales_a, "GRABBING", None, now=NOW, on=date(2026, 11, 19))
    ledger_entry(org.manager_b, org.sales_b, "WRONG_INFO", None, now=NOW, on=date(2026, 11, 19))
    overview = company_overview(Department.objects.all(), department_ids=None, month=MONTH)
    assert [r.department.path for r in overview.rows] == sorted(
        Department.objects.values_list("path", flat=True)
    )
    for key in TOTAL_KEYS:
        assert overview.totals[key] == sum(getattr(r, key) for r in overview.rows), key
    assert overview.totals["to_confirm"] == 2
    assert all(r.rates is not None for r in overview.rows)
    assert overview.total_rates is not None
    assert len(overview.trend.labels) == 12 and overview.trend.labels[-1] == "2026-11"


def test_a_managers_overview_counts_only_their_departments(org):
    ledger_entry(org.manager_a, org.sales_a, "GRABBING", None, now=NOW, on=date(2026, 11, 19))
    ledger_entry(org.manager_b, org.sales_b, "WRONG_INFO", None, now=NOW, on=date(2026, 11, 19))
    mine = Department.objects.filter(pk=org.sales_a.staff.department_id)
    overview = company_overview(mine, department_ids=[mine.get().pk], month=MONTH)
    assert [r.department for r in overview.rows] == list(mine)
    assert overview.totals["to_confirm"] == 1
