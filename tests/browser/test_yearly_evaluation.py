"""The yearly evaluation in a real browser (issue 16, 001 四.4): a salesperson fills the
year's evaluation of a customer with deals this year (the page states the 12-25 deadline and
the reminders from 12-01); the department manager adds 业务经理评价. At the desktop and the
phone size; nothing scrolls sideways. The demo is seeded as of 2026-11-22: this year's
customers with deals are due (the browser's clock is today's)."""

from datetime import date

import pytest

from tests.browser.helpers import SIZES, assert_fits_width, log_in, sized_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", list(SIZES))
def test_salesperson_fills_the_yearly_evaluation_and_the_manager_adds_theirs(
    browser, demo, shot, size
):
    year = date.today().year
    context, page = sized_page(browser, size)
    log_in(page, demo, "east.sales1")

    # 1. The list of this year's customers with deals, with the deadline and the reminders.
    page.goto(f"{demo}/service/yearly/?year={year}&status=missing")
    page.wait_for_selector("[data-testid=yearly-table]")
    dates = page.locator("[data-testid=yearly-dates]").inner_text()
    assert f"{year}-12-25" in dates and f"{year}-12-01" in dates
    shot(page, f"yearly-list-{size}")
    assert_fits_width(page)

    # 2. …fills the transaction, credit and contact evaluations of the first one.
    page.locator("[data-testid=evaluate]").first.click()
    page.wait_for_selector("[data-testid=yearly-form]")
    assert_fits_width(page)
    page.select_option("select[name=transaction_grade]", "good")
    page.fill("textarea[name=transaction_note]", "全年三次下单，回款及时")
    page.select_option("select[name=credit_grade]", "A")
    page.select_option("select[name=contact_grade]", "fair")
    page.fill("textarea[name=contact_note]", "采购负责人年中更换，需重新维护")
    shot(page, f"yearly-form-{size}")
    page.once("dialog", lambda d: d.accept())
    page.click("[data-testid=yearly-form] button[type=submit]")
    page.wait_for_selector("[data-testid=yearly-facts]")
    assert "采购负责人年中更换" in page.locator("[data-testid=contact]").inner_text()
    evaluation_url = page.url
    assert page.locator("[data-testid=manager-form]").count() == 0, "not the salesperson's part"
    context.close()

    # 3. The department manager adds 业务经理评价.
    context, page = sized_page(browser, size)
    log_in(page, demo, "east.manager")
    page.goto(evaluation_url)
    page.wait_for_selector("[data-testid=manager-form]")
    page.fill("[data-testid=manager-form] textarea", "重点客户，明年加大拜访频次")
    page.once("dialog", lambda d: d.accept())
    page.click("[data-testid=manager-form] button[type=submit]")
    page.wait_for_selector("[data-testid=manager-note]:has-text('重点客户')")
    assert page.locator("[data-testid=manager-form]").count() == 0
    shot(page, f"yearly-detail-manager-{size}")
    assert_fits_width(page)
    context.close()
