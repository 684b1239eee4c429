"""A manager declares a customer invalid (无效客户, 004): refused until the manager's own
revisit is logged, then confirmed with a reason; the customer page shows the state and it
leaves the default list."""

import pytest

from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


def test_manager_declares_a_customer_invalid_after_own_revisit(page, demo, shot):
    log_in(page, demo, "east.manager")
    page.goto(f"{demo}/customers/?scope=all")
    first = page.locator("[data-testid=customer-table] tbody tr[data-id]").first
    customer_id = first.get_attribute("data-id")
    page.goto(f"{demo}/customers/{customer_id}/")
    page.click("[data-testid=declare-invalid]")
    page.locator("[data-testid=no-revisit]").wait_for()
    page.fill("textarea[name=reason]", "客户已在别家签约，本人电话确认")
    page.click("[data-testid=confirm-validity]")
    page.locator(".form-error").wait_for()
    shot(page, "invalid-refused-without-revisit")

    # The manager's own call-back, through the ordinary follow-up form.
    page.click("[data-testid=no-revisit] a")
    page.select_option("select[name=kind]", "callback")
    page.fill("textarea[name=content]", "经理亲自电话回访，客户已在别家签约，不再考虑。")
    page.click("form.card button[type=submit].primary")
    page.wait_for_url(f"{demo}/customers/{customer_id}/#timeline")

    page.click("[data-testid=declare-invalid]")
    page.locator("[data-testid=own-revisit]").wait_for()
    page.fill("textarea[name=reason]", "客户已在别家签约，本人电话确认")
    page.click("[data-testid=confirm-validity]")
    note = page.locator("[data-testid=invalid-note]")
    note.wait_for()
    assert "客户已在别家签约" in note.inner_text()
    assert page.locator("[data-testid=restore-valid]").count() == 1
    shot(page, "invalid-customer-detail")

    page.goto(f"{demo}/customers/?scope=all")
    assert page.locator(f"tr[data-id='{customer_id}']").count() == 0
    page.goto(f"{demo}/customers/?scope=all&validity=invalid")
    assert page.locator(f"tr[data-id='{customer_id}']").count() == 1
    shot(page, "invalid-customers-filter")
