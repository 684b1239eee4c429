"""Seed the stage probabilities (admin-editable afterwards) and write a sales-credit row for
every existing purchase record: purchase data itself migrates untouched (SPEC §10)."""

from django.db import migrations
from django.utils import timezone

DEFAULTS = [
    ("contact", 10),
    ("needs", 25),
    ("proposal", 50),
    ("negotiation", 75),
    ("won", 100),
    ("lost", 0),
]


def forwards(apps, schema_editor):
    StageProbability = apps.get_model("sales", "StageProbability")
    for stage, probability in DEFAULTS:
        StageProbability.objects.get_or_create(stage=stage, defaults={"probability": probability})
    Deal = apps.get_model("customers", "Deal")
    Staff = apps.get_model("crm", "Staff")
    SalesCredit = apps.get_model("sales", "SalesCredit")
    departments = dict(Staff.objects.values_list("user_id", "department_id"))
    now = timezone.now()
    batch = []
    deals = Deal.objects.values(
        "pk", "credited_to_id", "customer_id", "customer__department_id", "occurred_at", "amount", "quantity"
    )
    for deal in deals.order_by("pk").iterator(chunk_size=5000):
        user_id = deal["credited_to_id"]
        batch.append(
            SalesCredit(
                kind="deal",
                user_id=user_id,
                department_id=departments.get(user_id) if user_id else deal["customer__department_id"],
                customer_id=deal["customer_id"],
                on_date=timezone.localdate(deal["occurred_at"]),
                amount=deal["amount"],
                quantity=deal["quantity"],
                deal_id=deal["pk"],
                created_at=now,
            )
        )
        if len(batch) >= 5000:
            SalesCredit.objects.bulk_create(batch)
            batch = []
    SalesCredit.objects.bulk_create(batch)


def backwards(apps, schema_editor):
    apps.get_model("sales", "SalesCredit").objects.filter(kind="deal").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0001_initial"),
        ("customers", "0013_alter_customer_acquired_via_and_more"),
        ("crm", "0003_login_log_and_account_changes"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
