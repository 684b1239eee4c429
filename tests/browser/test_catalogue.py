"""The open rule catalogue in a real browser (SPEC §7): the GM adds a ledger rule in 系统管理,
then a department manager records an entry under it and finds it in the ledger; on a desktop
and on a phone."""

import pytest

from tests.browser.helpers import SIZES, log_in, sized_page
from tests.threads import in_thread

pytestmark = pytest.mark.browser

CODE, NAME = "SMOKING_AT_WORK", "工作时间在店面吸烟"


def rule_row():
    from penalties.models import PenaltyRule

    rule = PenaltyRule.objects.get(code=CODE)
    return rule.origin, rule.effect, rule.min_amount, rule.max_amount


def entries_under_rule():
    from penalties.models import LedgerEntry

    return list(
        LedgerEntry.objects.filter(rule__code=CODE).values_list(
            "person__username", "amount", "status"
        )
    )


def fits(page, size) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]


@pytest.mark.parametrize("size", SIZES)
def test_gm_adds_a_rule_and_a_manager_records_an_entry_under_it(browser, demo, shot, size):
    # The GM adds the rule in 系统管理 → 奖惩规则.
    context, page = sized_page(browser, size)
    log_in(page, demo, "gm")
    page.goto(f"{demo}/admin/")
    page.click("#content-main a[href$='/admin/penalties/penaltyrule/']")
    page.wait_for_selector("#result_list")
    assert "OFF_TASK" in page.locator("#result_list").inner_text(), "the handbook's clauses"
    shot(page, f"catalogue-list-{size}")
    page.goto(f"{demo}/admin/penalties/penaltyrule/add/")
    page.fill("#id_code", CODE)
    page.fill("#id_name", NAME)
    page.fill("#id_source", "总经理办公会 2026-11")
    page.fill("#id_default_amount", "30")
    page.fill("#id_min_amount", "30")
    page.fill("#id_max_amount", "80")
    page.select_option("#id_falls_on", "person")
    shot(page, f"catalogue-add-{size}")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    assert CODE in page.locator("#result_list").inner_text()
    shot(page, f"catalogue-added-{size}")
    assert in_thread(rule_row) == ("manual", "", 30, 80)
    context.close()

    # A department manager records an entry under it; the range applies.
    context, page = sized_page(browser, size)
    log_in(page, demo, "east.manager")
    page.goto(f"{demo}/penalties/new/")
    assert page.locator(f"[data-testid=rules] tr[data-rule={CODE}]").is_visible()
    person = page.locator("#id_person option", has_text="east.sales1").first.get_attribute("value")
    page.select_option("#id_person", person)
    page.select_option("#id_rule", label=NAME)  # the rule's name; codes stay internal
    page.fill("#id_amount", "100")
    page.fill("#id_reason", "11 月 18 日下午在店面门口吸烟，店长当场提醒。")
    page.click("button[type=submit].primary")
    page.wait_for_selector(".form-error")
    assert "80" in page.locator("form.card").inner_text(), "the refusal names the range"
    assert in_thread(entries_under_rule) == []
    shot(page, f"catalogue-entry-refused-{size}")

    page.fill("#id_amount", "50")
    page.click("button[type=submit].primary")
    page.wait_for_selector("[data-testid=entry-facts]")
    assert NAME in page.locator("[data-testid=entry-facts]").inner_text()
    assert in_thread(entries_under_rule) == [("east.sales1", 50, "proposed")]
    shot(page, f"catalogue-entry-{size}")

    page.goto(f"{demo}/penalties/")
    ledger = page.locator("[data-testid=ledger]")
    ledger.wait_for()
    assert NAME in ledger.inner_text() and CODE not in ledger.inner_text(), "names, not codes"
    assert fits(page, size), "nothing overflows the screen sideways"
    shot(page, f"catalogue-ledger-{size}")
    context.close()
