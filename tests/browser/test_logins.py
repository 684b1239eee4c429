"""Login defence in a real browser (SPEC §9): repeated wrong passwords lock the form with a
Chinese retry time, the GM reads the attempts in 登录与账户, and anybody changes their own
password from the header."""

import pytest

from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


def try_password(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")


def test_repeated_wrong_passwords_lock_the_form_and_the_gm_sees_them(page, demo, shot):
    for _ in range(4):
        try_password(page, demo, "east.sales1", "wrong")
        assert "请输入一个正确的" in page.locator(".form-error").inner_text()
    try_password(page, demo, "east.sales1", "wrong")
    message = page.locator("[data-testid=lockout]").inner_text()
    assert "登录失败次数过多" in message and "之后再试" in message
    shot(page, "login-locked")
    try_password(page, demo, "east.sales1", "crm-demo-2026")
    assert page.locator("[data-testid=lockout]").count() == 1, "locked even with the password"

    # Another person at the same address is not locked out.
    log_in(page, demo, "gm")
    page.click(".mainnav >> text=登录与账户")
    page.fill("#f-username", "east.sales1")
    page.click("[data-testid=login-filters] button[type=submit]")
    outcomes = page.locator("[data-testid=login-log] tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.outcome)"
    )
    assert outcomes == ["locked", "locked"] + ["failure"] * 4
    shot(page, "login-log-gm")
    page.click("text=账户变更")
    assert page.locator("[data-testid=account-changes]").is_visible()


def test_a_salesperson_changes_their_password_from_the_header(page, demo, shot):
    log_in(page, demo, "east.sales2")
    page.click("[data-testid=password-change]")
    page.fill("#id_old_password", "crm-demo-2026")
    page.fill("#id_new_password1", "Harbour-Lantern-2027")
    page.fill("#id_new_password2", "Harbour-Lantern-2027")
    shot(page, "password-change")
    page.click("main button[type=submit].primary")
    page.wait_for_url(f"{demo}/")
    assert "密码已修改" in page.locator(".messages").inner_text()
    page.click("header button.link")  # log out
    page.wait_for_url(f"{demo}/accounts/login/")
    page.fill("#id_username", "east.sales2")
    page.fill("#id_password", "Harbour-Lantern-2027")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{demo}/")
