"""Chinese mode shows people words, not internal notation (issue 14, defect 9): no rule codes
(LATE_ENTRY), no raw ids (客户 #21), no rule-book references in the rule books' short notation
(000 §4.2③, （004）) on the pages each role reaches in the seeded demo; the references read
《客户资源管理制度》第4.2条③ where they are the point."""

import io
import re
from datetime import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from crm.models import User
from penalties.models import LedgerEntry, PenaltyRule
from penalties.rulebooks import readable_source
from tests.crm.test_csp import crawl

SH = ZoneInfo("Asia/Shanghai")
NOTATION = {
    "rule code": re.compile(r"\b[A-Z]{3,}_[A-Z_]+\b"),
    "raw id": re.compile(r"#\s?\d+"),
    "clause sign": re.compile(r"§"),
    "rule-book number": re.compile(r"[（(]00[0-4][）)]|\b00[0-4] [§一二三四五六七八九十]"),
}
# Text that may carry such patterns on purpose: none so far. Add (page path prefix, text) with
# the reason when a page must show one.
ALLOWED: list[tuple[str, str]] = []
ROLES = ["gm", "east.manager", "east.sales1", "acct.east"]


class VisibleText(HTMLParser):
    """What a reader sees: text nodes and the attributes read out or shown (title, placeholder,
    aria-label, alt, a button's value); not scripts, styles or data-* attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        attributes = dict(attrs)
        for name in ("title", "placeholder", "aria-label", "alt", "data-confirm"):
            if attributes.get(name):
                self.parts.append(attributes[name])
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.parts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def notation_in(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    text = "\n".join(parser.parts)
    return [
        f"{kind}: …{text[max(0, m.start() - 30) : m.end() + 10]!r}…"
        for kind, pattern in NOTATION.items()
        for m in pattern.finditer(text)
    ]


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--as-of", "2026-11-22", "--light", stdout=io.StringIO())


@pytest.mark.parametrize("username", ROLES)
def test_pages_each_role_reaches_show_no_internal_notation(demo, username):
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    # Beyond the crawl: every ledger entry the person may open (the scans' entries name a
    # customer and a follow-up), last month's ledger, the entry form with its rule list.
    extra = [f"/penalties/{pk}/" for pk in LedgerEntry.objects.values_list("pk", flat=True)]
    extra += ["/penalties/?month=2026-10", "/penalties/new/", "/penalties/dashboard/"]
    offenders, pages = {}, []
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=SH), tick=False):
        fetched = list(crawl(client))
        for url in extra:
            response = client.get(url)
            if response.status_code == 200:
                fetched.append((url, response.content.decode()))
    for url, html in fetched:
        pages.append(url)
        found = [
            f
            for f in notation_in(html)
            if not any(url.startswith(p) and text in f for p, text in ALLOWED)
        ]
        if found:
            offenders[url] = found
    assert not offenders, offenders
    assert len(pages) >= 15
    assert any(url.startswith("/penalties/") and url[11:12].isdigit() for url in pages), (
        "a ledger entry was checked"
    )


def test_ledger_entry_names_its_evidence_and_reads_the_clause(demo):
    entry = LedgerEntry.objects.filter(rule__code="LATE_ENTRY", customer__isnull=False).first()
    client = Client()
    client.force_login(User.objects.get(username="gm"))
    html = client.get(f"/penalties/{entry.pk}/").content.decode()
    assert f"客户 {entry.customer.name}" in html
    assert "的跟踪记录" in html
    assert "《客户资源管理制度》第4.2条①b" in html
    assert f"奖惩记录（编号 {entry.pk}）" in html


def test_rule_book_references_read_as_titles_and_clauses():
    with translation.override("zh-hans"):
        assert readable_source("000 §4.2①b") == "《客户资源管理制度》第4.2条①b"
        assert readable_source("000 §3.1.f") == "《客户资源管理制度》第3.1条f"
        assert readable_source("002 §5.1.2") == "《CRM系统使用规范》第5.1.2条"
        assert (
            readable_source("000 §4.2⑥, 004")
            == "《客户资源管理制度》第4.2条⑥；《客户资源管理手册》"
        )
        assert readable_source("004 四 奖励1") == "《客户资源管理手册》四、奖励1"
        assert readable_source("001 五.4") == "《客户档案管理制度》五、4"
        assert readable_source("总经理办公会 2026-11") == "总经理办公会 2026-11", "typed: as typed"
        assert readable_source("") == ""
    with translation.override("en"):
        assert readable_source("000 §4.2①b") == "“Customer resource management rules” §4.2①b"


def test_rule_catalogue_clause_column_is_readable(demo):
    client = Client()
    client.force_login(User.objects.get(username="gm"))
    html = client.get("/admin/penalties/penaltyrule/").content.decode()
    assert "《客户资源管理制度》第4.2条①b" in html
    for source in PenaltyRule.objects.exclude(source="").values_list("source", flat=True):
        if "§" in source:
            assert f">{source}<" not in html, f"the raw reference {source} shows"
