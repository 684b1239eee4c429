"""Sales by month summary (MonthFigure, MonthCustomer) and the list pages' read indexes (issue 19)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0014_credit_evaluation'),
        ('sales', '0005_report_summaries'),
    ]

    operations = [
        migrations.CreateModel(
            name='MonthCustomer',
            fields=[
                ('customer', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='+', serialize=False, to='customers.customer')),
                ('holder_id', models.IntegerField(default=0)),
                ('department_id', models.IntegerField(default=0)),
            ],
            options={
                'verbose_name': 'sales by month customer group',
                'verbose_name_plural': 'sales by month customer groups',
            },
        ),
        migrations.CreateModel(
            name='MonthFigure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=1)),
                ('by_holder', models.BooleanField()),
                ('day', models.DateField()),
                ('holder_id', models.IntegerField(default=0)),
                ('department_id', models.IntegerField(default=0)),
                ('amount', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
            ],
            options={
                'verbose_name': 'sales by month figure',
                'verbose_name_plural': 'sales by month figures',
                'indexes': [models.Index(fields=['by_holder', 'kind', 'day'], include=('department_id', 'amount'), name='monthfigure_day_idx'), models.Index(condition=models.Q(('by_holder', True)), fields=['holder_id', 'kind', 'day'], include=('department_id', 'amount'), name='monthfigure_holder_idx')],
            },
        ),
        migrations.AddIndex(
            model_name='opportunity',
            index=models.Index(fields=['created_at', 'id'], name='opportunity_created_idx'),
        ),
        migrations.AddIndex(
            model_name='opportunity',
            index=models.Index(fields=['expected_close', 'id'], name='opportunity_close_idx'),
        ),
        migrations.AddIndex(
            model_name='opportunity',
            index=models.Index(fields=['expected_amount', 'id'], name='opportunity_amount_idx'),
        ),
        migrations.AlterField(
            model_name='creditperiod',
            name='grain',
            field=models.CharField(choices=[('m', 'Month'), ('y', 'Year'), ('M', 'Month, per department'), ('Y', 'Year, per department')], max_length=1),
        ),
    ]
