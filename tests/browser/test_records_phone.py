"""Issue 14 on a phone (390×844) and at the desk: inline forms answer in place with their errors
(in Chinese, what was typed kept), 咨询来电 from a new number leads to 登记客户, the accountant's
in-place 补录 survives a bad field, and a home visit is checked in with a location and a photo."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connections

from tests.browser.helpers import fits_width, log_in
from tests.browser.test_customers import fill_customer
from tests.customers.test_checkin import tiny_png

pytestmark = pytest.mark.browser
SH = ZoneInfo("Asia/Shanghai")
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}
SHANGHAI = {"latitude": 31.230416, "longitude": 121.473701, "accuracy": 15}


@pytest.fixture
def phone(browser):
    """A phone-sized page; like the `page` fixture, a CSP refusal fails the test."""
    contexts = []

    def _open(**extra):
        context = browser.new_context(**PHONE, **extra)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.csp_violations = []
        page.on(
            "console",
            lambda m: (
                page.csp_violations.append(m.text) if "Content Security Policy" in m.text else None
            ),
        )
        return page

    yield _open
    refused = [v for c in contexts for p in c.pages for v in p.csp_violations]
    for context in contexts:
        context.close()
    assert not refused, f"the Content-Security-Policy refused: {refused}"


def submit(page, form):
    """Click Save and wait for the server's answer (and htmx's swap of it)."""
    with page.expect_response(lambda r: r.request.method == "POST"):
        form.locator("button[type=submit]").click()
    page.wait_for_timeout(100)


def open_quicklog(page, demo):
    page.goto(f"{demo}/customers/?scope=mine")
    first = page.locator("[data-testid=customer-table] tbody tr[data-id]").first
    customer_id = first.get_attribute("data-id")
    first.locator("[data-testid=quicklog]").click()
    form = page.locator(f"#log-{customer_id} form")
    form.wait_for()
    return customer_id, form


def test_salesperson_on_a_phone_is_refused_in_place_corrects_and_saves(phone, demo, shot):
    page = phone()
    log_in(page, demo, "east.sales1")
    customer_id, form = open_quicklog(page, demo)
    url_before = page.url

    # 1. No content at all: the error shows in the row, the rest of what was typed stays.
    form.locator("select[name=kind]").select_option("callback")
    form.locator("input[name=result]").fill("客户答应周末来店")
    submit(page, form)
    error = page.locator(f"#log-{customer_id} .field.has-error .error")
    error.first.wait_for()
    assert "这个字段是必填项" in error.first.inner_text()
    form = page.locator(f"#log-{customer_id} form")
    assert form.locator("input[name=result]").input_value() == "客户答应周末来店"
    assert page.url == url_before and page.locator("[data-testid=customer-table]").is_visible()
    assert page.locator("header.topbar").count() == 1, "the page is not replaced by a fragment"

    # 2. Too short, and in the future: refused again, in Chinese, the text kept.
    form.locator("textarea[name=content]").fill("没人接")
    form.locator("input[name=occurred_at]").fill(
        (datetime.now(SH) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    )
    submit(page, form)
    row_text = page.locator(f"#log-{customer_id}").inner_text()
    assert "发生时间不能晚于现在" in row_text
    form = page.locator(f"#log-{customer_id} form")
    assert form.locator("textarea[name=content]").input_value() == "没人接"
    assert fits_width(page)
    shot(page, "records-quicklog-refused-phone")

    # 3. Corrected: saved in place.
    form.locator("input[name=occurred_at]").fill(
        (datetime.now(SH) - timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M")
    )
    form.locator("textarea[name=content]").fill(
        "电话回访，客户确认周六到店看样品，需要准备报价单。"
    )
    form.locator("button[type=submit]").click()
    page.locator(f"#log-{customer_id}[data-testid=logged]").wait_for()
    assert page.url == url_before
    shot(page, "records-quicklog-saved-phone")
    page.goto(f"{demo}/customers/{customer_id}/")
    timeline = page.locator("[data-testid=timeline]").inner_text()
    assert "客户确认周六到店看样品" in timeline and "客户答应周末来店" in timeline


def test_accountant_fixes_a_record_in_place_after_one_bad_field(page, demo, shot):
    from crm.models import User
    from customers.models import Customer
    from tests.factories import register

    def seed():  # outside Playwright's event loop (constance switches to async in it)
        try:
            sales = User.objects.get(username="east.sales1")
            made.append(
                register(sales, name="补录测试建材有限公司", phone="13900112233", fax="", bank="")
            )
            # A first deal long ago: the most urgent deadline, so the first row.
            Customer.objects.filter(pk=made[0].pk).update(
                first_deal_at=datetime(2025, 1, 2, 10, tzinfo=SH), completion_due="2025-03-02"
            )
        finally:
            connections.close_all()

    made = []
    seeding = threading.Thread(target=seed)
    seeding.start()
    seeding.join()
    c = made[0]
    log_in(page, demo, "acct.east")
    page.goto(f"{demo}/customers/worklist/")
    row = page.locator(f"#row-{c.pk}")
    assert page.locator("[data-testid=worklist-row]").first.get_attribute("id") == f"row-{c.pk}"
    row.locator("[data-testid=complete]").click()
    form = page.locator(f"#row-{c.pk} form")
    form.wait_for()
    form.locator("[name=fax]").fill("传真没有")
    form.locator("[name=bank]").fill("招商银行上海分行")
    submit(page, form)
    page.locator(f"#row-{c.pk} .field.has-error").wait_for()
    assert "不是有效的电话号码" in page.locator(f"#row-{c.pk} .field.has-error").inner_text()
    form = page.locator(f"#row-{c.pk} form")
    assert form.locator("[name=bank]").input_value() == "招商银行上海分行"
    assert form.locator("[name=fax]").input_value() == "传真没有"
    assert page.locator("h1").inner_text() == "资料补录", "still the worklist page"
    shot(page, "records-worklist-refused")
    form.locator("[name=fax]").fill("021-62345678")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(f"#row-{c.pk}.saved")
    c.refresh_from_db()
    assert (c.fax, c.bank) == ("021-62345678", "招商银行上海分行")
    shot(page, "records-worklist-fixed")


def test_inquiry_from_a_new_number_registers_the_caller_on_a_phone(phone, demo, shot):
    page = phone()
    log_in(page, demo, "east.sales1")
    page.goto(f"{demo}/customers/inquiries/new/")
    page.fill("#id_phone", "139 0021 7788")
    page.fill("#id_caller_name", "王女士")
    page.fill("#id_content", "来电询问实木地板价格，想周末到店看样品")
    page.click("button[type=submit].primary")
    outcome = page.locator("[data-testid=inquiry-outcome]")
    assert outcome.get_attribute("data-status") == "new"
    assert "已被登记" not in outcome.inner_text()
    register_button = outcome.locator("[data-testid=register-caller]")
    assert register_button.is_visible() and register_button.inner_text() == "登记客户"
    assert fits_width(page)
    shot(page, "records-inquiry-new-phone")
    register_button.click()
    assert page.locator("#id_phone").input_value() == "13900217788", "the number is carried"
    phone_number = page.locator("#id_phone").input_value()
    fill_customer(page, "王女士家装", phone_number)
    page.click("button[type=submit].primary")
    page.wait_for_selector("text=已登记")
    assert page.locator("h1").inner_text().startswith("王女士家装")
    shot(page, "records-inquiry-registered-phone")

    # The same number calls again and a colleague of another department takes it.
    other = phone()
    log_in(other, demo, "south.sales1")
    other.goto(f"{demo}/customers/inquiries/new/")
    other.fill("#id_phone", "13900217788")
    other.fill("#id_content", "再次来电询问安装时间")
    other.click("button[type=submit].primary")
    outcome = other.locator("[data-testid=inquiry-outcome]")
    assert outcome.get_attribute("data-status") == "taken"
    text = outcome.inner_text()
    assert "张伟" in text and "华东销售部" in text, "who holds it, as registration would say"
    assert "王女士家装" not in other.content()
    assert outcome.locator("[data-testid=register-caller]").count() == 0
    shot(other, "records-inquiry-taken-phone")


def test_home_visit_checked_in_with_location_and_photo_on_a_phone(phone, demo, shot):
    page = phone(geolocation=SHANGHAI, permissions=["geolocation"])
    log_in(page, demo, "east.sales1")
    customer_id, form = open_quicklog(page, demo)
    form.locator("select[name=kind]").select_option("home_visit")
    form.locator("textarea[name=content]").fill(
        "上门量房，客厅和卧室共六十平米，客户倾向浅色橡木，约定三天后出方案。"
    )
    status = form.locator("[data-testid=checkin-status]")
    form.locator("[data-testid=checkin-button]").click()
    page.wait_for_function(
        "el => el.textContent.includes('31.230416')", arg=status.element_handle()
    )
    assert form.locator("input[name=checkin_accuracy]").input_value() == "15"
    form.locator("input[name=photos]").set_input_files(
        [{"name": "现场.png", "mimeType": "image/png", "buffer": tiny_png()}]
    )
    shot(page, "records-checkin-form-phone")
    form.locator("button[type=submit]").click()
    page.locator(f"#log-{customer_id}[data-testid=logged]").wait_for()

    page.goto(f"{demo}/customers/{customer_id}/")
    entry = page.locator("[data-testid=timeline] .tl-followup").first
    checkin = entry.locator("[data-testid=checkin]")
    assert "31.23042, 121.47370" in checkin.inner_text()
    assert checkin.locator(".badge.status-active").inner_text() in ("已签到", "Checked in")
    image = entry.locator("[data-testid=visit-photos] img").first
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    assert "/media/" not in image.get_attribute("src")
    assert fits_width(page)
    shot(page, "records-checkin-timeline-phone")
