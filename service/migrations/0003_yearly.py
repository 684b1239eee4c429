"""The yearly evaluation (SPEC §11, 001 四.4): YearlyEvaluation and its history, and the
once-a-day notices of the reminders and the overdue list."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("service", "0002_complaints"),
        ("crm", "0003_login_log_and_account_changes"),
        ("customers", "0013_alter_customer_acquired_via_and_more"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalYearlyEvaluation",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                (
                    "transaction_grade",
                    models.CharField(
                        choices=[("good", "Good"), ("fair", "Fair"), ("poor", "Poor")],
                        max_length=4,
                        verbose_name="transaction evaluation",
                    ),
                ),
                (
                    "transaction_note",
                    models.TextField(
                        blank=True, max_length=1000, verbose_name="transaction remarks"
                    ),
                ),
                (
                    "credit_grade",
                    models.CharField(
                        choices=[("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")],
                        max_length=1,
                        verbose_name="credit evaluation",
                    ),
                ),
                (
                    "credit_note",
                    models.TextField(blank=True, max_length=1000, verbose_name="credit remarks"),
                ),
                (
                    "contact_grade",
                    models.CharField(
                        choices=[("good", "Good"), ("fair", "Fair"), ("poor", "Poor")],
                        max_length=4,
                        verbose_name="contact evaluation",
                    ),
                ),
                (
                    "contact_note",
                    models.TextField(blank=True, max_length=1000, verbose_name="contact remarks"),
                ),
                ("submitted_at", models.DateTimeField(verbose_name="submitted at")),
                ("is_late", models.BooleanField(default=False, verbose_name="submitted late")),
                (
                    "manager_note",
                    models.TextField(
                        blank=True, max_length=1000, verbose_name="business manager's evaluation"
                    ),
                ),
                (
                    "manager_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="business manager evaluated at"
                    ),
                ),
                (
                    "director_note",
                    models.TextField(
                        blank=True, max_length=1000, verbose_name="supervising manager's evaluation"
                    ),
                ),
                (
                    "director_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="supervising manager evaluated at"
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="customers.customer",
                        verbose_name="customer",
                    ),
                ),
                (
                    "department",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="crm.department",
                        verbose_name="department",
                    ),
                ),
                (
                    "director_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="supervising manager",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "manager_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="business manager",
                    ),
                ),
                (
                    "submitted_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="submitted by",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical yearly evaluation",
                "verbose_name_plural": "historical yearly evaluations",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="YearlyEvaluation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                (
                    "transaction_grade",
                    models.CharField(
                        choices=[("good", "Good"), ("fair", "Fair"), ("poor", "Poor")],
                        max_length=4,
                        verbose_name="transaction evaluation",
                    ),
                ),
                (
                    "transaction_note",
                    models.TextField(
                        blank=True, max_length=1000, verbose_name="transaction remarks"
                    ),
                ),
                (
                    "credit_grade",
                    models.CharField(
                        choices=[("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")],
                        max_length=1,
                        verbose_name="credit evaluation",
                    ),
                ),
                (
                    "credit_note",
                    models.TextField(blank=True, max_length=1000, verbose_name="credit remarks"),
                ),
                (
                    "contact_grade",
                    models.CharField(
                        choices=[("good", "Good"), ("fair", "Fair"), ("poor", "Poor")],
                        max_length=4,
                        verbose_name="contact evaluation",
                    ),
                ),
                (
                    "contact_note",
                    models.TextField(blank=True, max_length=1000, verbose_name="contact remarks"),
                ),
                ("submitted_at", models.DateTimeField(verbose_name="submitted at")),
                ("is_late", models.BooleanField(default=False, verbose_name="submitted late")),
                (
                    "manager_note",
                    models.TextField(
                        blank=True, max_length=1000, verbose_name="business manager's evaluation"
                    ),
                ),
                (
                    "manager_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="business manager evaluated at"
                    ),
                ),
                (
                    "director_note",
                    models.TextField(
                        blank=True, max_length=1000, verbose_name="supervising manager's evaluation"
                    ),
                ),
                (
                    "director_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="supervising manager evaluated at"
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="customers.customer",
                        verbose_name="customer",
                    ),
                ),
                (
                    "department",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="crm.department",
                        verbose_name="department",
                    ),
                ),
                (
                    "director_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="supervising manager",
                    ),
                ),
                (
                    "manager_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="business manager",
                    ),
                ),
                (
                    "submitted_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="submitted by",
                    ),
                ),
            ],
            options={
                "verbose_name": "yearly evaluation",
                "verbose_name_plural": "yearly evaluations",
            },
        ),
        migrations.CreateModel(
            name="YearlyEvaluationNotice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("reminder", "Reminder"), ("overdue", "Overdue notice")],
                        max_length=10,
                    ),
                ),
                ("year", models.PositiveSmallIntegerField()),
                ("sent_on", models.DateField()),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="yearlyevaluation",
            index=models.Index(fields=["year", "department"], name="yearly_eval_dept_idx"),
        ),
        migrations.AddConstraint(
            model_name="yearlyevaluation",
            constraint=models.UniqueConstraint(
                fields=("customer", "year"), name="yearly_eval_one_per_year"
            ),
        ),
        migrations.AddConstraint(
            model_name="yearlyevaluationnotice",
            constraint=models.UniqueConstraint(
                fields=("user", "kind", "sent_on"), name="yearly_notice_once_a_day"
            ),
        ),
    ]
