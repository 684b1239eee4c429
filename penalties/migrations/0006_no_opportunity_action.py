"""The 一般行动 rule (002 §3.2, SPEC §10): an open opportunity without a logged action in a
calendar month is recorded on the customer's holder (0 yuan, a KPI line) by the monthly scan.

The row is a frozen copy of the matching line of `penalties/defaults.py` (a migration must not
change when that module does); tests/sales/test_opportunities_scan.py checks they agree. A rule
that already exists (same code) is left as the company edited it.
"""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

NEW_RULES = [
    # code, name (msgid), source, default, min, max, falls on, origin, effect, is reward
    ("NO_OPPORTUNITY_ACTION", "Open opportunity without an action in the month", "002 §3.2",
     0, 0, 0, "person", "scan", "", False),
]  # fmt: skip


def create_rule(apps, schema_editor):
    """Add the rule with its 'created' history row."""
    rule_model = apps.get_model("penalties", "PenaltyRule")
    history_model = apps.get_model("penalties", "HistoricalPenaltyRule")
    existing = set(rule_model.objects.values_list("code", flat=True))
    now = timezone.now()
    for code, name, source, default, low, high, falls_on, origin, effect, reward in NEW_RULES:
        if code in existing:
            continue
        values = {
            "code": code,
            "name": name,
            "source": source,
            "default_amount": Decimal(default),
            "min_amount": Decimal(low),
            "max_amount": None if high is None else Decimal(high),
            "falls_on": falls_on,
            "origin": origin,
            "effect": effect,
            "is_reward": reward,
            "is_active": True,
        }
        rule = rule_model.objects.create(**values)
        history_model.objects.create(
            id=rule.pk,
            history_date=now,
            history_type="+",
            history_change_reason="migration 0006",
            **values,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("penalties", "0005_gm_keeps_rules_and_settings"),
    ]

    # Reversing keeps the rule: entries may already point at it.
    operations = [migrations.RunPython(create_rule, migrations.RunPython.noop)]
