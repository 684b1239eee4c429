import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

# English message ids (ComplaintCategory.label translates them): 设计问题, 工程进度,
# 内部员工服务态度, 工程材料质量, 其他.
CATEGORIES = [
    "Design problem",
    "Construction progress",
    "Staff service attitude",
    "Material quality",
    "Other",
]


def seed_categories(apps, schema_editor):
    """The handbook's five kinds of complaint (004 客户投诉处理流程); the GM edits them."""
    category = apps.get_model("service", "ComplaintCategory")
    for position, name in enumerate(CATEGORIES, start=1):
        category.objects.get_or_create(name=name, defaults={"position": position * 10})


class Migration(migrations.Migration):
    """The complaints area's models (SPEC §11 投诉) and the seeded categories."""

    dependencies = [
        ("service", "0001_initial"),
        ("crm", "0003_login_log_and_account_changes"),
        ("customers", "0013_alter_customer_acquired_via_and_more"),
        ("penalties", "0006_no_opportunity_action"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ComplaintCategory",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=50, unique=True, verbose_name="name")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                ("is_active", models.BooleanField(default=True, verbose_name="in use")),
            ],
            options={
                "verbose_name": "complaint category",
                "verbose_name_plural": "complaint categories",
                "ordering": ["position", "pk"],
            },
        ),
        migrations.CreateModel(
            name="Complaint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("complainant", models.CharField(max_length=100, verbose_name="complainant")),
                (
                    "complainant_phone",
                    models.CharField(blank=True, max_length=30, verbose_name="complainant's phone"),
                ),
                ("content", models.TextField(verbose_name="content")),
                (
                    "step",
                    models.CharField(
                        choices=[
                            ("received", "Received"),
                            ("investigating", "Investigating"),
                            ("handling", "Handling"),
                            ("confirmed", "Satisfaction confirmed"),
                            ("archived", "Archived"),
                        ],
                        default="received",
                        max_length=15,
                        verbose_name="step",
                    ),
                ),
                ("taken_at", models.DateTimeField(verbose_name="taken at")),
                ("response_due", models.DateTimeField(verbose_name="first response due")),
                (
                    "reminded_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="reminded at"),
                ),
                (
                    "escalated_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="escalated at"),
                ),
                (
                    "investigated_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="investigation started at"
                    ),
                ),
                ("findings", models.TextField(blank=True, verbose_name="findings")),
                (
                    "handled_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="handled at"),
                ),
                ("resolution", models.TextField(blank=True, verbose_name="resolution")),
                (
                    "confirmed_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="satisfaction confirmed at"
                    ),
                ),
                (
                    "archived_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="archived at"),
                ),
                ("breach_on", models.DateField(blank=True, null=True, verbose_name="breach date")),
                (
                    "verified_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="verified at"),
                ),
                (
                    "archived_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="archived by",
                    ),
                ),
                (
                    "breach_person",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="person who contacted the customer",
                    ),
                ),
                (
                    "confirmed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="satisfaction confirmed by",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="complaints",
                        to="customers.customer",
                        verbose_name="customer",
                    ),
                ),
                (
                    "department",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="crm.department",
                        verbose_name="responsible department",
                    ),
                ),
                (
                    "handled_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="handled by",
                    ),
                ),
                (
                    "investigated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="investigation started by",
                    ),
                ),
                (
                    "ledger_entry",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="complaint",
                        to="penalties.ledgerentry",
                        verbose_name="ledger entry",
                    ),
                ),
                (
                    "responsible",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="complaints_responsible",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="responsible person",
                    ),
                ),
                (
                    "taken_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="taken by",
                    ),
                ),
                (
                    "verified_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="verified by",
                    ),
                ),
                (
                    "category",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="service.complaintcategory",
                        verbose_name="category",
                    ),
                ),
            ],
            options={
                "verbose_name": "complaint",
                "verbose_name_plural": "complaints",
            },
        ),
        migrations.CreateModel(
            name="ComplaintEvent",
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
                            ("taken", "Complaint received"),
                            ("investigating", "Investigation started"),
                            ("verified", "Verified: contacted another's registered customer"),
                            ("handling", "Handling recorded"),
                            ("not_satisfied", "Customer not satisfied"),
                            ("confirmed", "Customer satisfied"),
                            ("archived", "Archived"),
                            ("reminded", "Reminder sent"),
                            ("escalated", "Escalated to the manager"),
                        ],
                        max_length=15,
                        verbose_name="event",
                    ),
                ),
                ("at", models.DateTimeField(verbose_name="at")),
                ("note", models.TextField(blank=True, verbose_name="note")),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="by",
                    ),
                ),
                (
                    "complaint",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="service.complaint",
                        verbose_name="complaint",
                    ),
                ),
            ],
            options={
                "verbose_name": "complaint event",
                "verbose_name_plural": "complaint events",
                "ordering": ["at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalComplaint",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("complainant", models.CharField(max_length=100, verbose_name="complainant")),
                (
                    "complainant_phone",
                    models.CharField(blank=True, max_length=30, verbose_name="complainant's phone"),
                ),
                ("content", models.TextField(verbose_name="content")),
                (
                    "step",
                    models.CharField(
                        choices=[
                            ("received", "Received"),
                            ("investigating", "Investigating"),
                            ("handling", "Handling"),
                            ("confirmed", "Satisfaction confirmed"),
                            ("archived", "Archived"),
                        ],
                        default="received",
                        max_length=15,
                        verbose_name="step",
                    ),
                ),
                ("taken_at", models.DateTimeField(verbose_name="taken at")),
                ("response_due", models.DateTimeField(verbose_name="first response due")),
                (
                    "reminded_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="reminded at"),
                ),
                (
                    "escalated_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="escalated at"),
                ),
                (
                    "investigated_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="investigation started at"
                    ),
                ),
                ("findings", models.TextField(blank=True, verbose_name="findings")),
                (
                    "handled_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="handled at"),
                ),
                ("resolution", models.TextField(blank=True, verbose_name="resolution")),
                (
                    "confirmed_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="satisfaction confirmed at"
                    ),
                ),
                (
                    "archived_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="archived at"),
                ),
                ("breach_on", models.DateField(blank=True, null=True, verbose_name="breach date")),
                (
                    "verified_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="verified at"),
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
                    "archived_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="archived by",
                    ),
                ),
                (
                    "breach_person",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="person who contacted the customer",
                    ),
                ),
                (
                    "category",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="service.complaintcategory",
                        verbose_name="category",
                    ),
                ),
                (
                    "confirmed_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="satisfaction confirmed by",
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
                        verbose_name="responsible department",
                    ),
                ),
                (
                    "handled_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="handled by",
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
                    "investigated_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="investigation started by",
                    ),
                ),
                (
                    "ledger_entry",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="penalties.ledgerentry",
                        verbose_name="ledger entry",
                    ),
                ),
                (
                    "responsible",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="responsible person",
                    ),
                ),
                (
                    "taken_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="taken by",
                    ),
                ),
                (
                    "verified_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="verified by",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical complaint",
                "verbose_name_plural": "historical complaints",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["department", "-id"], name="complaint_dept_idx"),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["taken_at"], name="complaint_taken_idx"),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(("step", "received")),
                fields=["response_due"],
                name="complaint_waiting_idx",
            ),
        ),
        migrations.RunPython(seed_categories, migrations.RunPython.noop),
    ]
