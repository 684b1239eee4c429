"""The URL × role walk (issue 12, SPEC §1): every non-admin URL pattern of the resolver has a
row below saying what a GET answers for each role, and every row is checked against the live
site — a login redirect for the anonymous visitor, 200 for whoever may, 404 for objects outside
the viewer's scope (the objects all live in department A), 405 for POST-only views. A list page
the navigation offers answers 200 exactly when the navigation offers it.

Adding a URL pattern without a row here fails `test_every_url_pattern_has_a_row`.

The objects are built once for the module through the services (one transaction, rolled back
at the end) so the walk of ~90 patterns × 8 roles stays fast on SQLite.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from allocation.models import PublicNotice, ReclaimPolicy
from allocation.services.disputes import dispute_open
from allocation.services.distribution import claim_create, report_create
from allocation.services.handover import handover_open
from allocation.services.reclaim import notice_end
from allocation.services.swaps import swap_propose
from crm.health import heartbeat_record
from crm.models import Staff
from crm.navigation import NAV_ITEMS, nav_for
from crm.notifications import notify
from customers import excel
from customers.services import (
    deal_record,
    followup_log,
    ownership_transfer,
    referral_record,
)
from customers.services.imports import import_job_create
from customers.services.records import visit_photos_store
from tests.conftest import build_org
from tests.factories import ledger_entry, make_person, register
from tests.sales import walk as sales_walk

SH = ZoneInfo("Asia/Shanghai")
BUILT = datetime(2026, 4, 1, 10, 0, tzinfo=SH)
NOW = datetime(2026, 4, 15, 10, 0, tzinfo=SH)
GOOD = "上门拜访，客户对新款地板感兴趣，约定下周带样品再谈报价。"

# The columns of every row, in order. "_b" people work in department B, outside the objects'
# department A; accountant_a keeps A's records, accountant_b B's.
ROLES = (
    "anonymous",
    "sales_a",
    "sales_b",
    "manager_a",
    "manager_b",
    "accountant_a",
    "accountant_b",
    "gm",
)

# --- the expected statuses, one token per role (anonymous first) --------------------------

EVERYONE = "302 200 200 200 200 200 200 200"
POST_ONLY = "302 405 405 405 405 405 405 405"
SALESPEOPLE = "302 200 200 404 404 404 404 404"
MANAGERS = "302 404 404 200 200 404 404 200"  # department managers and the GM
READERS = "302 404 404 200 200 200 200 200"  # who reads whole departments
HOLDERS = "302 200 200 200 200 404 404 200"  # who holds and registers customers
GM_ONLY = "302 404 404 404 404 404 404 200"
# Objects of department A, held by / requested by / about sales_a:
A_SEEN = "302 200 404 200 404 200 404 200"  # its holder, A's manager and accountant, the GM
A_READERS = "302 404 404 200 404 200 404 200"  # A's manager and accountant, the GM
A_PARTIES = "302 200 404 200 404 404 404 200"  # sales_a, A's manager, the GM
A_MANAGERS = "302 404 404 200 404 404 404 200"  # A's manager and the GM
OWNER_ONLY = "302 200 404 404 404 404 404 404"  # sales_a alone


@dataclass(frozen=True)
class Row:
    codes: str
    kwargs: str = ""  # which object of the world fills the URL (see `url_kwargs`)
    query: str = ""
    nav: bool = False  # the navigation offers this page: 200 exactly when offered
    public: bool = False  # needs no login: a redirect of the anonymous visitor is not to login


ROWS: dict[str, Row] = {
    # --- crm ---------------------------------------------------------------------------------
    "crm:dashboard": Row(EVERYONE, nav=True),
    "crm:department_list": Row(READERS, nav=True),
    "crm:department_detail": Row(A_READERS, "department"),
    "crm:calendar": Row(EVERYONE, nav=True),
    "crm:calendar_import": Row(GM_ONLY),
    "crm:backup_list": Row(GM_ONLY),
    "crm:jobs": Row(GM_ONLY),
    "crm:notifications": Row(EVERYONE),
    "crm:notification_open": Row(POST_ONLY, "notification"),
    "crm:notifications_read": Row(POST_ONLY),
    "crm:login_log": Row(GM_ONLY, nav=True),
    "crm:account_changes": Row(GM_ONLY),
    "crm:channels": Row(GM_ONLY),
    "crm:channel_test": Row(POST_ONLY),
    "crm:channel_preferences": Row(EVERYONE),
    "login": Row("200 302 302 302 302 302 302 302", public=True),  # signed in: on to the dashboard
    "logout": Row("405 405 405 405 405 405 405 405"),  # POST only, for everybody
    "password_change": Row(EVERYONE),
    # A GET changes nothing and goes back where it came from.
    "set_language": Row("302 302 302 302 302 302 302 302", public=True),
    "healthz": Row("200 200 200 200 200 200 200 200", public=True),  # for probes: no login
    # --- customers ---------------------------------------------------------------------------
    "customers:list": Row(EVERYONE, nav=True),
    "customers:register": Row(HOLDERS, nav=True),
    "customers:detail": Row(A_SEEN, "customer"),
    "customers:edit": Row(A_SEEN, "customer"),
    "customers:declare_invalid": Row(A_MANAGERS, "customer"),
    "customers:restore_valid": Row(A_MANAGERS, "customer"),
    "customers:contact_add": Row(A_SEEN, "customer"),
    "customers:contact_edit": Row(A_SEEN, "contact"),
    "customers:followup_new": Row(A_PARTIES, "customer"),
    "customers:followup_amend": Row(OWNER_ONLY, "followup"),
    "customers:deal_new": Row(A_SEEN, "customer"),
    "customers:deal_confirm": Row(POST_ONLY, "deal"),
    "customers:referral_new": Row(A_PARTIES, "customer"),
    "customers:referral_verify": Row(POST_ONLY, "referral"),
    "customers:timeline": Row(A_SEEN, "customer"),
    "customers:credit_evaluate": Row(A_READERS, "customer"),  # A's manager, accountant, GM
    "customers:visit_photo": Row(A_SEEN, "photo"),  # who sees the customer's records
    "customers:inquiry_new": Row(EVERYONE, nav=True),
    "customers:worklist": Row(READERS, nav=True),
    "customers:worklist_row": Row(A_READERS, "customer"),
    "customers:duplicates_report": Row(READERS, nav=True),
    "customers:duplicates_report_export": Row(READERS),
    "customers:export": Row(EVERYONE),
    "customers:export_log": Row(GM_ONLY, nav=True),
    "customers:import": Row(HOLDERS),
    "customers:import_job": Row(OWNER_ONLY, "import_job"),
    "customers:import_job_retry": Row(POST_ONLY, "import_job"),
    "customers:import_template": Row(HOLDERS),
    # --- allocation --------------------------------------------------------------------------
    "allocation:pool": Row(HOLDERS, nav=True),  # salespeople: their pool, to request
    "allocation:distribute": Row(POST_ONLY),
    "allocation:claim_new": Row(SALESPEOPLE),
    "allocation:claim_detail": Row(A_PARTIES, "claim"),
    "allocation:protection": Row(MANAGERS),
    "allocation:inbox": Row(MANAGERS, nav=True),
    "allocation:report_new": Row(OWNER_ONLY, "customer_pk"),
    "allocation:report_verify": Row(POST_ONLY, "report"),
    "allocation:swap_list": Row("302 200 200 200 200 404 404 200", nav=True),
    "allocation:swap_new": Row(SALESPEOPLE),
    "allocation:swap_detail": Row(A_PARTIES, "swap"),
    "allocation:swap_agree": Row(POST_ONLY, "swap"),
    "allocation:swap_decline": Row(POST_ONLY, "swap"),
    "allocation:swap_approve": Row(POST_ONLY, "swap"),
    "allocation:swap_reject": Row(POST_ONLY, "swap"),
    "allocation:handovers": Row(MANAGERS),
    "allocation:handover_new": Row(A_MANAGERS, "staff"),
    "allocation:handover_detail": Row(A_MANAGERS, "handover"),
    "allocation:disputes": Row(MANAGERS),
    "allocation:dispute_new": Row(MANAGERS),
    "allocation:dispute_detail": Row(A_MANAGERS, "dispute"),
    "allocation:notices": Row(EVERYONE, nav=True),
    "allocation:notice_detail": Row(A_SEEN, "notice"),
    "allocation:notice_appeal": Row(POST_ONLY, "notice"),
    "allocation:notice_decide": Row(POST_ONLY, "notice"),
    "allocation:unsatisfied_verify": Row(POST_ONLY, "followup_only"),
    "allocation:unsatisfied_withdraw": Row(POST_ONLY, "followup_only"),
    # --- penalties ---------------------------------------------------------------------------
    "penalties:ledger": Row(EVERYONE, nav=True),
    "penalties:to_decide": Row(MANAGERS),
    "penalties:new": Row(MANAGERS),
    "penalties:months": Row(READERS),
    "penalties:month_close": Row(POST_ONLY),
    "penalties:month_export": Row(READERS, query="month=2026-04"),
    "penalties:company": Row(MANAGERS, nav=True),
    "penalties:detail": Row(A_SEEN, "entry"),
    "penalties:confirm": Row(POST_ONLY, "entry"),
    "penalties:waive": Row(POST_ONLY, "entry"),
    "penalties:reverse": Row(POST_ONLY, "entry"),
}
# --- sales: one module per area (tests/sales/walk_*.py) ---------------------------------------
ROWS.update({name: Row(**row) for name, row in sales_walk.WALK.items()})


def url_kwargs(world, key: str) -> dict:
    if key in sales_walk.WALK_KWARGS:
        return sales_walk.WALK_KWARGS[key](world)
    return {
        "": {},
        "department": {"pk": world.org.a.pk},
        "notification": {"pk": world.notification.pk},
        "customer": {"pk": world.customer.pk},
        "customer_pk": {"customer_pk": world.customer.pk},
        "contact": {"pk": world.customer.pk, "contact_pk": world.contact.pk},
        "followup": {"pk": world.customer.pk, "followup_pk": world.followup.pk},
        "followup_only": {"pk": world.followup.pk},
        "photo": {"pk": world.customer.pk, "photo_pk": world.photo.pk},
        "deal": {"pk": world.customer.pk, "deal_pk": world.deal.pk},
        "referral": {"pk": world.customer.pk, "referral_pk": world.referral.pk},
        "import_job": {"pk": world.import_job.pk},
        "claim": {"pk": world.claim.pk},
        "report": {"pk": world.report.pk},
        "swap": {"pk": world.swap.pk},
        "staff": {"staff_pk": world.org.sales_a.staff.pk},
        "handover": {"pk": world.handover.pk},
        "dispute": {"pk": world.dispute.pk},
        "notice": {"pk": world.notice.pk},
        "entry": {"pk": world.entry.pk},
    }[key]


# --- the resolver ----------------------------------------------------------------------------


def url_patterns() -> dict[str, str]:
    """Every URL pattern outside the admin: its name (with namespaces) → its route."""
    found = {}

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith("admin/"):
                continue
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                ns = f"{namespace}:{inner}" if namespace and inner else namespace or inner
                walk(pattern.url_patterns, route, ns)
            else:
                name = pattern.name or route
                found[f"{namespace}:{name}" if namespace else name] = route

    walk(get_resolver().url_patterns)
    return found


def test_every_url_pattern_has_a_row():
    patterns = url_patterns()
    missing = sorted(set(patterns) - set(ROWS))
    stale = sorted(set(ROWS) - set(patterns))
    assert not missing, f"URL patterns without a row in ROWS (add one): {missing}"
    assert not stale, f"rows for URL patterns that no longer exist: {stale}"


def test_every_navigation_entry_is_a_walked_page():
    walked = {name for name, row in ROWS.items() if row.nav}
    offered = {item.url_name for item in NAV_ITEMS if not item.url_name.startswith("admin:")}
    assert walked == offered


def test_rows_are_well_formed():
    for name, row in ROWS.items():
        codes = row.codes.split()
        assert len(codes) == len(ROLES), name
        assert all(code in {"200", "302", "404", "405"} for code in codes), name


# --- the world: one object of each kind, in department A -----------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def build_world() -> SimpleNamespace:
    org = build_org()
    w = SimpleNamespace(org=org)
    # A customer of department A held by sales_a, with a contact, a follow-up, a deal and a
    # referral; basic fields missing, so it is on A's incomplete-records list too.
    w.customer = register(
        org.sales_a,
        now=BUILT,
        name="走查客户有限公司",
        contacts=[{"name": "联系人甲", "gender": "M", "mobile": "13655550001"}],
    )
    w.contact = w.customer.contacts.get()
    assert w.customer.is_incomplete
    w.followup = followup_log(
        actor=org.sales_a,
        customer=w.customer,
        now=BUILT + timedelta(hours=1),
        data={"kind": "home_visit", "occurred_at": BUILT, "content": GOOD},
    )
    w.photo = visit_photos_store(
        followup=w.followup,
        files=[SimpleUploadedFile("visit.png", b"\x89PNG\r\n\x1a\n" + bytes(16))],
        now=BUILT,
    )[0]
    w.deal = deal_record(
        actor=org.sales_a,
        customer=w.customer,
        now=BUILT + timedelta(hours=2),
        data={
            "occurred_at": BUILT + timedelta(hours=1),
            "product": "实木地板",
            "quantity": 1,
            "amount": 0,
            "gifts": "地板蜡一桶",
        },
    )
    w.referral = referral_record(
        actor=org.sales_a,
        customer=w.customer,
        now=BUILT + timedelta(hours=2),
        data={"occurred_at": BUILT + timedelta(hours=1), "referred_name": "王先生", "what": "邻居"},
    )
    w.report = report_create(actor=org.sales_a, customer=w.customer, note="空号", now=BUILT)
    # A customer in A's pool that sales_a asked for (申领).
    pooled = register(org.sales_a2, now=BUILT, name="池中客户有限公司")
    ownership_transfer(
        customer=pooled, to_pool="department", kind="reclaim", actor=None, now=BUILT, reason="走查"
    )
    w.claim = claim_create(actor=org.sales_a, customer_ids=[pooled.pk], reason="在我片区", now=NOW)
    # A reclaimed customer of sales_a2 on A's notice board.
    noticed = register(org.sales_a2, now=BUILT, name="公示客户有限公司")
    ownership_transfer(
        customer=noticed, to_pool="department", kind="reclaim", actor=None, now=NOW, reason="走查"
    )
    w.notice = PublicNotice.objects.create(
        customer=noticed,
        previous_holder=org.sales_a2,
        department=org.a,
        policy="no_followup",
        pool="department",
        reclaimed_at=NOW,
        ends_at=notice_end(ReclaimPolicy.objects.get(code="no_followup"), NOW.date()),
    )
    # sales_a offers another of their customers to sales_a2 (same department).
    given = register(org.sales_a, now=BUILT, name="交换客户有限公司")
    w.swap = swap_propose(
        actor=org.sales_a, counterpart=org.sales_a2, give=[given.pk], reason="片区调整", now=NOW
    )
    # A person of A transferring out: their handover.
    leaver = make_person("leaver_a", Staff.Role.SALESPERSON, org.a)
    register(leaver, now=BUILT, name="交接客户有限公司")
    w.handover = handover_open(
        actor=org.manager_a,
        staff=leaver.staff,
        status=Staff.Status.TRANSFERRING,
        effective_at=NOW + timedelta(days=3),
        now=NOW,
    )
    w.dispute = dispute_open(
        actor=org.manager_a,
        phone="13911112222",
        name="王先生",
        claimants=[org.sales_a, org.sales_a2],
        note="两人都说先接触了这位客户",
        now=NOW,
    )
    w.entry = ledger_entry(
        org.manager_a, org.sales_a, "THIN_CONTENT", now=NOW, on=date(2026, 4, 10)
    )
    w.import_job = import_job_create(
        actor=org.sales_a,
        upload=SimpleUploadedFile("import.xlsx", excel.build_template()),
        only_valid=False,
        rows=300,
        now=NOW,
    )
    w.notification = notify(recipient=org.sales_a, title="走查", now=NOW)
    sales_walk.build_walk(w)
    return w


def _clients(world) -> dict[str, Client]:
    clients = {"anonymous": Client()}
    for role in ROLES[1:]:
        clients[role] = Client()
        clients[role].force_login(getattr(world.org, role))
    return clients


def _problems(name, role, expected, response, *, row, offered) -> list[str]:
    got = response.status_code
    if str(got) != expected:
        return [f"{name} as {role}: expected {expected}, got {got}"]
    if role == "anonymous":
        to = response.get("Location", "")
        if got == 302 and not row.public and not to.startswith(reverse("login")):
            return [f"{name} as anonymous: redirected to {to}, not to the login page"]
        return []
    if row.nav and (got == 200) != (response.request["PATH_INFO"] in offered):
        says = "offers" if got != 200 else "does not offer"
        return [f"{name} as {role}: answers {got} but the navigation {says} it"]
    return []


@pytest.mark.django_db
def test_each_role_gets_what_its_row_says_and_what_the_navigation_offers(world):
    problems = []
    with time_machine.travel(NOW, tick=False):
        heartbeat_record(now=NOW)  # the scheduler is alive: /healthz answers 200
        clients = _clients(world)
        offered = {"anonymous": set()} | {
            role: {item["url"] for item in nav_for(getattr(world.org, role))} for role in ROLES[1:]
        }
        for name, row in sorted(ROWS.items()):
            url = reverse(name, kwargs=url_kwargs(world, row.kwargs))
            for role, expected in zip(ROLES, row.codes.split(), strict=True):
                response = clients[role].get(f"{url}?{row.query}" if row.query else url)
                nav = offered[role]
                problems += _problems(name, role, expected, response, row=row, offered=nav)
    assert not problems, "\n".join(problems)
