"""The sales pipeline in a real browser (issue 15): a salesperson moves an opportunity to won
and draws up its contract with two instalments, signs it; the department's accountant records
a partial collection; the manager sees the receivable and the funnel. At the desktop and the
phone size; nothing scrolls sideways."""

from datetime import date, timedelta

import pytest

from tests.browser.helpers import SIZES, assert_fits_width, log_in, sized_page

pytestmark = pytest.mark.browser


def _open_negotiation(page, base) -> None:
    """The salesperson's first opportunity in 商务谈判 (the demo walks one there)."""
    page.goto(f"{base}/sales/opportunities/?stage=negotiation")
    row = page.locator("[data-testid=opportunity-table] tbody tr[data-id]").first
    row.locator("a").first.click()
    page.wait_for_selector("[data-testid=move]")


@pytest.mark.parametrize("size", list(SIZES))
def test_won_opportunity_to_contract_to_collection_to_the_managers_pages(browser, demo, shot, size):
    context, page = sized_page(browser, size)
    log_in(page, demo, "east.sales1")
    assert_fits_width(page)

    # 1. The salesperson wins the opportunity (a confirmation: won closes it for good).
    _open_negotiation(page, demo)
    shot(page, f"sales-opportunity-{size}")
    assert_fits_width(page)
    page.select_option("[data-testid=move] select[name=stage]", "won")
    page.once("dialog", lambda d: d.accept())
    page.click("[data-testid=move] button[type=submit]")
    page.wait_for_selector("[data-testid=new-contract]")
    assert page.locator("[data-testid=move]").count() == 0, "a won opportunity no longer moves"

    # 2. …draws up the contract from it: one line, two instalments summing to the total.
    page.click("[data-testid=new-contract]")
    page.wait_for_selector("input[name='lines-0-product']")
    shot(page, f"sales-contract-new-{size}")
    assert_fits_width(page)
    page.select_option("select[name=settlement_method]", "goods_first")
    page.fill("input[name='lines-0-product']", "实木复合地板 客厅+卧室")
    page.fill("input[name='lines-0-quantity']", "80")
    page.fill("input[name='lines-0-unit_price']", "150")
    today = date.today()
    page.fill("input[name='instalments-0-due_on']", (today - timedelta(days=3)).isoformat())
    page.fill("input[name='instalments-0-amount']", "4000")
    page.fill("input[name='instalments-1-due_on']", (today + timedelta(days=30)).isoformat())
    page.fill("input[name='instalments-1-amount']", "8000")
    page.click("form button[type=submit].primary")
    page.wait_for_selector("[data-testid=sign-form]")
    assert "12,000.00" in page.locator("[data-testid=total]").inner_text()
    page.once("dialog", lambda d: d.accept())
    page.click("[data-testid=sign-form] button[type=submit]")
    page.wait_for_selector("[data-testid=plan]")
    contract_url = page.url
    assert page.locator("[data-testid=plan] tbody tr").count() == 2
    shot(page, f"sales-contract-signed-{size}")
    assert_fits_width(page)
    context.close()

    # 3. The department's accountant records part of the first (already due) instalment.
    context, page = sized_page(browser, size)
    log_in(page, demo, "acct.east")
    page.goto(contract_url)
    page.locator("[data-testid=plan] [data-testid=collect]").first.click()
    page.wait_for_selector("input[name=amount]")
    assert_fits_width(page)
    page.fill("input[name=amount]", "1500")
    page.fill("input[name=received_on]", today.isoformat())
    page.click("form button[type=submit].primary")
    page.wait_for_selector("[data-testid=collections]")
    assert "1,500.00" in page.locator("[data-testid=collections]").inner_text()
    assert "10,500.00" in page.locator("[data-testid=outstanding]").inner_text()
    context.close()

    # 4. The manager sees the overdue rest as a receivable and the won amount in the funnel.
    context, page = sized_page(browser, size)
    log_in(page, demo, "east.manager")
    page.goto(f"{demo}/sales/receivables/")
    table = page.locator("[data-testid=receivables]")
    table.wait_for()
    assert "2,500.00" in table.inner_text(), "the unpaid rest of the due instalment is overdue"
    shot(page, f"sales-receivables-manager-{size}")
    assert_fits_width(page)
    page.goto(f"{demo}/sales/reports/funnel/")
    page.wait_for_selector("[data-testid=funnel-stages]")
    assert page.locator("[data-testid=chart-funnel] svg").count() == 1
    shot(page, f"sales-funnel-manager-{size}")
    assert_fits_width(page)
    context.close()
