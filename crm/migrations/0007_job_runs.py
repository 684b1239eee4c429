"""The job_runs area's schema (issue 18): one record per scheduled job and period (SPEC §9)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("crm", "0006_notification_channels")]
    operations = [
        migrations.CreateModel(
            name="JobPeriodRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("job", models.CharField(max_length=80, verbose_name="job")),
                ("period", models.CharField(blank=True, max_length=20, verbose_name="period")),
                ("started_at", models.DateTimeField(verbose_name="started at")),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="finished at"),
                ),
                ("is_ok", models.BooleanField(default=False, verbose_name="succeeded")),
                ("error", models.TextField(blank=True, verbose_name="error")),
            ],
            options={
                "verbose_name": "job run",
                "verbose_name_plural": "job runs",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("job", "period"), name="jobperiodrun_unique_period"
                    )
                ],
            },
        ),
    ]
