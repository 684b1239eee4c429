"""The general manager keeps the rule numbers and the rule catalogue in 系统管理 (issue 14,
defect 10 / Build 7), on a desk and on a phone; and the error pages a person may meet (issue 14,
Build 5) keep the site's header and a way back."""

import pytest

from tests.browser.helpers import SIZES, log_in
from tests.threads import in_thread

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def fresh_rule_numbers():
    """Constance keeps the rule numbers in the shared cache, which outlives the database flush
    between live-server tests: start and end with it empty, so a number saved here neither
    hides this test's save (constance skips a value it believes unchanged) nor leaks into the
    next test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def holding_cap() -> int:
    from constance import config

    return config.HOLDING_CAP


def rule_amounts(code: str) -> tuple:
    from penalties.models import PenaltyRule

    rule = PenaltyRule.objects.get(code=code)
    return rule.min_amount, rule.default_amount, rule.max_amount


@pytest.mark.parametrize("size", SIZES)
def test_gm_edits_a_rule_number_and_a_rule_in_system_administration(page, demo, shot, size):
    page.set_viewport_size(SIZES[size])
    log_in(page, demo, "gm")
    # 系统管理 from the header (on a phone the header may fold it into its menu).
    admin_link = page.locator("[data-nav=admin]")
    if not admin_link.is_visible():
        page.click("[data-menu-toggle]")
    admin_link.click()
    page.wait_for_url(f"{demo}/admin/")

    # 系统管理 → Config: the holding cap 300 → 280.
    page.click("#content-main a[href$='/admin/constance/config/']")
    page.wait_for_selector("#id_HOLDING_CAP")
    assert page.locator("#id_HOLDING_CAP").input_value() == "300"
    page.fill("#id_HOLDING_CAP", "280")
    shot(page, f"gm-config-{size}")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    assert page.locator("#id_HOLDING_CAP").input_value() == "280"
    assert in_thread(holding_cap) == 280
    shot(page, f"gm-config-saved-{size}")

    # 系统管理 → 奖惩规则: the fine for fighting over customers 500 → 600.
    page.goto(f"{demo}/admin/")
    page.click("#content-main a[href$='/admin/penalties/penaltyrule/']")
    page.wait_for_selector("#result_list")
    assert "《客户资源管理制度》第4.2条③" in page.locator("#result_list").inner_text()
    page.locator("#result_list a", has_text="GRABBING").click()
    page.wait_for_selector("#id_default_amount")
    for field in ("#id_min_amount", "#id_default_amount", "#id_max_amount"):
        page.fill(field, "600")
    shot(page, f"gm-rule-edit-{size}")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    assert in_thread(rule_amounts, "GRABBING") == (600, 600, 600)
    shot(page, f"gm-rule-saved-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_not_found_page_keeps_the_header_and_a_way_back(page, demo, shot, size):
    page.set_viewport_size(SIZES[size])
    log_in(page, demo, "east.sales1")
    # As when following a stale link from the customer list.
    page.goto(f"{demo}/customers/987654/", referer=f"{demo}/customers/")
    card = page.locator("[data-testid=error-page]")
    assert card.get_attribute("data-status") == "404"
    assert "页面不存在" in card.inner_text()
    assert page.locator("header.topbar .brand").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    shot(page, f"error-404-{size}")
    page.click("[data-testid=back-previous]")
    page.wait_for_url(f"{demo}/customers/")
    page.goto(f"{demo}/customers/987654/")
    page.click("[data-testid=back-dashboard]")
    page.wait_for_url(f"{demo}/")


def test_stale_form_gets_the_expired_page(page, demo, shot):
    log_in(page, demo, "east.sales1")
    page.goto(f"{demo}/customers/")
    # Another window logs out and in again: this page's CSRF token is stale.
    page.context.clear_cookies()
    log_in(page.context.new_page(), demo, "east.sales1")
    page.select_option("#language", "en")  # the header's language switch posts its form
    card = page.locator("[data-testid=error-page]")
    card.wait_for()
    assert card.get_attribute("data-status") == "403-csrf"
    assert "页面已过期" in card.inner_text()
    shot(page, "error-csrf-desktop")
