"""The open rule catalogue (SPEC §7, issue 11): codes are validated and fixed, a rule's default
lies in its range, three more posts a rule may fall on (002 §5.1), and the default clauses of
the customer-manager handbook (004 四) and the archive checks (002 §5.1.2, §5.1.3, §5.1.5).

The rows are a frozen copy of the matching lines of `penalties/defaults.py` (a migration must
not change when that module does); tests/penalties/test_catalogue.py checks they agree. Rules
that already exist (same code) are left as the company edited them.
"""

from decimal import Decimal

import django.core.validators
from django.db import migrations, models
from django.db.models import F, Q
from django.utils import timezone

NEW_RULES = [
    # code, name (msgid), source, default, min, max, falls on, origin, effect, is reward
    ("SUGGESTION_DEPARTMENT", "Suggestion adopted by the department", "004 四 奖励1",
     -20, -20, -20, "person", "manual", "", True),
    ("SUGGESTION_COMPANY", "Suggestion adopted by the company", "004 四 奖励1",
     -50, -50, -50, "person", "manual", "", True),
    ("CUSTOMER_PRAISE", "Publicly praised by a customer", "004 四 奖励2",
     -100, -500, -100, "person", "manual", "", True),
    ("REPORTED_PRIVATE_ORDER", "Reported a designer's private order", "004 四 奖励3",
     -1000, -1000, -1000, "person", "manual", "", True),
    ("OFF_TASK", "Non-work browsing or business during working hours", "004 四 惩罚1",
     20, 20, 20, "person", "manual", "", False),
    ("ABSENT_FROM_POST", "Late for work or away from the post", "004 四 惩罚2",
     20, 20, 20, "person", "manual", "", False),
    ("STORE_IMAGE", "Damaging the store's image or business order", "004 四 惩罚3",
     50, 50, 50, "person", "manual", "", False),
    ("CUSTOMER_DISPUTE", "Arguing with a customer", "004 四 惩罚4",
     100, 100, 100, "person", "manual", "", False),
    ("INSUBORDINATION", "Not working actively or not obeying management", "004 四 惩罚5",
     50, 50, 100, "person", "manual", "", False),
    ("DATA_LEAK", "Company data not kept confidential or leaked", "004 四 惩罚6",
     200, 200, 500, "person", "manual", "", False),
    ("PRIVATE_ORDER_COLLUSION", "Private orders in collusion with a designer (dismissal)",
     "004 四 惩罚7", 0, 0, None, "person", "manual", "", False),
    ("ARCHIVE_FAULTS", "Irregular archive records three times or more", "002 §5.1.2",
     20, 20, 20, "accountant", "manual", "", False),
    ("WRONG_INFO_WALK_IN", "Verified wrong phone, address or name of a walk-in customer",
     "002 §5.1.3", 20, 20, 20, "service", "manual", "", False),
    ("RESULTS_NOT_ENFORCED", "Archive check results not enforced", "002 §5.1.5",
     20, 20, 20, "operations", "manual", "", False),
]  # fmt: skip

FALLS_ON = [
    ("person", "The person concerned"),
    ("manager", "The department manager"),
    ("accountant", "The store accountant"),
    ("service", "The customer service officer"),
    ("operations", "The chain-store operations officer"),
]
CODE_FIELD = dict(
    help_text="For example LATE_TO_WORK. It cannot be changed once the rule is saved.",
    max_length=40,
    validators=[
        django.core.validators.RegexValidator(
            "^[A-Z][A-Z0-9_]*\\Z",
            "Use upper-case Latin letters, digits and underscores, starting with a letter.",
        )
    ],
    verbose_name="code",
)
MIN_AMOUNT_HELP = (
    "Rewards are negative amounts: a reward of 100 to 500 yuan has lowest -500, highest -100."
)


def default_into_range(apps, schema_editor):
    """Before the constraint: a default an admin left outside its range moves to the nearest
    bound (only rows that break it are written)."""
    rule_model = apps.get_model("penalties", "PenaltyRule")
    rule_model.objects.filter(default_amount__lt=F("min_amount")).update(
        default_amount=F("min_amount")
    )
    rule_model.objects.filter(max_amount__isnull=False, default_amount__gt=F("max_amount")).update(
        default_amount=F("max_amount")
    )


def create_default_rules(apps, schema_editor):
    """Add the missing default clauses, each with its 'created' history row."""
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
            history_change_reason="migration 0004",
            **values,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("penalties", "0003_rules_cannot_be_gamed"),
    ]

    operations = [
        migrations.AlterField(
            model_name="historicalpenaltyrule",
            name="code",
            field=models.CharField(db_index=True, **CODE_FIELD),
        ),
        migrations.AlterField(
            model_name="penaltyrule",
            name="code",
            field=models.CharField(unique=True, **CODE_FIELD),
        ),
        migrations.AlterField(
            model_name="historicalpenaltyrule",
            name="falls_on",
            field=models.CharField(choices=FALLS_ON, max_length=10, verbose_name="falls on"),
        ),
        migrations.AlterField(
            model_name="penaltyrule",
            name="falls_on",
            field=models.CharField(choices=FALLS_ON, max_length=10, verbose_name="falls on"),
        ),
        migrations.AlterField(
            model_name="historicalpenaltyrule",
            name="min_amount",
            field=models.DecimalField(
                decimal_places=2,
                help_text=MIN_AMOUNT_HELP,
                max_digits=10,
                verbose_name="lowest amount",
            ),
        ),
        migrations.AlterField(
            model_name="penaltyrule",
            name="min_amount",
            field=models.DecimalField(
                decimal_places=2,
                help_text=MIN_AMOUNT_HELP,
                max_digits=10,
                verbose_name="lowest amount",
            ),
        ),
        migrations.RunPython(default_into_range, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="penaltyrule",
            constraint=models.CheckConstraint(
                condition=Q(default_amount__gte=F("min_amount"))
                & (Q(max_amount__isnull=True) | Q(default_amount__lte=F("max_amount"))),
                name="penaltyrule_default_in_range",
            ),
        ),
        # Reversing keeps the rules: entries may already point at them.
        migrations.RunPython(create_default_rules, migrations.RunPython.noop),
    ]
