# Issue 19: the activity summary behind the company overview (customers/models/summary.py).
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0007_job_runs"),
        ("customers", "0015_search_bigrams"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ActivityWatermark",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "followup_id",
                    models.BigIntegerField(default=0, verbose_name="last follow-up id"),
                ),
                ("deal_id", models.BigIntegerField(default=0, verbose_name="last deal id")),
                (
                    "inquiry_id",
                    models.BigIntegerField(default=0, verbose_name="last inquiry call id"),
                ),
                (
                    "event_id",
                    models.BigIntegerField(default=0, verbose_name="last ownership event id"),
                ),
                ("built_at", models.DateTimeField(verbose_name="built at")),
                ("seconds", models.FloatField(default=0, verbose_name="build seconds")),
            ],
            options={
                "verbose_name": "activity summary watermark",
                "verbose_name_plural": "activity summary watermarks",
            },
        ),
        migrations.CreateModel(
            name="ActivityMonth",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField(verbose_name="month")),
                ("followups", models.PositiveIntegerField(default=0, verbose_name="follow-ups")),
                (
                    "inquiry_followups",
                    models.PositiveIntegerField(default=0, verbose_name="inquiry follow-ups"),
                ),
                ("deals", models.PositiveIntegerField(default=0, verbose_name="deals")),
                ("inquiries", models.PositiveIntegerField(default=0, verbose_name="inquiry calls")),
                (
                    "reclaimed",
                    models.PositiveIntegerField(
                        default=0, verbose_name="reclaims and confiscations"
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="author",
                    ),
                ),
                (
                    "department",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="crm.department",
                        verbose_name="department",
                    ),
                ),
            ],
            options={
                "verbose_name": "activity month",
                "verbose_name_plural": "activity months",
                "indexes": [models.Index(fields=["month", "author"], name="activity_month_idx")],
            },
        ),
    ]
