"""Report summaries (issue 19): see sales/models/summaries.py. Built by `manage.py sales_summaries`."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sales', '0004_perf_owed_and_credit_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SummaryState',
            fields=[
                ('name', models.CharField(max_length=30, primary_key=True, serialize=False, verbose_name='summary')),
                ('last_id', models.BigIntegerField(default=0, verbose_name='highest source id included')),
                ('as_of', models.DateField(blank=True, null=True, verbose_name='as of')),
                ('built_at', models.DateTimeField(verbose_name='built at')),
            ],
            options={
                'verbose_name': 'report summary state',
                'verbose_name_plural': 'report summary states',
            },
        ),
        migrations.CreateModel(
            name='ReceivableGroup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=1)),
                ('key', models.IntegerField()),
                ('not_due', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('days_1_30', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('days_31_90', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('days_over_90', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('overdue', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('total', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('overdue_count', models.IntegerField(default=0)),
                ('customers', models.IntegerField(default=0)),
            ],
            options={
                'verbose_name': 'receivables per group',
                'verbose_name_plural': 'receivables per group',
                'constraints': [models.UniqueConstraint(fields=('kind', 'key'), name='recv_group_unique')],
            },
        ),
        migrations.CreateModel(
            name='ReceivableSnapshot',
            fields=[
                ('customer', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='+', serialize=False, to='customers.customer')),
                ('holder_id', models.IntegerField(null=True)),
                ('department_id', models.IntegerField(null=True)),
                ('not_due', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('days_1_30', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('days_31_90', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('days_over_90', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('overdue', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('total', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('overdue_count', models.IntegerField(default=0)),
            ],
            options={
                'verbose_name': 'receivables snapshot',
                'verbose_name_plural': 'receivables snapshot',
                'indexes': [models.Index(models.OrderBy(models.F('overdue'), descending=True), models.OrderBy(models.F('total'), descending=True), models.F('customer'), name='recv_snapshot_order_idx')],
            },
        ),
        migrations.CreateModel(
            name='CreditPeriod',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('grain', models.CharField(choices=[('m', 'Month'), ('y', 'Year')], max_length=1)),
                ('start', models.DateField()),
                ('amount', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('sales_amount', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('department', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='crm.department')),
                ('user', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'sales credit per period',
                'verbose_name_plural': 'sales credit per period',
                'indexes': [models.Index(fields=['grain', 'start'], include=('user', 'department', 'amount', 'sales_amount'), name='creditperiod_start_idx')],
            },
        ),
    ]
