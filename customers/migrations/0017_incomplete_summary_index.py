"""Issue 19: the incomplete-records index carries first_deal_at, so the accountant's summary
per department is an index-only scan."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("customers", "0016_department_day")]

    operations = [
        migrations.RemoveIndex(model_name="customer", name="customer_incomplete_idx"),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(("is_incomplete", True)),
                fields=["department", "completion_due"],
                include=("first_deal_at", "id"),
                name="customer_incomplete_idx",
            ),
        ),
    ]
