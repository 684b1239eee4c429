"""A salesperson logs visits from the customer list on a phone-sized screen (htmx, no page
reload) and finds them on the timeline; an entry made after the deadline is marked late."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser
SH = ZoneInfo("Asia/Shanghai")


def test_salesperson_logs_visits_from_the_list_on_a_phone(browser, demo, shot):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, demo, "east.sales1")
    page.goto(f"{demo}/customers/?scope=mine")
    first = page.locator("[data-testid=customer-table] tbody tr[data-id]").first
    customer_id = first.get_attribute("data-id")
    name = first.locator("td:nth-child(2) a").inner_text()
    url_before = page.url

    # On time: it happened an hour ago.
    first.locator("[data-testid=quicklog]").click()
    form = page.locator(f"#log-{customer_id} form")
    form.wait_for()
    shot(page, "quicklog-form-phone")
    form.locator("select[name=kind]").select_option("home_visit")
    form.locator("input[name=occurred_at]").fill(
        (datetime.now(SH) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    )
    form.locator("textarea[name=content]").fill(
        "上门量房，客厅和卧室共六十平米，约定三天后出方案。"
    )
    form.locator("button[type=submit]").click()
    done = page.locator(f"#log-{customer_id}[data-testid=logged]")
    done.wait_for()
    assert page.url == url_before, "no full page reload"
    assert done.locator("[data-testid=late]").count() == 0

    # Late: it happened a week ago, so its 10:00-next-working-day deadline has passed.
    page.reload()
    row = page.locator(f"tr[data-id='{customer_id}']")
    row.locator("[data-testid=quicklog]").click()
    form = page.locator(f"#log-{customer_id} form")
    form.wait_for()
    form.locator("select[name=kind]").select_option("callback")
    form.locator("input[name=occurred_at]").fill(
        (datetime.now(SH) - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    )
    form.locator("textarea[name=content]").fill(
        "电话回访，客户确认周六到店看木门样品，需要准备报价。"
    )
    form.locator("button[type=submit]").click()
    page.locator(f"#log-{customer_id} [data-testid=late]").wait_for()
    shot(page, "quicklog-late-phone")

    page.goto(f"{demo}/customers/{customer_id}/")
    assert page.locator("h1").inner_text().startswith(name)
    timeline = page.locator("[data-testid=timeline]")
    assert "上门量房，客厅和卧室共六十平米" in timeline.inner_text()
    late_entry = timeline.locator(".tl-followup", has_text="周六到店看木门样品")
    assert late_entry.locator(".badge.status-left").inner_text() == "迟录"
    shot(page, "timeline-phone")
    context.close()


def test_inquiry_on_a_colleagues_number_reveals_nothing(page, demo, shot):
    from customers.models import Customer

    taken = Customer.objects.filter(holder__username="east.sales1").first()
    log_in(page, demo, "south.sales1")
    page.click(".mainnav >> text=咨询来电")
    page.fill("#id_phone", taken.phone)
    page.fill("#id_content", "来电询问木门价格和安装周期")
    page.click("button[type=submit].primary")
    outcome = page.locator("[data-testid=inquiry-outcome]")
    assert outcome.get_attribute("data-status") == "taken"
    # Who holds it, as a registration refusal would say (issue 14); nothing of the customer.
    assert taken.name not in page.content() and taken.phone not in outcome.inner_text()
    assert "张伟" in outcome.inner_text() and "华东销售部" in outcome.inner_text()
    shot(page, "inquiry-outcome")
