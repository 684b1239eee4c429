"""Issue 19: the proposed-entries index carries the person, so the dashboards' count of entries
to decide (all but the viewer's own) is an index-only scan."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("penalties", "0008_ledger_reads")]

    operations = [
        migrations.RemoveIndex(model_name="ledgerentry", name="ledger_proposed_idx"),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(
                condition=models.Q(("status", "proposed")),
                fields=["department", "created_at"],
                include=("person",),
                name="ledger_proposed_idx",
            ),
        ),
    ]
