"""Complaints in a real browser (issue 16): the store accountant at the counter takes a
complaint for a salesperson's customer; the department manager starts the investigation,
records the handling, confirms the customer is satisfied and archives it. At the desktop and
the phone size; nothing scrolls sideways."""

import pytest

from tests.browser.helpers import SIZES, assert_fits_width, log_in, sized_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", list(SIZES))
def test_clerk_takes_manager_investigates_closes_satisfaction_confirmed(browser, demo, shot, size):
    context, page = sized_page(browser, size)

    # 1. The clerk (the east store's accountant) takes the complaint.
    log_in(page, demo, "acct.east")
    page.goto(f"{demo}/service/complaints/")
    page.click("[data-testid=new-complaint]")
    page.wait_for_selector("[data-testid=complaint-form]")
    assert_fits_width(page)
    page.fill("input[name=complainant]", "浏览器测试客户")
    page.fill("input[name=complainant_phone]", "13800138000")
    page.select_option("select[name=category]", index=1)
    page.fill("textarea[name=content]", "油漆颜色与样板不一致，要求上门查看。")
    responsible = page.locator("select[name=responsible] option", has_text="华东销售部").first
    page.select_option("select[name=responsible]", responsible.get_attribute("value"))
    shot(page, f"complaint-new-{size}")
    page.click("[data-testid=complaint-form] button[type=submit]")
    page.wait_for_selector("[data-testid=complaint-facts]")
    assert page.locator("[data-testid=complaint-step]").get_attribute("data-step") == "received"
    complaint_url = page.url
    context.close()

    # 2. The department manager investigates, handles, confirms and archives.
    context, page = sized_page(browser, size)
    log_in(page, demo, "east.manager")
    page.goto(complaint_url)
    page.wait_for_selector("[data-testid=investigate-form]")
    assert_fits_width(page)
    page.fill("[data-testid=investigate-form] textarea[name=note]", "已致电客户致歉，明天上门。")
    page.click("[data-testid=investigate-form] button[type=submit]")
    page.wait_for_selector("[data-testid=handle-form]")
    page.fill("[data-testid=handle-form] textarea[name=findings]", "批次色差属实。")
    page.fill("[data-testid=handle-form] textarea[name=resolution]", "重新调色补漆。")
    page.click("[data-testid=handle-form] button[type=submit]")
    page.wait_for_selector("[data-testid=confirm-form]")
    page.check("[data-testid=confirm-form] input[name=satisfied][value=yes]")
    page.fill("[data-testid=confirm-form] textarea[name=note]", "客户确认满意。")
    page.click("[data-testid=confirm-form] button[type=submit]")
    page.wait_for_selector("[data-testid=archive-form]")
    shot(page, f"complaint-confirmed-{size}")
    page.once("dialog", lambda d: d.accept())
    page.click("[data-testid=archive-form] button[type=submit]")
    page.wait_for_selector("[data-testid=complaint-step][data-step=archived]")
    history = page.locator("[data-testid=complaint-history] .hist")
    assert history.count() == 5
    assert_fits_width(page)

    # 3. The analysis counts it as closed.
    page.goto(f"{demo}/service/complaints/analysis/")
    page.wait_for_selector("[data-testid=analysis-table]")
    assert_fits_width(page)
    shot(page, f"complaint-analysis-{size}")
    context.close()
