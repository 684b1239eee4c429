"""Issue 14 journeys: a salesperson on a phone requests two pool customers from the pool list
with checkboxes; the manager at a desk approves, then distributes a batch with a customer still
on public notice, sees the refusal with the ticks, the recipient and the note kept, unticks the
refused one and submits without retyping."""

from datetime import timedelta

import pytest

from tests.browser.helpers import assert_fits_width, log_in
from tests.threads import in_thread

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}
PREFIX = "池申领演示"


def make_pool():
    from django.utils import timezone

    from allocation.models import PublicNotice
    from crm.models import User
    from customers.services import ownership_transfer
    from tests.factories import register

    owner = User.objects.get(username="east.sales2")
    now = timezone.now()
    customers = []
    for i in range(4):
        c = register(owner, name=f"{PREFIX}{i}号有限公司", now=now - timedelta(days=60))
        ownership_transfer(
            customer=c,
            to_pool="department",
            kind="reclaim",
            actor=None,
            now=now - timedelta(days=10),
            reason="演示回收",
        )
        customers.append(c)
    noticed = customers[3]
    PublicNotice.objects.create(
        customer=noticed,
        previous_holder=owner,
        department_id=noticed.department_id,
        policy="no_followup",
        pool="department",
        reclaimed_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=3),
    )
    return [c.name for c in customers], [c.pk for c in customers]


def test_request_approve_and_fix_a_refused_batch(page, demo, shot):
    from customers.models import Customer

    names, pks = in_thread(make_pool)
    # A salesperson on a phone ticks two pool customers and sends one request.
    page.set_viewport_size(PHONE)
    log_in(page, demo, "east.sales1")
    page.goto(f"{demo}/allocation/pools/?q={PREFIX}")
    table = page.locator("[data-testid=pool-table]")
    assert "4" in page.locator("[data-testid=total]").inner_text()
    for name in names[:2]:
        table.locator("tbody tr", has_text=name).locator("input[type=checkbox]").check()
    page.fill("#reason", "这两家在我负责的片区，下周上门拜访")
    assert_fits_width(page)
    shot(page, "pool-phone-request")
    page.click("[data-testid=claim-submit]")
    page.wait_for_url("**/allocation/requests/*/")
    claim_path = page.url.removeprefix(demo)
    for name in names[:2]:
        assert name in page.content()
    shot(page, "pool-phone-request-sent")

    # The manager at a desk approves it from the inbox.
    page.context.clear_cookies()  # log out (on a phone the button sits in the menu)
    page.set_viewport_size(DESK)
    log_in(page, demo, "east.manager")
    page.goto(f"{demo}/allocation/inbox/")
    page.locator(f"[data-testid=inbox] a[href='{claim_path}']").first.click()
    page.locator("[data-testid=decide] button.primary").click()
    page.wait_for_url("**/allocation/inbox/")
    page.click("[data-testid=tab-done]")
    assert page.locator(f"[data-testid=inbox] a[href='{claim_path}']").count() == 1
    shot(page, "inbox-handled-desk")
    holders = in_thread(
        lambda: set(
            Customer.objects.filter(pk__in=pks[:2]).values_list("holder__username", flat=True)
        )
    )
    assert holders == {"east.sales1"}

    # A batch with a customer still on public notice is refused; nothing typed is lost.
    page.on("dialog", lambda dialog: dialog.accept())  # "hand them out?" (defect 6)
    page.click(".mainnav >> text=公共资源池")
    page.click(".tabs >> text=华东销售部")
    page.fill("form.filters input[name=q]", PREFIX)
    page.click("form.filters button[type=submit]")
    table = page.locator("[data-testid=pool-table]")
    noticed_row = table.locator("tbody tr", has_text=names[3])
    assert noticed_row.locator("[data-mark=notice]").inner_text().strip()
    for name in names[2:]:
        table.locator("tbody tr", has_text=name).locator("input[type=checkbox]").check()
    page.select_option("#recipient", label="张伟 · 华东销售部")
    page.fill("#source_note", "十一月展会名单")
    page.click("button:has-text('发放')")
    page.wait_for_selector("[data-testid=error]")
    assert names[3] in page.locator("[data-testid=error]").inner_text()
    table = page.locator("[data-testid=pool-table]")
    for name in names[2:]:
        assert table.locator("tbody tr", has_text=name).locator("input[type=checkbox]").is_checked()
    assert page.locator("#recipient option:checked").inner_text().startswith("张伟")
    assert page.input_value("#source_note") == "十一月展会名单"
    shot(page, "pool-desk-refused-batch")
    table.locator("tbody tr", has_text=names[3]).locator("input[type=checkbox]").uncheck()
    page.click("button:has-text('发放')")
    page.wait_for_selector(".messages .msg-success")
    shot(page, "pool-desk-batch-fixed")
    holders = in_thread(
        lambda: dict(Customer.objects.filter(pk__in=pks[2:]).values_list("pk", "holder__username"))
    )
    assert holders == {pks[2]: "east.sales1", pks[3]: None}

    # The header search finds a customer by name within scope and lands on the filtered list,
    # with its total, sortable headings and page numbers.
    page.fill("[data-testid=header-search] input[name=q]", names[2])
    page.press("[data-testid=header-search] input[name=q]", "Enter")
    page.wait_for_url("**/customers/?*")
    rows = page.locator("[data-testid=customer-table] tbody tr[data-id]")
    assert rows.count() == 1 and names[2] in rows.first.inner_text()
    page.goto(f"{demo}/customers/?scope=all&sort=name")
    assert page.locator("[data-testid=total]").inner_text().strip()
    assert page.locator("th a.sort[data-sort=name][aria-sort=ascending]").count() == 1
    assert_fits_width(page)
    shot(page, "customers-list-desk")
