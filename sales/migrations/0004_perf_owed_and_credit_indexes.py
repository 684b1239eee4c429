"""Receivables and ranking at 1,000,000 customers (docs/performance.md "Sales pages at
1,000,000 customers"):

- `Instalment.signed`, set by `contract_sign`, so the receivables need no anti-join against
  draft contracts. Existing rows: the column is added as true (a constant default, which
  PostgreSQL stores without rewriting the table), then one set-based UPDATE marks the
  instalments of the (few) drafts false; new rows default to false until signing.
- `instalment_owed_idx`: what is owed per customer, covering the ageing's columns.
- `credit_date_cover_idx` replaces `credit_date_idx`: a period's credit rows with user,
  department and amount, read from the index alone."""

from django.db import migrations, models


def mark_draft_instalments(apps, schema_editor):
    Instalment = apps.get_model("sales", "Instalment")
    Contract = apps.get_model("sales", "Contract")
    drafts = Contract.objects.filter(signed_at__isnull=True).values("pk")
    Instalment.objects.filter(contract__in=drafts).update(signed=False)


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0003_contracts_instalment_reduction"),
    ]

    operations = [
        migrations.AddField(
            model_name="instalment",
            name="signed",
            field=models.BooleanField(default=True, verbose_name="contract signed"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="instalment",
            name="signed",
            field=models.BooleanField(default=False, verbose_name="contract signed"),
        ),
        migrations.RunPython(mark_draft_instalments, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="instalment",
            index=models.Index(
                condition=models.Q(("settled_on__isnull", True), ("signed", True)),
                fields=["customer"],
                include=["due_on", "amount", "paid"],
                name="instalment_owed_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="salescredit",
            index=models.Index(
                fields=["on_date"],
                include=["user", "department", "amount"],
                name="credit_date_cover_idx",
            ),
        ),
        migrations.RemoveIndex(
            model_name="salescredit",
            name="credit_date_idx",
        ),
    ]
