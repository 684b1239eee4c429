"""Customer journeys in a real browser: register, be refused on a duplicate, find it in 我的客户;
an accountant completes a record from the worklist in place (htmx)."""

import pytest

from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


def fill_customer(page, name, phone):
    page.fill("#id_name", name)
    page.fill("#id_phone", phone)
    page.select_option("#id_nature", "direct_user")
    page.fill("#id_address", "上海市浦东新区世纪大道100号")
    page.select_option("#id_source", "phone")
    page.fill("#id_contacts-0-name", "陈经理")
    page.select_option("#id_contacts-0-gender", "M")
    page.fill("#id_contacts-0-mobile", "13700001234")


def test_salesperson_registers_is_refused_on_duplicate_and_finds_it(page, demo, shot):
    log_in(page, demo, "east.sales1")
    page.click(".mainnav >> text=登记客户")
    shot(page, "customer-register-form")
    fill_customer(page, "浦东新锐建材有限公司", "138 0013 8000")
    page.click("button[type=submit].primary")
    page.wait_for_selector("text=已登记")
    assert page.locator("h1").inner_text().startswith("浦东新锐建材有限公司")
    shot(page, "customer-detail-holder")

    page.click(".mainnav >> text=登记客户")
    fill_customer(page, "另一家公司", "+86 138-0013-8000")
    page.fill("#id_contacts-0-mobile", "13700009999")
    page.click("button[type=submit].primary")
    error = page.locator(".form-error").inner_text()
    assert "不能重复登记" in error and "张伟" in error and "华东销售部" in error
    shot(page, "customer-register-duplicate")

    page.click(".mainnav >> text=客户档案")
    assert page.locator(".tabs a.active").inner_text() == "我的客户"
    page.fill("form.filters input[name=q]", "新锐建材")
    page.click("button:has-text('筛选')")
    page.wait_for_url("**q=%E6%96%B0%E9%94%90%E5%BB%BA%E6%9D%90**")
    rows = page.locator("[data-testid=customer-table] tbody tr[data-id]")
    assert rows.count() == 1 and "浦东新锐建材有限公司" in rows.first.inner_text()
    page.fill("form.filters input[name=q]", "")
    page.click("button:has-text('筛选')")
    page.wait_for_load_state()
    # count() does not wait: wait for the reloaded list before counting its badges
    page.locator("[data-testid=days-left] .badge").first.wait_for()
    assert page.locator("[data-testid=days-left] .badge").count() >= 1, "countdown shown"
    shot(page, "customer-list-mine")


def test_salesperson_sees_the_department_pool_masked(page, demo, shot):
    log_in(page, demo, "east.sales1")
    page.goto(f"{demo}/customers/?scope=pool")
    phones = page.locator("[data-testid=customer-table] tbody td:nth-child(3)").all_inner_texts()
    assert phones and all("****" in p for p in phones)
    page.locator("[data-testid=customer-table] tbody td:nth-child(2) a").first.click()
    assert page.locator("[data-testid=masked-note]").is_visible()
    shot(page, "customer-detail-pool-masked")


def test_accountant_completes_a_record_from_the_worklist(page, demo, shot):
    log_in(page, demo, "acct.east")
    page.click(".mainnav >> text=资料补录")
    shot(page, "worklist")
    # The first row is the most urgent (issue 14). The demo seeds it with an old duplicate
    # contact: that must not block completing its other fields (customers.services.keys_sync).
    first = page.locator("[data-testid=worklist] tbody tr").first
    row_id = first.get_attribute("id")
    first.locator("[data-testid=complete]").click()
    form = page.locator(f"#{row_id} form")
    form.wait_for()
    for name, value in (
        ("fax", "021-62345678"),
        ("tax_id", "91310000MA1FL0001X"),
        ("bank", "招商银行"),
        ("bank_account", "6222000011112222"),
        ("postcode", "200120"),
        ("legal_representative", "王强"),
        ("address", "上海市中山路1号"),
        ("phone", "021-63339981"),
    ):
        field = form.locator(f"[name={name}]")
        if field.count():
            field.fill(value)
    nature = form.locator("select[name=nature]")
    if nature.count():
        nature.select_option("direct_user")
    shot(page, "worklist-editing")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(f"#{row_id}.saved")
    assert "补录" not in page.locator(f"#{row_id} td:nth-child(6)").inner_text()
    shot(page, "worklist-saved")
