"""Irreversible actions ask first (issue 14, defect 6): the browser shows the question, "Cancel"
changes nothing, "OK" goes ahead."""

import pytest

from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


def answer(page, accept):
    """Answer the next confirm dialog; returns the list its question lands in."""
    asked = []

    def on_dialog(dialog):
        asked.append((dialog.type, dialog.message))
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", on_dialog)
    return asked


def test_protection_reclaim_asks_and_cancel_changes_nothing(page, demo, shot):
    log_in(page, demo, "east.manager")
    page.goto(f"{demo}/allocation/protection/")
    rows = page.locator("[data-testid=protection-table] tbody tr[data-id]")
    before = rows.count()
    assert before > 0
    first = rows.first.get_attribute("data-id")
    rows.first.locator("input[type=checkbox]").check()
    page.fill("#reason", "保护期满未跟进")

    submit = page.locator("form button[data-confirm].primary")
    question = submit.get_attribute("data-confirm")
    assert question
    asked = answer(page, accept=False)
    submit.click()
    page.wait_for_timeout(300)
    assert asked == [("confirm", question)]
    page.reload()
    assert rows.count() == before
    assert page.locator(f"tr[data-id='{first}']").count() == 1

    rows.first.locator("input[type=checkbox]").check()
    page.fill("#reason", "保护期满未跟进")
    asked = answer(page, accept=True)
    with page.expect_navigation():
        submit.click()
    assert asked
    assert page.locator(f"tr[data-id='{first}']").count() == 0
    assert rows.count() == before - 1
    shot(page, "confirm-protection-done")


def test_ledger_confirm_asks_and_cancel_keeps_the_entry_proposed(page, demo, shot):
    log_in(page, demo, "east.manager")
    # The demo is seeded as of 2026-11-22 (conftest): its month, not the clock's.
    page.goto(f"{demo}/penalties/?month=2026-11")
    button = page.locator("[data-testid=ledger] button[data-action=confirm]").first
    row = button.locator("xpath=ancestor::tr")
    entry = row.get_attribute("data-entry")
    status = page.locator(f"tr[data-entry='{entry}'] .badge").first

    asked = answer(page, accept=False)
    button.click()
    page.wait_for_timeout(300)
    assert asked == [("confirm", button.get_attribute("data-confirm"))]
    page.reload()
    assert page.locator(f"tr[data-entry='{entry}'] button[data-action=confirm]").count() == 1
    proposed = status.inner_text()

    asked = answer(page, accept=True)
    with page.expect_navigation():
        page.locator(f"tr[data-entry='{entry}'] button[data-action=confirm]").click()
    assert asked
    assert page.locator(f"tr[data-entry='{entry}'] button[data-action=confirm]").count() == 0
    assert status.inner_text() != proposed
    shot(page, "confirm-ledger-done")


def test_month_close_and_batch_distribution_ask_first(page, demo):
    log_in(page, demo, "gm")
    page.goto(f"{demo}/penalties/months/")
    close = page.locator("button[data-action=close]").first
    month = close.locator("xpath=..").locator("input[name=month]").get_attribute("value")
    question = close.get_attribute("data-confirm")
    assert month in question
    closable = page.locator("button[data-action=close]").count()
    asked = answer(page, accept=False)
    close.click()
    page.wait_for_timeout(300)
    assert asked == [("confirm", question)]
    page.reload()
    assert page.locator("button[data-action=close]").count() == closable
    page.goto(f"{demo}/allocation/pools/")
    assert page.locator("[data-testid=distribute-form] button[data-confirm]").count() == 1
