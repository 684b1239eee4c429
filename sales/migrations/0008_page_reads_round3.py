"""The funnel summary (FunnelFigure, FunnelCustomer) and the receivables snapshot's
per-department index, and the opportunities' covering index by customer (issue 19
round 3)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sales', '0007_uncredited_contracts_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='FunnelCustomer',
            fields=[
                ('customer', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='+', serialize=False, to='customers.customer')),
                ('holder_id', models.IntegerField(default=0)),
                ('department_id', models.IntegerField(default=0)),
            ],
            options={
                'verbose_name': 'sales funnel customer group',
                'verbose_name_plural': 'sales funnel customer groups',
            },
        ),
        migrations.CreateModel(
            name='FunnelFigure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('by_holder', models.BooleanField()),
                ('stage', models.CharField(max_length=20)),
                ('month', models.DateField()),
                ('holder_id', models.IntegerField(default=0)),
                ('department_id', models.IntegerField(default=0)),
                ('count', models.IntegerField(default=0)),
                ('amount', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
            ],
            options={
                'verbose_name': 'sales funnel figure',
                'verbose_name_plural': 'sales funnel figures',
                'indexes': [models.Index(condition=models.Q(('by_holder', False)), fields=['month'], include=('stage', 'department_id', 'count', 'amount'), name='funnelfigure_month_idx'), models.Index(condition=models.Q(('by_holder', True)), fields=['department_id', 'month'], include=('stage', 'holder_id', 'count', 'amount'), name='funnelfigure_department_idx'), models.Index(condition=models.Q(('by_holder', True)), fields=['holder_id', 'month'], include=('stage', 'department_id', 'count', 'amount'), name='funnelfigure_holder_idx')],
            },
        ),
        migrations.AddIndex(
            model_name='receivablesnapshot',
            index=models.Index(fields=['department_id'], include=('holder_id', 'customer', 'not_due', 'days_1_30', 'days_31_90', 'days_over_90', 'overdue', 'total', 'overdue_count'), name='recv_snapshot_department_idx'),
        ),
        migrations.AddIndex(
            model_name='opportunity',
            index=models.Index(fields=['customer'], include=('created_at', 'closed_at', 'id'), name='opportunity_customer_cover_idx'),
        ),
    ]
