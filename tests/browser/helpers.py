"""What the browser journeys share: the two screen sizes, logging in, a page at a size, and
the no-sideways-scrolling check."""

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
PASSWORD = "crm-demo-2026"  # every demo login's password (crm/demo.py)


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")


def sized_page(browser, size):
    """A fresh context at one of SIZES (a phone is mobile and touch): (context, page)."""
    context = browser.new_context(
        viewport=SIZES[size],
        is_mobile=size == "phone",
        has_touch=size == "phone",
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def fits_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def assert_fits_width(page):
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"
