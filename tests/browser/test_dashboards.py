"""The role dashboards and the department page in a real browser, at a desk (1366×900) and on a
phone (390×844): the salesperson's day, the manager's and the accountant's dashboards, the
department page's figures (issue 14 builds 2 and 6). Screenshots in tests/browser/screens/."""

import pytest

from tests.browser.helpers import assert_fits_width as no_sideways_scroll
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser

SIZES = {"desk": (1366, 900), "phone": (390, 844)}


@pytest.mark.parametrize("size", SIZES)
def test_role_dashboards_and_department_page(page, demo, shot, size):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))

    log_in(page, demo, "east.sales1")
    for testid in ("followups-due", "reclaim-soon", "reclaimed-from-me", "my-requests"):
        assert page.locator(f'[data-testid="{testid}"]').is_visible(), testid
    # 今日待跟进 / 即将回收 once the catalogue carries /tmp/i18n/dashboards.po.
    assert page.locator('[data-testid="followups-due"] h2').inner_text() in (
        "今日待跟进",
        "Follow-ups due today",
    )
    no_sideways_scroll(page)
    shot(page, f"dashboard-salesperson-{size}")
    page.context.clear_cookies()

    log_in(page, demo, "acct.east")
    summary = page.locator('[data-testid="worklist-summary"]')
    assert summary.is_visible()
    assert summary.locator('[data-testid="worklist-by-department"] tbody tr').count() >= 1
    assert page.locator('[data-testid="followups-due"]').count() == 0
    no_sideways_scroll(page)
    shot(page, f"dashboard-accountant-{size}")
    page.context.clear_cookies()

    log_in(page, demo, "east.manager")
    assert page.locator('[data-testid="manager-panel"]').is_visible()
    no_sideways_scroll(page)
    shot(page, f"dashboard-manager-{size}")
    page.goto(f"{demo}/departments/")
    page.locator("main table a[href*='/departments/']").first.click()
    figures = page.locator('[data-testid="department-figures"]')
    assert figures.is_visible()
    held = figures.locator('[data-figure="held"]').inner_text()
    assert held.isdigit() and int(held) > 0, "the seeded department holds customers"
    assert figures.locator('[data-testid="department-quota"] tbody tr').count() >= 1
    assert page.locator('[data-testid="department-notices"]').is_visible()
    assert page.locator('[data-testid="department-worklist"]').is_visible()
    no_sideways_scroll(page)
    shot(page, f"department-page-{size}")
