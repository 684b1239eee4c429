"""Export audit (SPEC §9 Confidentiality; 001 五.4, 002 §4.1): every export is logged — who,
which list, the filters, the rows, the time — a salesperson's export is capped (refused whole
over the cap, the refusal logged too), and only the GM reads the log. Every export's text cells
stay text (crm.xlsx)."""

from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from constance import config
from constance.test import override_config
from django.conf import settings
from django.contrib.messages.storage.fallback import FallbackStorage
from django.db import connection
from django.http import HttpResponse, QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from customers.models import CustomerKey, ExportLog
from customers.services.exports import export_filters, export_list_label, export_record
from customers.views.exports import audited_export
from tests.customers.test_excel import read_export
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 2, 10, 9, 30, tzinfo=SH)
EXPORT_URL = reverse("customers:export")
LOG_URL = reverse("customers:export_log")
DUPLICATES_EXPORT = reverse("customers:duplicates_report_export")
FORMULA = '=HYPERLINK("http://evil.example","点我")'


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def workbook(response):
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


# --- every export is logged ------------------------------------------------------------------


def test_customer_export_is_logged_with_who_list_filters_rows_and_time(org, login):
    for grade in ("A", "A", "B"):
        register(org.sales_a, intent_grade=grade)
    response = login(org.manager_a).get(
        EXPORT_URL, {"scope": "all", "intent_grade": "A", "q": "", "after": "99"}
    )
    assert len(read_export(response)) == 1 + 2
    entry = ExportLog.objects.get()
    assert entry.actor == org.manager_a
    assert entry.list_name == "customers"
    assert entry.filters == "intent_grade=A&scope=all", "sorted; blanks and paging left out"
    assert entry.rows == 2
    assert entry.at == NOW
    assert entry.is_refused is False


def test_the_default_scope_tab_is_logged(org, login):
    register(org.sales_a)
    read_export(login(org.sales_a).get(EXPORT_URL))
    assert ExportLog.objects.get().filters == "scope=mine"


def test_duplicates_report_export_is_logged(org, login):
    response = login(org.gm).get(DUPLICATES_EXPORT, {"month": "2026-01"})
    assert response.status_code == 200
    workbook(response)
    entry = ExportLog.objects.get()
    assert (entry.actor, entry.list_name, entry.filters, entry.rows) == (
        org.gm,
        "duplicates",
        "month=2026-01",
        0,
    )


def test_a_page_that_is_refused_before_the_export_logs_nothing(org, login):
    assert login(org.sales_a).get(DUPLICATES_EXPORT).status_code == 404
    assert login(org.gm).get(DUPLICATES_EXPORT, {"month": "2099-01"}).status_code == 400
    assert not ExportLog.objects.exists()


def test_filters_are_normalised():
    query = QueryDict(mutable=True)
    query.setlist("source", ["phone", "walk_in"])
    query.update({"q": "华东&有限=公司", "intent_grade": "", "page": "3", "before": "7"})
    query["region"] = "上海\x00\x1b"
    assert export_filters(query, scope="pool") == (
        "q=华东%26有限%3D公司&region=上海&scope=pool&source=phone&source=walk_in"
    )
    assert export_filters(QueryDict("scope=all"), scope="mine") == "scope=mine"
    assert export_filters(QueryDict(f"q={'x' * 5000}")) == f"q={'x' * 199}…"
    many = export_filters(QueryDict("&".join(f"k{n}={'y' * 300}" for n in range(10))))
    assert len(many) == 1000 and many.endswith("…")


# --- the salesperson's cap -------------------------------------------------------------------


def test_the_cap_defaults_to_500_and_the_gm_edits_it(org):
    assert config.EXPORT_CAP_SALESPERSON == 500
    fieldsets = dict(settings.CONSTANCE_CONFIG_FIELDSETS).values()
    assert any("EXPORT_CAP_SALESPERSON" in keys for keys in fieldsets)


def test_salesperson_over_the_cap_is_refused_and_the_refusal_logged(org, login):
    for _n in range(3):
        register(org.sales_a)
    client = login(org.sales_a)
    with override_config(EXPORT_CAP_SALESPERSON=2):
        response = client.get(EXPORT_URL, {"scope": "mine"})
    assert response.status_code == 302, "no file"
    assert response.url == f"{reverse('customers:list')}?scope=mine"
    message = str(list(client.get(response.url).context["messages"])[0])
    assert message == _(
        "This export would hold %(rows)d rows, but a salesperson may export at most %(cap)d "
        "at a time (company confidentiality rules). Narrow the filters and export again. "
        "The attempt has been recorded."
    ) % {"rows": 3, "cap": 2}
    entry = ExportLog.objects.get()
    assert (entry.actor, entry.rows, entry.is_refused) == (org.sales_a, 3, True)


def test_salesperson_at_the_cap_exports(org, login):
    for _n in range(3):
        register(org.sales_a)
    with override_config(EXPORT_CAP_SALESPERSON=3):
        rows = read_export(login(org.sales_a).get(EXPORT_URL))
    assert len(rows) == 1 + 3
    assert ExportLog.objects.get().is_refused is False


def test_the_cap_counts_the_filtered_rows_not_the_whole_scope(org, login):
    register(org.sales_a, intent_grade="A")
    register(org.sales_a, intent_grade="B")
    with override_config(EXPORT_CAP_SALESPERSON=1):
        rows = read_export(login(org.sales_a).get(EXPORT_URL, {"intent_grade": "A"}))
    assert len(rows) == 2


@pytest.mark.parametrize("who", ["manager_a", "gm", "accountant_a"])
def test_managers_accountants_and_the_gm_are_not_capped(org, login, who):
    for _n in range(3):
        register(org.sales_a)
    with override_config(EXPORT_CAP_SALESPERSON=1):
        rows = read_export(login(getattr(org, who)).get(EXPORT_URL, {"scope": "all"}))
    assert len(rows) == 1 + 3


def _salesperson_export_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        read_export(client.get(EXPORT_URL))
    return len(captured)


def test_a_capped_export_keeps_a_constant_query_count(org, login):
    client = login(org.sales_a)
    register(org.sales_a)
    few = _salesperson_export_queries(client)
    for _n in range(20):
        register(org.sales_a)
    assert _salesperson_export_queries(client) == few


# --- the GM's log page -----------------------------------------------------------------------


def test_only_the_gm_reads_the_log(org, login, client):
    assert login(org.gm).get(LOG_URL).status_code == 200
    for who in ("manager_a", "manager_b", "sales_a", "accountant_a"):
        assert login(getattr(org, who)).get(LOG_URL).status_code == 404, who
    client.logout()
    response = client.get(LOG_URL)
    assert response.status_code == 302 and reverse("login") in response.url


def test_the_navigation_offers_the_log_to_the_gm_only(org, login):
    assert LOG_URL in login(org.gm).get(reverse("crm:dashboard")).content.decode()
    for who in ("manager_a", "sales_a", "accountant_a"):
        page = login(getattr(org, who)).get(reverse("crm:dashboard")).content.decode()
        assert LOG_URL not in page, who


def _log(actor, minutes: int, **kw) -> ExportLog:
    return export_record(
        actor=actor,
        list_name=kw.pop("list_name", "customers"),
        filters=kw.pop("filters", "scope=mine"),
        rows=kw.pop("rows", 10),
        now=NOW - timedelta(minutes=minutes),
        **kw,
    )


def _ids(response) -> list[int]:
    return [entry.pk for entry in response.context["page"]]


def test_the_log_lists_newest_first_in_pages_of_fifty(org, login):
    entries = [_log(org.sales_a if n % 2 else org.sales_b, minutes=n) for n in range(55)]
    client = login(org.gm)
    first = client.get(LOG_URL)
    assert _ids(first) == [e.pk for e in entries[:50]]
    assert _ids(client.get(LOG_URL, {"page": "2"})) == [e.pk for e in entries[50:]]
    assert 'href="?page=2"' in first.content.decode()


def test_the_log_filters_by_person(org, login):
    mine = [_log(org.sales_a, minutes=n) for n in (1, 3)]
    _log(org.sales_b, minutes=2)
    response = login(org.gm).get(LOG_URL, {"person": org.sales_a.pk})
    assert _ids(response) == [e.pk for e in mine]
    people = {p.pk for p in response.context["people"]}
    assert people == {org.sales_a.pk, org.sales_b.pk}


@pytest.mark.parametrize(
    "params",
    [{"page": "9" * 25}, {"page": "-1"}, {"page": "1e308"}, {"person": "9" * 25}, {"person": "x"}],
)
def test_junk_page_and_person_give_the_page_not_an_error(org, login, params):
    _log(org.sales_a, minutes=1)
    assert login(org.gm).get(LOG_URL, params).status_code == 200


def test_the_log_shows_the_list_the_filters_the_rows_and_refusals(org, login):
    _log(org.sales_a, minutes=5, filters="intent_grade=A&scope=mine", rows=7)
    _log(org.sales_a, minutes=4, rows=900, is_refused=True)
    _log(org.gm, minutes=3, list_name="ledger_month", filters="month=2026-01", rows=4)
    page = login(org.gm).get(LOG_URL).content.decode()
    assert export_list_label("customers") in page and "intent_grade=A&amp;scope=mine" in page
    assert export_list_label("ledger_month") in page
    assert 'data-testid="refused"' in page and "900" in page
    assert "2026-01" in page and org.sales_a.display_name in page


# --- formulas stay text in every export (defect 7) --------------------------------------------


def test_a_formula_in_a_customer_name_stays_text_in_the_customer_export(org, login):
    register(org.sales_a, name=FORMULA)
    cell = workbook(login(org.sales_a).get(EXPORT_URL)).active["B2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (FORMULA, "s", True)


def test_a_formula_in_a_customer_name_stays_text_in_the_duplicates_export(org, login):
    first = register(
        org.sales_a, name=FORMULA, phone="13524681357", now=datetime(2026, 1, 15, tzinfo=SH)
    )
    CustomerKey.objects.filter(customer=first).delete()  # as if registered before the keys
    register(org.sales_b, phone="13524681357", now=datetime(2026, 1, 16, tzinfo=SH))
    sheet = workbook(login(org.gm).get(DUPLICATES_EXPORT, {"month": "2026-01"})).worksheets[0]
    names = [row[5] for row in sheet.iter_rows(min_row=2)]
    risky = [cell for cell in names if cell.value == FORMULA]
    assert risky and all(c.data_type == "s" and c.quotePrefix for c in risky)
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_an_export_without_a_cheap_count_is_built_then_refused_over_the_cap(org, rf):
    """The gate's fallback for a list whose rows are costly to count beforehand."""
    request = rf.get("/any/", {"month": "2026-01"})
    request.user = org.sales_a
    request.session = {}
    request._messages = FallbackStorage(request)
    built = []

    def build():
        built.append(True)
        return HttpResponse(b"file"), 3

    with override_config(EXPORT_CAP_SALESPERSON=2):
        response = audited_export(request, list_name="duplicates", build=build, refused_url="/x/")
    assert built and response.status_code == 302 and response.url == "/x/"
    entry = ExportLog.objects.get()
    assert (entry.rows, entry.is_refused, entry.filters) == (3, True, "month=2026-01")
