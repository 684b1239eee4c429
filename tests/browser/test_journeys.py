"""Each demo role logs in through the real login form and sees exactly its navigation."""

import pytest

from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser

NAV = {
    "gm": [
        "工作台",
        "部门",
        "客户档案",
        "登记客户",
        "资料补录",
        "重复与虚假资料",
        "公共资源池",
        "审批",
        "公示",
        "客户交换",
        "销售机会",
        "合同",
        "应收账款",
        "沉默客户/业绩划转",
        "销售报表",
        "咨询来电",
        "投诉",
        "年度评价",
        "满意度调查",
        "回访计划",
        "竞争对手",
        "店面",
        "奖惩台账",
        "经营总览",
        "导出记录",
        "工作日历",
        "登录与账户",
        "系统管理",
    ],
    "east.manager": (
        [
            "工作台",
            "部门",
            "客户档案",
            "登记客户",
            "资料补录",
            "重复与虚假资料",
            "公共资源池",
            "审批",
            "公示",
            "客户交换",
            "销售机会",
            "合同",
            "应收账款",
            "沉默客户/业绩划转",
            "销售报表",
            "咨询来电",
            "投诉",
            "年度评价",
            "满意度调查",
            "回访计划",
            "竞争对手",
            "奖惩台账",
            "经营总览",
            "工作日历",
        ]
    ),
    "acct.east": [
        "工作台",
        "部门",
        "客户档案",
        "资料补录",
        "重复与虚假资料",
        "公示",
        "销售机会",
        "合同",
        "应收账款",
        "沉默客户/业绩划转",
        "销售报表",
        "咨询来电",
        "投诉",
        "满意度调查",
        "竞争对手",
        "奖惩台账",
        "工作日历",
    ],
    "east.sales1": [
        "工作台",
        "客户档案",
        "登记客户",
        "公共资源池",
        "公示",
        "客户交换",
        "销售机会",
        "合同",
        "应收账款",
        "沉默客户/业绩划转",
        "销售报表",
        "咨询来电",
        "投诉",
        "年度评价",
        "满意度调查",
        "回访计划",
        "竞争对手",
        "奖惩台账",
        "工作日历",
    ],
}


def nav_labels(page):
    return [label.strip() for label in page.locator(".mainnav a").all_inner_texts()]


def test_login_page_is_chinese(page, demo, shot):
    page.goto(f"{demo}/accounts/login/")
    assert page.locator("h1").inner_text() == "登录"
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    shot(page, "login")


def test_wrong_password_shows_a_chinese_message(page, demo):
    page.goto(f"{demo}/accounts/login/")
    page.fill("#id_username", "gm")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit].primary")
    assert "请输入一个正确的" in page.locator(".form-error").inner_text()


@pytest.mark.parametrize("username", list(NAV))
def test_each_role_sees_its_navigation(page, demo, shot, username):
    log_in(page, demo, username)
    assert nav_labels(page) == NAV[username]
    assert page.locator("h1").inner_text() == "工作台"
    shot(page, f"dashboard-{username}")


def test_manager_opens_own_department_and_sub_department(page, demo, shot):
    log_in(page, demo, "east.manager")
    page.click(".mainnav >> text=部门")
    rows = page.locator("table.table tbody tr td:first-child").all_inner_texts()
    assert [r.strip() for r in rows] == ["华东销售部", "上海分部"]
    page.click("text=上海分部")
    assert page.locator("h1").inner_text() == "上海分部"
    assert "孙丽" in page.content()
    shot(page, "department-detail-manager")


def test_salesperson_reads_the_working_day_calendar(page, demo, shot):
    log_in(page, demo, "east.sales1")
    page.goto(f"{demo}/calendar/?month=2026-02")
    assert "makeup" in page.locator('td[data-date="2026-02-14"]').get_attribute("class")
    assert "春节" in page.locator('td[data-date="2026-02-17"]').inner_text()
    shot(page, "calendar-2026-02")


def test_language_switch_to_english(page, demo, shot):
    log_in(page, demo, "gm")
    page.select_option("#language", "en")
    page.wait_for_selector("html[lang=en]")
    assert nav_labels(page) == [
        "Dashboard",
        "Departments",
        "Customers",
        "Register a customer",
        "Incomplete records",
        "Duplicates and fakes",
        "Public pool",
        "Approvals",
        "Public notices",
        "Swaps",
        "Opportunities",
        "Contracts",
        "Receivables",
        "Dormant and credit",
        "Sales reports",
        "Inquiry call",
        "Complaints",
        "Yearly evaluation",
        "Satisfaction surveys",
        "Revisit plans",
        "Competitors",
        "Store",
        "Ledger",
        "Overview",
        "Export log",
        "Working days",
        "Logins and accounts",
        "Administration",
    ]
    shot(page, "dashboard-gm-en")


def test_phone_sized_screen(browser, demo, shot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    log_in(page, demo, "east.sales1")
    assert nav_labels(page) == NAV["east.sales1"]
    shot(page, "dashboard-phone")
    context.close()


def test_general_manager_keeps_the_organisation_in_admin(page, demo, shot):
    log_in(page, demo, "gm")
    page.click(".mainnav >> text=系统管理")
    body = page.locator("#content-main").inner_text()
    for entry in ("部门", "员工", "工作日调整", "用户"):
        assert entry in body
    page.goto(f"{demo}/admin/crm/staff/")
    assert "赵磊" in page.content()
    shot(page, "admin-staff-gm")
