"""The open rule catalogue (SPEC §7): the GM adds, edits and retires ledger rules in 系统管理
and edits every rule number there, without a deploy; a retired rule keeps its entries and
history but takes no new entry; the handbook's and 002 §5.1's clauses ship as defaults."""

import importlib
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from allocation.models import ReclaimPolicy
from penalties.defaults import RULES
from penalties.models import LedgerEntry, PenaltyRule
from penalties.services import LedgerError
from tests.factories import ledger_entry

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SH)
MIGRATION = importlib.import_module("penalties.migrations.0004_open_rule_catalogue")

pytestmark = pytest.mark.usefixtures("frozen")

# The refusals' msgids (compared through the catalogue, so the tests read what the user reads).
MESSAGES = [
    "The default amount is below the lowest amount.",
    "The default amount is above the highest amount.",
    "The highest amount is below the lowest amount.",
    "A fine is 0 yuan or more; for a negative amount tick the reward box.",
    "A reward is entered as a negative amount (a reward of 50 yuan is -50): give a highest "
    "amount of 0 or less.",
]
RETIRED = "Choose a rule in use: this one is retired or applied by the system's scans."


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def rule_form(**changes) -> dict:
    """The admin's add/change form for a rule, as a browser posts it (unticked boxes absent)."""
    data = {
        "code": "SMOKING_AT_WORK",
        "name": "工作时间在店面吸烟",
        "description": "",
        "source": "总经理办公会 2026-11",
        "default_amount": "30",
        "min_amount": "30",
        "max_amount": "80",
        "falls_on": "person",
        "is_active": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def add_rule(client, **changes):
    return client.post(reverse("admin:penalties_penaltyrule_add"), rule_form(**changes))


def change_rule(client, rule, **changes):
    data = rule_form(
        code=rule.code,
        name=rule.name,
        source=rule.source,
        default_amount=str(rule.default_amount),
        min_amount=str(rule.min_amount),
        max_amount="" if rule.max_amount is None else str(rule.max_amount),
        falls_on=rule.falls_on,
        is_active="on" if rule.is_active else None,
    )
    data.update(changes)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(reverse("admin:penalties_penaltyrule_change", args=[rule.pk]), data)


def record_page(client, person, rule, amount, *, on="2026-11-19", reason="经核实，店长在场"):
    return client.post(
        reverse("penalties:new"),
        {
            "person": person.pk,
            "rule": rule.pk,
            "amount": amount,
            "occurred_on": on,
            "customer": "",
            "extra_customers": "",
            "reason": reason,
        },
    )


def zh(msgid: str) -> str:
    """A message as the Chinese user reads it (the catalogue's translation)."""
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def errors(response) -> str:
    """The messages of the form on the page (the admin's or the entry form), as plain text."""
    context = response.context
    form = context["adminform"].form if "adminform" in context else context["form"]
    return " ".join(m for messages in form.errors.values() for m in messages)


# --- Who may keep the catalogue -----------------------------------------------------------


def test_gm_group_may_view_add_and_change_rules_but_never_delete(org):
    gm = type(org.gm).objects.get(pk=org.gm.pk)  # fresh: no permission cache
    assert gm.has_perm("penalties.view_penaltyrule")
    assert gm.has_perm("penalties.add_penaltyrule")
    assert gm.has_perm("penalties.change_penaltyrule")
    assert not gm.has_perm("penalties.delete_penaltyrule")


def test_gm_adds_a_rule_in_the_admin_recorded_by_hand_without_effect(org, login):
    client = login(org.gm)
    assert client.get(reverse("admin:penalties_penaltyrule_add")).status_code == 200
    # Origin and effect are not the adder's choice, even when posted.
    response = add_rule(client, origin="scan", effect="strikes")
    assert response.status_code == 302, errors(response)
    rule = PenaltyRule.objects.get(code="SMOKING_AT_WORK")
    assert rule.origin == "manual" and rule.effect == ""
    assert (rule.default_amount, rule.min_amount, rule.max_amount) == (30, 30, 80)
    assert rule.label == "工作时间在店面吸烟", "a typed name shows as typed"
    created = rule.history.get()
    assert created.history_type == "+" and created.history_user == org.gm


def test_gm_adds_a_reward_with_negative_amounts(org, login):
    response = add_rule(
        login(org.gm),
        code="STAR_OF_THE_MONTH",
        name="月度服务之星",
        is_reward="on",
        default_amount="-200",
        min_amount="-300",
        max_amount="-100",
    )
    assert response.status_code == 302, errors(response)
    rule = PenaltyRule.objects.get(code="STAR_OF_THE_MONTH")
    assert rule.is_reward and rule.amount_allowed(Decimal(-150))
    assert not rule.amount_allowed(Decimal(150))


def test_gm_edits_the_amounts_and_retires_a_rule_with_history(org, login):
    client = login(org.gm)
    add_rule(client)
    rule = PenaltyRule.objects.get(code="SMOKING_AT_WORK")
    response = change_rule(client, rule, default_amount="50", min_amount="50", max_amount="")
    assert response.status_code == 302, errors(response)
    rule.refresh_from_db()
    assert (rule.default_amount, rule.min_amount, rule.max_amount) == (50, 50, None)

    response = change_rule(client, rule, is_active=None)
    assert response.status_code == 302, errors(response)
    rule.refresh_from_db()
    assert not rule.is_active
    assert PenaltyRule.objects.filter(pk=rule.pk).exists(), "retired, not deleted"
    versions = list(rule.history.order_by("history_date", "history_id"))
    assert [v.history_type for v in versions] == ["+", "~", "~"]
    assert [v.is_active for v in versions] == [True, True, False]
    assert {v.history_user for v in versions} == {org.gm}


def test_a_rules_code_and_kind_never_change_after_creation(org, login):
    client = login(org.gm)
    add_rule(client)
    rule = PenaltyRule.objects.get(code="SMOKING_AT_WORK")
    form = client.get(reverse("admin:penalties_penaltyrule_change", args=[rule.pk]))
    assert 'name="code"' not in form.content.decode()
    response = change_rule(client, rule, code="RENAMED", is_reward="on", name="改名后的规则")
    assert response.status_code == 302, errors(response)
    rule.refresh_from_db()
    assert rule.code == "SMOKING_AT_WORK" and not rule.is_reward
    assert rule.name == "改名后的规则", "the name is editable"
    assert not PenaltyRule.objects.filter(code="RENAMED").exists()


def test_system_rules_keep_origin_and_effect_when_the_gm_edits_them(org, login):
    rule = PenaltyRule.objects.get(code="CONTACT_REGISTERED")
    response = change_rule(
        login(org.gm), rule, default_amount="150", min_amount="150", max_amount="150"
    )
    assert response.status_code == 302, errors(response)
    rule.refresh_from_db()
    assert (rule.default_amount, rule.origin, rule.effect) == (150, "manual", "strikes")


def test_nobody_deletes_a_rule_in_the_admin(org, login):
    rule = PenaltyRule.objects.get(code="THIN_CONTENT")
    client = login(org.gm)
    response = client.post(
        reverse("admin:penalties_penaltyrule_delete", args=[rule.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert PenaltyRule.objects.filter(pk=rule.pk).exists()


@pytest.mark.parametrize(
    "code",
    ["smoking", "SMOKING AT WORK", "9LIVES", "吸烟", "SMOKING-AT-WORK", "THIN_CONTENT", ""],
)
def test_admin_refuses_a_malformed_or_taken_code(org, login, code):
    before = PenaltyRule.objects.count()
    response = add_rule(login(org.gm), code=code)
    assert response.status_code == 200
    assert "code" in response.context["adminform"].form.errors
    assert PenaltyRule.objects.count() == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"default_amount": "20"}, "default_amount", "The default amount is below the lowest"),
        ({"default_amount": "90"}, "default_amount", "The default amount is above the highest"),
        (
            {"min_amount": "90", "default_amount": "90"},
            "max_amount",
            "The highest amount is below the lowest",
        ),
        (
            {"min_amount": "-50", "default_amount": "-50", "max_amount": "-10"},
            "min_amount",
            "A fine is 0 yuan or more",
        ),
        ({"is_reward": "on"}, "max_amount", "A reward is entered as a negative amount"),
        (
            {"is_reward": "on", "min_amount": "-50", "default_amount": "-50", "max_amount": ""},
            "max_amount",
            "A reward is entered as a negative amount",
        ),
    ],
)
def test_admin_refuses_amounts_out_of_order_or_of_the_wrong_sign(
    org, login, changes, field, message
):
    response = add_rule(login(org.gm), **changes)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert field in form.errors
    shown = " ".join(form.errors[field])
    assert any(m.startswith(message) and zh(m) in shown for m in MESSAGES), shown
    assert not PenaltyRule.objects.filter(code="SMOKING_AT_WORK").exists()


def test_database_refuses_a_default_outside_the_range(db):
    rule = PenaltyRule.objects.get(code="INSUBORDINATION")
    with pytest.raises(IntegrityError), transaction.atomic():
        PenaltyRule.objects.filter(pk=rule.pk).update(default_amount=Decimal(150))


@pytest.mark.parametrize("who", ["sales_a", "manager_a", "accountant_a"])
def test_salespeople_managers_and_accountants_get_no_admin_access_to_the_catalogue(org, login, who):
    client = login(getattr(org, who))
    rule = PenaltyRule.objects.get(code="THIN_CONTENT")
    for url in (
        reverse("admin:penalties_penaltyrule_changelist"),
        reverse("admin:penalties_penaltyrule_add"),
        reverse("admin:penalties_penaltyrule_change", args=[rule.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response.url
    add_rule(client)
    change_rule(client, rule, default_amount="0", min_amount="0", max_amount="")
    assert not PenaltyRule.objects.filter(code="SMOKING_AT_WORK").exists()
    rule.refresh_from_db()
    assert rule.default_amount == 20


# --- Recording under the catalogue ----------------------------------------------------------


def test_entry_form_lists_every_manual_rule_in_use_including_new_ones(org, login):
    add_rule(login(org.gm))
    PenaltyRule.objects.filter(code="GRABBING").update(is_active=False)
    response = login(org.manager_a).get(reverse("penalties:new"))
    listed = set(response.context["form"].fields["rule"].queryset.values_list("code", flat=True))
    expected = set(
        PenaltyRule.objects.filter(origin="manual", is_active=True).values_list("code", flat=True)
    )
    assert listed == expected
    assert "SMOKING_AT_WORK" in listed and "OFF_TASK" in listed
    assert "GRABBING" not in listed, "retired"
    assert "LATE_ENTRY" not in listed, "applied by a scan"
    body = response.content.decode()
    assert 'data-rule="SMOKING_AT_WORK"' in body and "工作时间在店面吸烟" in body
    assert 'data-rule="GRABBING"' not in body


def test_manager_records_an_entry_under_a_new_rule_within_its_range(org, login):
    add_rule(login(org.gm))
    rule = PenaltyRule.objects.get(code="SMOKING_AT_WORK")
    client = login(org.manager_a)
    response = record_page(client, org.sales_a, rule, "100")
    assert response.status_code == 200
    assert rule.label in errors(response), "the range refusal names the rule"
    assert not LedgerEntry.objects.filter(rule=rule).exists()

    response = record_page(client, org.sales_a, rule, "60")
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(rule=rule)
    assert (entry.person, entry.amount, entry.status) == (org.sales_a, 60, "proposed")
    listed = client.get(reverse("penalties:ledger"), {"month": "2026-11"})
    assert entry in listed.context["entries"]
    assert "工作时间在店面吸烟" in listed.content.decode()


def test_a_retired_rule_takes_no_new_entry_but_its_old_entries_stay_and_show(org, login):
    add_rule(login(org.gm))
    rule = PenaltyRule.objects.get(code="SMOKING_AT_WORK")
    old = ledger_entry(org.manager_a, org.sales_a, "SMOKING_AT_WORK", now=NOW, on=date(2026, 11, 2))
    change_rule(login(org.gm), rule, is_active=None)

    client = login(org.manager_a)
    response = record_page(client, org.sales_a2, rule, "30")
    assert response.status_code == 200
    assert zh(RETIRED) in errors(response)
    with pytest.raises(LedgerError):
        ledger_entry(org.manager_a, org.sales_a2, "SMOKING_AT_WORK", now=NOW, on=date(2026, 11, 3))
    assert list(LedgerEntry.objects.filter(rule=rule)) == [old]

    # The old entry stays, shows in the ledger and on its page, and can still be decided.
    listed = client.get(reverse("penalties:ledger"), {"month": "2026-11"})
    assert old in listed.context["entries"]
    detail = client.get(reverse("penalties:detail", args=[old.pk])).content.decode()
    assert "工作时间在店面吸烟" in detail and 'data-testid="rule-retired"' in detail
    client.post(reverse("penalties:confirm", args=[old.pk]))
    old.refresh_from_db()
    assert old.status == "confirmed"


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        ("THIN_CONTENT", "20.00"),
        ("INSUBORDINATION", "50.00 – 100.00"),
        ("PRIVATE_FOLLOWUP", "≥ 20.00"),
        ("REWARD_HONOUR", "0.00"),  # a highest amount of 0 is a limit, not "none"
        ("CUSTOMER_PRAISE", "-500.00 – -100.00"),
    ],
)
def test_the_entry_page_shows_each_rules_range(org, login, code, shown):
    body = login(org.manager_a).get(reverse("penalties:new")).content.decode()
    row = body.split(f'data-rule="{code}"', 1)[1].split("</tr>", 1)[0]
    assert f"<td>{shown}</td>" in row


# --- Default clauses ----------------------------------------------------------------------------

# code: (default, lowest, highest, falls on, reward) — 004 四 and 002 §5.1 as SPEC §7 lists them.
CLAUSES = {
    "SUGGESTION_DEPARTMENT": (-20, -20, -20, "person", True),
    "SUGGESTION_COMPANY": (-50, -50, -50, "person", True),
    "CUSTOMER_PRAISE": (-100, -500, -100, "person", True),
    "REPORTED_PRIVATE_ORDER": (-1000, -1000, -1000, "person", True),
    "OFF_TASK": (20, 20, 20, "person", False),
    "ABSENT_FROM_POST": (20, 20, 20, "person", False),
    "STORE_IMAGE": (50, 50, 50, "person", False),
    "CUSTOMER_DISPUTE": (100, 100, 100, "person", False),
    "INSUBORDINATION": (50, 50, 100, "person", False),
    "DATA_LEAK": (200, 200, 500, "person", False),
    "PRIVATE_ORDER_COLLUSION": (0, 0, None, "person", False),
    "ARCHIVE_FAULTS": (20, 20, 20, "accountant", False),
    "WRONG_INFO": (20, 20, 20, "person", False),
    "WRONG_INFO_WALK_IN": (20, 20, 20, "service", False),
    "RESULTS_NOT_ENFORCED": (20, 20, 20, "operations", False),
}


def test_every_default_clause_exists_after_migrate(db):
    for code, (default, low, high, falls_on, reward) in CLAUSES.items():
        rule = PenaltyRule.objects.get(code=code)
        assert (
            rule.default_amount,
            rule.min_amount,
            rule.max_amount,
            rule.falls_on,
            rule.is_reward,
            rule.origin,
            rule.is_active,
        ) == (default, low, high, falls_on, reward, "manual", True), code
        rule.full_clean()  # each default passes the admin's own checks


def test_the_migration_and_a_fresh_database_agree_on_the_defaults():
    """Migration 0004 holds a frozen copy of its rows; penalties/defaults.py (which fills a
    fresh or flushed database) must say the same."""
    defaults = {row[0]: row for row in RULES}
    for (
        code,
        name,
        source,
        default,
        low,
        high,
        falls_on,
        origin,
        effect,
        reward,
    ) in MIGRATION.NEW_RULES:
        assert defaults[code] == (
            code,
            name,
            source,
            Decimal(default),
            Decimal(low),
            None if high is None else Decimal(high),
            falls_on,
            origin,
            effect,
            reward,
        )


def test_the_migration_adds_missing_clauses_and_leaves_edited_ones_alone(db):
    PenaltyRule.objects.filter(code="OFF_TASK").update(
        default_amount=30, min_amount=30, max_amount=30
    )
    PenaltyRule.objects.filter(code__in=set(CLAUSES) - {"OFF_TASK", "WRONG_INFO"}).delete()
    MIGRATION.create_default_rules(apps, None)
    assert set(CLAUSES) <= set(PenaltyRule.objects.values_list("code", flat=True))
    assert PenaltyRule.objects.get(code="OFF_TASK").default_amount == 30
    added = PenaltyRule.objects.get(code="DATA_LEAK")
    created = added.history.first()  # the newest version
    assert created.history_type == "+" and created.history_change_reason == "migration 0004"


# --- Every rule number in 系统管理 ------------------------------------------------------------


def test_gm_reaches_and_edits_every_rule_number_in_the_admin(org, login):
    from constance import config

    client = login(org.gm)
    url = reverse("admin:constance_config_changelist")
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["form"]
    keys = set(settings.CONSTANCE_CONFIG)
    in_fieldsets = {key for _title, fields in settings.CONSTANCE_CONFIG_FIELDSETS for key in fields}
    assert keys <= set(form.fields), "every number is a field of the form"
    assert keys == in_fieldsets, "every number is shown in a fieldset (none hidden)"
    data = {name: form[name].value() for name in form.fields}
    numbers = {
        k for k, (default, *_rest) in settings.CONSTANCE_CONFIG.items() if type(default) is int
    }
    for key in numbers:
        data[key] = int(data[key]) + 1
    try:
        response = client.post(url, data)
        assert response.status_code == 302, response.context["form"].errors
        for key in numbers:
            assert getattr(config, key) == settings.CONSTANCE_CONFIG[key][0] + 1, key
    finally:
        cache.clear()  # constance caches values; the database rolls back, the cache would not


def test_gm_edits_a_reclaim_policy_in_the_admin(org, login):
    client = login(org.gm)
    policy = ReclaimPolicy.objects.get(code="no_deal_issued")
    url = reverse("admin:allocation_reclaimpolicy_change", args=[policy.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items() if v is not False}
    data["window_value"] = policy.window_value + 15
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    policy.refresh_from_db()
    assert policy.window_value == data["window_value"]
    assert client.get(reverse("admin:allocation_reclaimpolicy_add")).status_code == 403
