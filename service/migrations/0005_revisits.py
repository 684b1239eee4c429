import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """The revisits area's models: project-stage events and revisit plans (SPEC §11)."""

    dependencies = [
        ("service", "0004_surveys"),
        ("customers", "0013_alter_customer_acquired_via_and_more"),
        ("sales", "0004_perf_owed_and_credit_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    operations = [
        migrations.CreateModel(
            name="ProjectStageEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "stage",
                    models.CharField(
                        choices=[
                            ("deposit", "Deposit paid"),
                            ("material", "Material acceptance"),
                            ("concealed", "Concealed works acceptance"),
                            ("mid", "Mid-term inspection"),
                            ("final", "Final inspection"),
                        ],
                        max_length=20,
                        verbose_name="stage",
                    ),
                ),
                ("occurred_on", models.DateField(verbose_name="occurred on")),
                ("created_at", models.DateTimeField(verbose_name="entered at")),
                (
                    "by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="entered by",
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
            ],
            options={
                "verbose_name": "project stage",
                "verbose_name_plural": "project stages",
                "ordering": ["-occurred_on", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="RevisitPlan",
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
                        choices=[
                            ("regular", "Regular revisit"),
                            ("realtime", "Real-time revisit"),
                            ("yearly", "Yearly revisit"),
                            ("after_sale", "After-sale revisit"),
                            ("stage_deposit", "Revisit after the deposit"),
                            ("stage_material", "Revisit after material acceptance"),
                            ("stage_concealed", "Revisit after concealed works acceptance"),
                            ("stage_mid", "Revisit after the mid-term inspection"),
                            ("stage_final", "Revisit after the final inspection"),
                            ("first_inquiry_retry", "First inquiry: call again"),
                        ],
                        max_length=30,
                        verbose_name="kind",
                    ),
                ),
                ("due_on", models.DateField(verbose_name="due on")),
                ("due_at", models.DateTimeField(blank=True, null=True, verbose_name="due at")),
                ("attempt", models.PositiveSmallIntegerField(default=1, verbose_name="attempt")),
                ("note", models.CharField(blank=True, max_length=300, verbose_name="note")),
                ("first_attempt_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(verbose_name="created at")),
                ("done_at", models.DateTimeField(blank=True, null=True, verbose_name="done at")),
                (
                    "outcome",
                    models.CharField(
                        blank=True,
                        choices=[("reached", "Reached"), ("unreachable", "Unreachable")],
                        max_length=20,
                        verbose_name="outcome",
                    ),
                ),
                (
                    "contract",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="sales.contract",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
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
                    "deal",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="customers.deal",
                    ),
                ),
                (
                    "done_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "followup",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="customers.followup",
                    ),
                ),
                (
                    "origin_followup",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="customers.followup",
                    ),
                ),
                (
                    "previous",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="service.revisitplan",
                    ),
                ),
                (
                    "stage_event",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="service.projectstageevent",
                    ),
                ),
            ],
            options={
                "verbose_name": "revisit plan",
                "verbose_name_plural": "revisit plans",
                "ordering": ["due_on", "pk"],
            },
        ),
        migrations.AddIndex(
            model_name="revisitplan",
            index=models.Index(
                condition=models.Q(("done_at__isnull", True)),
                fields=["customer", "due_on"],
                name="service_revisit_open",
            ),
        ),
        migrations.AddConstraint(
            model_name="revisitplan",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("kind__in", ["realtime", "first_inquiry_retry"]), _negated=True
                ),
                fields=("customer", "kind", "due_on"),
                name="service_revisit_one_per_day",
            ),
        ),
        migrations.AddConstraint(
            model_name="revisitplan",
            constraint=models.UniqueConstraint(
                condition=models.Q(("previous__isnull", False)),
                fields=("previous",),
                name="service_revisit_one_next_attempt",
            ),
        ),
    ]
