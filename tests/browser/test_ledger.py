"""The ledger in a real browser: a manager confirms and waives proposed entries; the GM views
the company dashboard and exports a month for payroll; a salesperson sees their own lines."""

from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser.helpers import log_in
from tests.threads import in_thread

pytestmark = pytest.mark.browser


def statuses(pks):
    from penalties.models import LedgerEntry

    return dict(LedgerEntry.objects.filter(pk__in=pks).values_list("pk", "status"))


def propose_two():
    """Two more proposals in the manager's department (the light demo has few)."""
    from decimal import Decimal

    from django.utils import timezone

    from crm.models import User
    from penalties.models import PenaltyRule
    from penalties.services import ManualEntry, ledger_record

    manager = User.objects.get(username="east.manager")
    now = timezone.now()
    for username, code in (("east.sales1", "WRONG_INFO"), ("east.sales3", "THIN_CONTENT")):
        ledger_record(
            actor=manager,
            entry=ManualEntry(
                person=User.objects.get(username=username),
                rule=PenaltyRule.objects.get(code=code),
                amount=Decimal(20),
                reason="经核实",
                occurred_on=timezone.localdate(now),
            ),
            now=now,
        )


def test_manager_confirms_and_waives_proposed_entries(page, demo, shot):
    in_thread(propose_two)
    log_in(page, demo, "east.manager")
    shot(page, "dashboard-manager-ledger")
    page.goto(f"{demo}/penalties/decide/")
    rows = page.locator("[data-testid=to-decide] tbody tr[data-entry]")
    assert rows.count() >= 3
    shot(page, "ledger-to-decide")
    first = int(rows.nth(0).get_attribute("data-entry"))
    second = int(rows.nth(1).get_attribute("data-entry"))
    # Confirming is final: the page asks first (issue 14), and this journey says yes.
    page.once("dialog", lambda dialog: dialog.accept())
    rows.nth(0).locator("[data-action=confirm]").click()
    page.wait_for_selector(".messages")
    assert "已确认" in page.locator(".messages").inner_text()

    page.goto(f"{demo}/penalties/{second}/")
    page.fill("#reason", "当天系统故障，经核实不属迟录。")
    page.click("[data-testid=waive-form] button")
    page.wait_for_selector(".messages")
    shot(page, "ledger-entry-waived")
    assert in_thread(statuses, [first, second]) == {first: "confirmed", second: "waived"}

    # Waiving without a reason: a message in Chinese, nothing changes.
    page.goto(f"{demo}/penalties/decide/")
    third = int(page.locator("tbody tr[data-entry]").first.get_attribute("data-entry"))
    page.goto(f"{demo}/penalties/{third}/")
    page.eval_on_selector("#reason", "el => el.removeAttribute('required')")
    page.click("[data-testid=waive-form] button")
    page.wait_for_selector(".messages")
    assert "原因" in page.locator(".messages").inner_text()
    assert in_thread(statuses, [third]) == {third: "proposed"}


def test_gm_views_the_company_dashboard_and_exports_a_month(page, demo, shot):
    log_in(page, demo, "gm")
    shot(page, "dashboard-gm-ledger")
    page.click(".mainnav >> text=经营总览")
    page.wait_for_selector("[data-testid=departments-side-by-side]")
    assert page.locator("svg.chart").count() == 5
    names = page.locator("[data-testid=departments-side-by-side] tbody td:first-child")
    assert {"华东销售部", "华南销售部"} <= {n.strip() for n in names.all_inner_texts()}
    shot(page, "company-dashboard")

    page.goto(f"{demo}/penalties/months/")
    shot(page, "ledger-months")
    with page.expect_download() as download:
        page.locator("[data-action=export]").first.click()
    book = load_workbook(BytesIO(Path(download.value.path()).read_bytes()))
    assert [s.title for s in book.worksheets] == ["按部门", "按人员", "明细"]
    assert book.worksheets[2].max_row > 1


def test_salesperson_sees_own_ledger_and_score(page, demo, shot):
    log_in(page, demo, "east.sales1")
    assert page.locator("[data-testid=own-ledger]").is_visible()
    page.click(".mainnav >> text=奖惩台账")
    page.wait_for_selector("[data-testid=ledger]")
    people = {
        p.split("\n")[0].strip()
        for p in page.locator(
            "[data-testid=ledger] tbody tr[data-entry] td:nth-child(2)"
        ).all_inner_texts()
    }
    assert len(people) <= 1  # only their own lines
    shot(page, "ledger-salesperson")
