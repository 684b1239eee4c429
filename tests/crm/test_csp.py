"""Content-Security-Policy without 'unsafe-inline' (issue 12 Build 4; docs/decisions.md).

The policy is on in every environment (crm/settings/base.py): production sends it (asserted on
the production settings module, as CI's `check --deploy` loads it), the tests send it too so the
browser journeys run under it, and the pages each role reaches carry no inline script, no on*=
handler and no style= attribute — which the policy would silently break."""

import io
import re
from collections import Counter, deque
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import Resolver404, resolve

from crm.models import User
from tests.production import production_settings

SH = ZoneInfo("Asia/Shanghai")
POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
}
UNSAFE = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:", "http:", "https:")


def parse_policy(header: str) -> dict[str, list[str]]:
    policy = {}
    for part in header.split(";"):
        name, *values = part.split()
        policy[name] = values
    return policy


def assert_strict(policy: dict[str, list[str]]) -> None:
    for directive in ("default-src", "script-src", "style-src"):
        for value in UNSAFE:
            assert value not in policy[directive], f"{directive} allows {value}"
    # No narrower directive may widen them again.
    for directive in ("script-src-elem", "script-src-attr", "style-src-elem", "style-src-attr"):
        assert directive not in policy
    assert policy == POLICY


def test_production_settings_send_the_policy_without_unsafe_inline(db, monkeypatch):
    production = production_settings(monkeypatch)
    assert "csp.middleware.CSPMiddleware" in production.MIDDLEWARE
    assert production.CONTENT_SECURITY_POLICY["DIRECTIVES"] == POLICY
    assert not getattr(production, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None), "enforced"
    with override_settings(
        MIDDLEWARE=production.MIDDLEWARE,
        CONTENT_SECURITY_POLICY=production.CONTENT_SECURITY_POLICY,
    ):
        response = Client().get("/accounts/login/")
    assert response.status_code == 200
    assert_strict(parse_policy(response["Content-Security-Policy"]))


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/", "/customers/", "/admin/login/", "/healthz", "/no-such-page/"]
)
def test_every_response_carries_the_policy_in_the_test_settings_too(org, path):
    client = Client()
    client.force_login(org.sales_a)
    response = client.get(path)
    assert_strict(parse_policy(response["Content-Security-Policy"]))


# --- The pages each role reaches ----------------------------------------------------------------


class InlineFinder(HTMLParser):
    """Collects what the policy refuses: inline <script> and <style>, on*= handlers, style=
    attributes, javascript: links, and htmx's eval-based hx-on."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.links: list[tuple[str, bool]] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on") or name.startswith("hx-on"):
                self.found.append(f"<{tag} {name}=…>")
            if name == "style":
                self.found.append(f"<{tag} style={value!r}>")
            if name in ("href", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "style":
            self.found.append("<style> block")
        if tag == "script":
            # A data block (application/json) is never executed, so the policy does not apply.
            kind = (attributes.get("type") or "").lower()
            if not attributes.get("src") and kind not in (
                "application/json",
                "application/ld+json",
            ):
                self.found.append("inline <script>")
        if tag == "a" and attributes.get("href"):
            self.links.append((attributes["href"], False))
        if attributes.get("hx-get"):
            self.links.append((attributes["hx-get"], True))


# Pages not worth fetching for markup: the admin has its own test, logout and the language switch
# act on POST only, exports answer xlsx.
SKIP_PREFIXES = ("/admin/", "/accounts/logout", "/i18n/", "/static/", "/healthz")
PER_VIEW = 2  # two objects of each kind (two customers, two notices, …) per role
MAX_PAGES = 80


def crawl(client):
    """Breadth-first from the dashboard over same-site links and htmx GETs, at most PER_VIEW
    URLs per view; yields (url, html) of every HTML page answered 200."""
    queue = deque([("/", False)])
    queued = {"/"}
    per_view = Counter()
    fetched = 0
    while queue and fetched < MAX_PAGES:
        url, htmx = queue.popleft()
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get(url, headers=headers)
        fetched += 1
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        yield url, html
        finder = InlineFinder()
        finder.feed(html)
        for link, is_htmx in finder.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if parts.path.startswith(SKIP_PREFIXES) or link in queued:
                continue
            try:
                view = resolve(parts.path).view_name
            except Resolver404:
                continue
            if "export" in view or per_view[view] >= PER_VIEW:
                continue
            per_view[view] += 1
            queued.add(link)
            queue.append((link, is_htmx))


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--as-of", "2026-11-22", "--light", stdout=io.StringIO())


@pytest.mark.parametrize(
    "username", ["gm", "east.manager", "sh.manager", "east.sales1", "acct.east"]
)
def test_pages_each_role_reaches_have_no_inline_script_handler_or_style(demo, username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    offenders = {}
    pages = []
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=SH), tick=False):
        for url, html in crawl(client):
            pages.append(url)
            finder = InlineFinder()
            finder.feed(html)
            if finder.found:
                offenders[url] = sorted(set(finder.found))
    assert not offenders, offenders
    # The crawl really reached the main pages (dashboard, customer list and detail, ledger, …).
    views = {resolve(urlsplit(url).path).view_name for url in pages}
    expected = {"crm:dashboard", "customers:list", "customers:detail", "penalties:ledger"}
    if username in ("gm", "east.manager", "sh.manager"):
        expected |= {"allocation:pool", "penalties:company"}
    assert expected <= views, sorted(views)
    assert len(pages) >= 15


INLINE = re.compile(r"<script(?![^>]*\ssrc=)|<style|\sstyle=|\son[a-z]+=|\shx-on|javascript:", re.I)


def test_no_template_or_python_source_writes_inline_code():
    """Every template and every module that builds HTML, including pages the crawl above does
    not reach; the only script tags allowed are those with src=."""
    root = Path(settings.BASE_DIR)
    sources = [*(root / "templates").rglob("*.html")]
    for app in ("crm", "customers", "allocation", "penalties"):
        sources += [
            path
            for path in (root / app).rglob("*")
            if path.suffix in (".py", ".html") and "migrations" not in path.parts
        ]
    offenders = [
        f"{path.relative_to(root)}:{number}: {line.strip()[:80]}"
        for path in sources
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if INLINE.search(line) and not line.lstrip().startswith(("#", "{#"))
    ]
    assert offenders == []


def test_login_page_has_no_inline_script_handler_or_style(db):
    finder = InlineFinder()
    finder.feed(Client().get("/accounts/login/").content.decode())
    assert finder.found == []


def test_admin_pages_run_no_inline_script(demo):
    """The admin keeps the same strict policy (docs/decisions.md): Django's admin loads every
    script from static files and passes data in data-* attributes or JSON blocks. A few
    third-party admin templates carry cosmetic inline styles the browser drops; scripts and
    handlers would break behaviour and must not appear."""
    client = Client()
    admin = User.objects.get(username="admin")
    client.force_login(admin)
    paths = [
        "/admin/",
        "/admin/crm/user/",
        f"/admin/crm/user/{admin.pk}/change/",
        f"/admin/crm/user/{admin.pk}/history/",
        "/admin/crm/department/",
        "/admin/constance/config/",
        "/admin/customers/customer/",
    ]
    offenders = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        finder = InlineFinder()
        finder.feed(response.content.decode())
        scripts = [f for f in finder.found if "script" in f or " on" in f or "javascript:" in f]
        if scripts:
            offenders[path] = scripts
    assert not offenders, offenders
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"] == ["'self'"]
