"""The store in a real browser (SPEC §12): a customer manager of 朝阳家居体验店 registers a
walk-in visitor and proposes the first eligible designer; the store manager confirms and the
consultation form is signed. A designer who refuses a dispatch is stopped: the next ranking
shows them excluded. At the desktop and the phone size; nothing scrolls sideways."""

import pytest

from tests.browser.helpers import SIZES, assert_fits_width, log_in, sized_page

pytestmark = pytest.mark.browser

PHONE_SUFFIX = {"desktop": "1", "phone": "2"}


def _register_visitor(page, demo, *, name, phone, community, size, shot_name=None):
    """As the logged-in customer manager: the register form, filled and saved; back on the
    register, the new line is there. Returns the line's visit id."""
    page.goto(f"{demo}/stores/visitors/")
    page.wait_for_selector("[data-testid=visit-table]")
    page.click("[data-testid=visit-new]")
    page.wait_for_selector("[data-testid=visit-form]")
    assert_fits_width(page)
    page.check("[data-testid=field-kind] input[value=store]")
    page.select_option("select[name=source]", "walk_in")
    page.fill("input[name=visitor_name]", name)
    page.fill("input[name=phone]", phone)
    page.fill("input[name=community]", community)
    page.fill("input[name=house_area]", "128")
    page.fill("input[name=budget]", "260000")
    page.select_option("select[name=occupation]", "education")
    for point in ("design", "price", "materials"):
        page.check(f"[data-testid=field-focus_points] input[value={point}]")
    page.select_option("select[name=intent_grade]", "B")
    if shot_name:
        shot_name(page)
    page.click("[data-testid=visit-form] button[type=submit].primary")
    page.wait_for_selector("[data-testid=visit-table]")
    row = page.locator("[data-testid=visit-table] tbody tr", has_text=name)
    row.wait_for()
    assert community in row.inner_text()
    assert_fits_width(page)
    return row.get_attribute("data-id")


def _open_new_dispatch(page, demo, name):
    """The new-dispatch page, the customer chosen among the candidates: the ranking shows."""
    page.goto(f"{demo}/stores/dispatch/new/")
    page.wait_for_selector("[data-testid=candidates]")
    assert_fits_width(page)
    page.locator("[data-testid=candidates] tbody tr", has_text=name).first.locator(
        "a.button"
    ).click()
    page.wait_for_selector("[data-testid=ranking-table]")
    page.wait_for_selector("[data-testid=dispatch-form]")
    assert_fits_width(page)


def _ranked(page):
    """The designer ids of the ranking's rows with a place (eligible), in order."""
    ids = []
    for row in page.locator("[data-testid=ranking-table] tbody tr[data-designer]").all():
        place = row.locator("td").first.inner_text().strip()
        if place and place[0].isdigit():
            ids.append(row.get_attribute("data-designer"))
    return ids


@pytest.mark.parametrize("size", list(SIZES))
def test_walk_in_dispatched_confirmed_and_refusal_stops_the_designer(browser, demo, shot, size):
    from django.contrib.auth import get_user_model

    n = PHONE_SUFFIX[size]
    first_name, second_name = f"浏览器访客甲{n}", f"浏览器访客乙{n}"

    # 1. The customer manager registers a walk-in visitor from the store's start page.
    context, page = sized_page(browser, size)
    log_in(page, demo, "store.cm1")
    page.goto(f"{demo}/stores/")
    page.wait_for_selector("[data-testid=home-visitors]")
    page.wait_for_selector("[data-testid=home-dispatch]")
    assert_fits_width(page)
    shot(page, f"store-home-{size}")
    _register_visitor(
        page,
        demo,
        name=first_name,
        phone=f"1390000{n}001",
        community="望京花园",
        size=size,
        shot_name=lambda p: shot(p, f"store-visit-new-{size}"),
    )
    shot(page, f"store-visit-list-{size}")

    # 2. The same manager proposes the first eligible designer (the default choice).
    _open_new_dispatch(page, demo, first_name)
    eligible = _ranked(page)
    assert eligible, "no designer is eligible in the demo store"
    chosen = page.locator("[data-testid=dispatch-form] select[name=designer]").input_value()
    assert chosen == eligible[0]
    shot(page, f"store-dispatch-new-{size}")
    page.click("[data-testid=dispatch-form] button[type=submit].primary")
    page.wait_for_selector("[data-testid=dispatch-facts]")
    assert page.locator("[data-testid=status]").inner_text().strip() == "待确认"
    page.wait_for_selector(f"[data-testid=ranking-table] tr.selected[data-designer='{chosen}']")
    dispatch_url = page.url
    assert_fits_width(page)
    context.close()

    # 3. The store manager confirms it; the consultation form counts as signed.
    context, page = sized_page(browser, size)
    log_in(page, demo, "store.manager")
    page.goto(dispatch_url)
    page.wait_for_selector("[data-testid=confirm-form]")
    assert_fits_width(page)
    shot(page, f"store-dispatch-to-confirm-{size}")
    page.fill("[data-testid=confirm-form] input[name=note]", "同意，尽快联系客户。")
    page.click("[data-testid=confirm-form] button[type=submit]")
    page.wait_for_selector("[data-testid=confirm-form]", state="detached")
    assert page.locator("[data-testid=status]").inner_text().strip() == "已确认"
    assert "店经理已签字" in page.locator("[data-testid=form-state]").inner_text()
    assert_fits_width(page)
    shot(page, f"store-dispatch-confirmed-{size}")
    context.close()

    # 4. A second visitor; a designer other than the first is chosen, with a reason.
    context, page = sized_page(browser, size)
    log_in(page, demo, "store.cm1")
    _register_visitor(
        page, demo, name=second_name, phone=f"1390000{n}002", community="芍药居北里", size=size
    )
    _open_new_dispatch(page, demo, second_name)
    eligible = _ranked(page)
    assert eligible, "no designer is eligible for the second customer"
    designer = eligible[1] if len(eligible) > 1 else eligible[0]
    page.select_option("[data-testid=dispatch-form] select[name=designer]", designer)
    page.fill(
        "[data-testid=dispatch-form] textarea[name=reason]", "客户看过该设计师的案例，点名要他。"
    )
    page.click("[data-testid=dispatch-form] button[type=submit].primary")
    page.wait_for_selector("[data-testid=dispatch-facts]")
    page.wait_for_selector(f"[data-testid=ranking-table] tr.selected[data-designer='{designer}']")
    refused_url = page.url
    context.close()

    # The designer refuses it, with a reason.
    username = get_user_model().objects.get(pk=int(designer)).username
    context, page = sized_page(browser, size)
    log_in(page, demo, username)
    page.goto(refused_url)
    page.wait_for_selector("[data-testid=refuse-form]")
    assert_fits_width(page)
    shot(page, f"store-dispatch-to-refuse-{size}")
    page.fill("[data-testid=refuse-form] input[name=reason]", "手上项目太多，无法接单。")
    page.click("[data-testid=refuse-form] button[type=submit]")
    page.wait_for_selector("[data-testid=refuse-form]", state="detached")
    assert page.locator("[data-testid=status]").inner_text().strip() == "设计师拒单"
    assert "无法接单" in page.locator("[data-testid=dispatch-facts]").inner_text()
    assert_fits_width(page)
    shot(page, f"store-dispatch-refused-{size}")
    context.close()

    # The next ranking for that customer shows the designer stopped.
    context, page = sized_page(browser, size)
    log_in(page, demo, "store.cm1")
    _open_new_dispatch(page, demo, second_name)
    row = page.locator(f"[data-testid=ranking-table] tbody tr[data-designer='{designer}']")
    cells = row.locator("td")
    assert cells.first.inner_text().strip().startswith("—")
    assert "拒单停派" in cells.last.inner_text()
    assert designer not in _ranked(page)
    assert (
        page.locator("[data-testid=dispatch-form] select[name=designer]").input_value() != designer
    )
    shot(page, f"store-dispatch-stopped-{size}")
    context.close()
