"""The Content-Security-Policy in a real browser: inline code is refused, and the behaviour that
moved to static/js/app.js (data-confirm, select-all, closing a quick form, the language switch)
still works. The `page` fixture fails any test during which the browser refused something."""

import pytest

from tests.browser.helpers import log_in
from tests.threads import in_thread

pytestmark = pytest.mark.browser

DIALOG_FORM = """([kind, question]) => {
  const token = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  const form = document.createElement("form");
  form.method = "post";
  form.action = "/i18n/setlang/";
  form.id = "asks-" + kind;
  form.setAttribute("data-confirm", question);
  if (kind === "htmx") form.setAttribute("hx-post", "/i18n/setlang/");
  for (const [name, value] of [["csrfmiddlewaretoken", token], ["language", "en"], ["next", "/"]]) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.append(input);
  }
  const button = document.createElement("button");
  button.type = "submit";
  button.textContent = "go";
  form.append(button);
  document.querySelector("main").append(form);
  if (kind === "htmx") htmx.process(form);
}"""


def test_the_browser_refuses_inline_script(page, demo):
    log_in(page, demo, "east.sales1")
    response = page.goto(f"{demo}/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    page.evaluate(
        """() => {
        const script = document.createElement("script");
        script.textContent = "window.inlineRan = true";
        document.body.append(script);
        const div = document.createElement("div");
        div.innerHTML = '<img src="data:," onerror="window.handlerRan = true">';
        document.body.append(div);
    }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => [window.inlineRan, window.handlerRan]") == [None, None]
    assert len(page.csp_violations) == 2, page.csp_violations
    page.csp_violations.clear()  # refused on purpose


def test_data_confirm_form_asks_and_a_no_keeps_it_from_submitting(page, demo):
    log_in(page, demo, "east.sales1")
    asked = []
    answers = iter([False, True])

    def answer(dialog):
        asked.append((dialog.type, dialog.message))
        dialog.accept() if next(answers) else dialog.dismiss()

    page.on("dialog", answer)
    page.evaluate(DIALOG_FORM, ["plain", "切换到英文吗？"])
    page.click("#asks-plain button")
    page.wait_for_timeout(300)
    assert asked == [("confirm", "切换到英文吗？")]
    assert page.locator("html").get_attribute("lang") == "zh-hans", "a no submits nothing"

    with page.expect_navigation():
        page.click("#asks-plain button")
    assert len(asked) == 2
    assert page.locator("html").get_attribute("lang") == "en", "a yes submits the form"


def test_data_confirm_also_stops_an_htmx_form(page, demo):
    log_in(page, demo, "east.sales1")
    asked, posted = [], []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.on(
        "request", lambda request: posted.append(request.url) if request.method == "POST" else 0
    )
    page.evaluate(DIALOG_FORM, ["htmx", "真的吗？"])
    page.click("#asks-htmx button")
    page.wait_for_timeout(500)
    assert asked == ["真的吗？"]
    assert posted == []


def test_select_all_ticks_every_pool_customer(page, demo):
    from tests.browser.test_allocation import make_pool_customers

    in_thread(make_pool_customers)
    log_in(page, demo, "east.manager")
    page.click(".mainnav >> text=公共资源池")
    page.click(".tabs >> text=华东销售部")
    boxes = page.locator("[data-testid=pool-table] tbody input[type=checkbox]")
    assert boxes.count() > 1
    page.click("[data-testid=pool-table] thead input[data-select-all]")
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.click("[data-testid=pool-table] thead input[data-select-all]")
    assert not any(boxes.nth(i).is_checked() for i in range(boxes.count()))


def test_cancel_closes_the_quick_log_form(page, demo):
    log_in(page, demo, "east.sales1")
    page.goto(f"{demo}/customers/?scope=mine")
    first = page.locator("[data-testid=customer-table] tbody tr[data-id]").first
    customer_id = first.get_attribute("data-id")
    first.locator("[data-testid=quicklog]").click()
    row = page.locator(f"#log-{customer_id}")
    row.locator("form").wait_for()
    row.locator("button[data-dismiss-row]").click()
    assert row.locator("form").count() == 0


def test_admin_works_under_the_same_policy(page, demo):
    """The admin keeps the strict policy (no relaxed /admin/ policy): Django's admin runs its
    scripts from static files, so its date shortcuts still appear on the user form, and the
    `page` fixture finds nothing refused on the login, index, list, form and rule-number pages
    (the history page: one cosmetic style attribute, below)."""
    page.goto(f"{demo}/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "crm-demo-2026")
    page.click("input[type=submit]")
    page.wait_for_url(f"{demo}/admin/")
    page.click("a[href='/admin/crm/user/']")
    page.locator("#result_list tbody th a").first.click()
    page.locator(".datetimeshortcuts").first.wait_for()
    page.click("a.historylink")
    page.locator("#content").wait_for()
    # django-simple-history's history list carries one cosmetic style="border-top: 0" on its
    # paginator; the browser drops it (a slightly different border) and nothing else is refused.
    assert page.csp_violations and all(
        v.startswith("Applying inline style") for v in page.csp_violations
    ), page.csp_violations
    page.csp_violations.clear()
    page.goto(f"{demo}/admin/constance/config/")
    page.locator("#changelist-form, form").first.wait_for()
    page.goto(f"{demo}/admin/penalties/penaltyrule/")
    page.locator("#result_list").wait_for()
