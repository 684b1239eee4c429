"""Running for years (issue 18) in a real browser: the GM pastes the 2027 holiday notice, checks
the preview and saves it, and the calendar shows the Spring Festival; the backups, scheduled
jobs and work-messaging pages fit the phone as well as the desktop."""

from pathlib import Path

import pytest

from tests.browser.helpers import SIZES, assert_fits_width, log_in, sized_page

pytestmark = pytest.mark.browser

NOTICE_2027 = (Path(__file__).parent.parent / "crm" / "notices" / "2027.txt").read_text("utf-8")


@pytest.mark.parametrize("size", list(SIZES))
def test_gm_imports_next_years_holidays_and_reads_the_operations_pages(browser, demo, shot, size):
    context, page = sized_page(browser, size)
    log_in(page, demo, "gm")
    page.goto(f"{demo}/calendar/import/")
    page.fill("[data-testid=notice-form] textarea[name=text]", NOTICE_2027)
    page.click("[data-testid=notice-form] button[type=submit]")
    page.wait_for_selector("[data-testid=notice-preview]")
    assert "春节" in page.locator("[data-testid=notice-preview]").inner_text()
    assert_fits_width(page)
    shot(page, f"ops-calendar-preview-{size}")
    page.click("[data-testid=notice-confirm] button[type=submit]")
    page.wait_for_url("**/calendar/?month=2027-01")
    page.goto(f"{demo}/calendar/?month=2027-02")
    assert "holiday" in page.locator("td[data-date='2027-02-08']").get_attribute("class")
    assert "makeup" in page.locator("td[data-date='2027-02-14']").get_attribute("class")
    assert_fits_width(page)
    shot(page, f"ops-calendar-2027-02-{size}")
    for path, testid in (
        ("/backups/", "backup-table"),
        ("/jobs/", "job-table"),
        ("/channels/", "channel-table"),
    ):
        page.goto(f"{demo}{path}")
        page.wait_for_selector(f"[data-testid={testid}]")
        assert_fits_width(page)
        shot(page, f"ops-{path.strip('/')}-{size}")
    context.close()
