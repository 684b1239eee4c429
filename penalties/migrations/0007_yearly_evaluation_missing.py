"""The 年度评价 rule (001 四.4, SPEC §11): a yearly customer evaluation not submitted by the
due date (default 12-25) is recorded on the customer's holder (0 yuan, a KPI line) by
service's yearly task.

The row is a frozen copy of the matching line of `penalties/defaults.py` (a migration must not
change when that module does); tests/service/test_yearly.py checks they agree. A rule
that already exists (same code) is left as the company edited it.
"""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

NEW_RULES = [
    # code, name (msgid), source, default, min, max, falls on, origin, effect, is reward
    ("YEARLY_EVALUATION_MISSING", "Yearly customer evaluation not submitted on time",
     "001 四.4", 0, 0, 0, "person", "scan", "", False),
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
            history_change_reason="migration 0007",
            **values,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("penalties", "0006_no_opportunity_action"),
    ]

    # Reversing keeps the rule: entries may already point at it.
    operations = [migrations.RunPython(create_rule, migrations.RunPython.noop)]
