import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """The competitors area's models: the catalogue and who else is bidding (SPEC §11)."""

    dependencies = [
        ("service", "0005_revisits"),
        ("customers", "0013_alter_customer_acquired_via_and_more"),
        ("sales", "0004_perf_owed_and_credit_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Competitor",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="competitor")),
                (
                    "products",
                    models.TextField(blank=True, max_length=2000, verbose_name="products"),
                ),
                ("prices", models.TextField(blank=True, max_length=2000, verbose_name="prices")),
                (
                    "features",
                    models.TextField(blank=True, max_length=2000, verbose_name="features"),
                ),
                (
                    "strengths",
                    models.TextField(blank=True, max_length=2000, verbose_name="strengths"),
                ),
                (
                    "weaknesses",
                    models.TextField(blank=True, max_length=2000, verbose_name="weaknesses"),
                ),
                (
                    "strategy",
                    models.TextField(blank=True, max_length=2000, verbose_name="strategy"),
                ),
                ("updated_at", models.DateTimeField(verbose_name="updated at")),
                (
                    "updated_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="updated by",
                    ),
                ),
            ],
            options={
                "verbose_name": "competitor",
                "verbose_name_plural": "competitors",
            },
        ),
        migrations.CreateModel(
            name="HistoricalCompetitor",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(db_index=True, max_length=100, verbose_name="competitor"),
                ),
                (
                    "products",
                    models.TextField(blank=True, max_length=2000, verbose_name="products"),
                ),
                ("prices", models.TextField(blank=True, max_length=2000, verbose_name="prices")),
                (
                    "features",
                    models.TextField(blank=True, max_length=2000, verbose_name="features"),
                ),
                (
                    "strengths",
                    models.TextField(blank=True, max_length=2000, verbose_name="strengths"),
                ),
                (
                    "weaknesses",
                    models.TextField(blank=True, max_length=2000, verbose_name="weaknesses"),
                ),
                (
                    "strategy",
                    models.TextField(blank=True, max_length=2000, verbose_name="strategy"),
                ),
                ("updated_at", models.DateTimeField(verbose_name="updated at")),
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
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="updated by",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical competitor",
                "verbose_name_plural": "historical competitors",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalCompetitorLink",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=300, verbose_name="note")),
                ("added_at", models.DateTimeField(verbose_name="added at")),
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
                    "added_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="added by",
                    ),
                ),
                (
                    "competitor",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="service.competitor",
                        verbose_name="competitor",
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
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "opportunity",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="sales.opportunity",
                        verbose_name="opportunity",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical competitor link",
                "verbose_name_plural": "historical competitor links",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="CompetitorLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=300, verbose_name="note")),
                ("added_at", models.DateTimeField(verbose_name="added at")),
                (
                    "added_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="added by",
                    ),
                ),
                (
                    "competitor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="links",
                        to="service.competitor",
                        verbose_name="competitor",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="competitor_links",
                        to="customers.customer",
                        verbose_name="customer",
                    ),
                ),
                (
                    "opportunity",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="competitor_links",
                        to="sales.opportunity",
                        verbose_name="opportunity",
                    ),
                ),
            ],
            options={
                "verbose_name": "competitor link",
                "verbose_name_plural": "competitor links",
                "indexes": [
                    models.Index(fields=["customer", "-id"], name="competitor_link_customer_idx"),
                    models.Index(fields=["opportunity"], name="competitor_link_opp_idx"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("opportunity__isnull", True)),
                        fields=("competitor", "customer"),
                        name="competitor_link_once_per_customer",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("opportunity__isnull", False)),
                        fields=("competitor", "customer", "opportunity"),
                        name="competitor_link_once_per_opportunity",
                    ),
                ],
            },
        ),
    ]
