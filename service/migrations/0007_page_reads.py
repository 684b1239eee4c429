# Issue 19: the reads of service's pages at a million customers.
#
# The yearly-evaluation list (年度评价) pages the due customers sorted by name (the default
# sort) or by holder; the customer table had no b-tree on its name, so a company-wide viewer's
# page sorted all held customers (850,000 rows, about 1 s) to show 20. With (name, id) the
# page walks the index and checks each customer's sales of the year until it has its rows
# (0.1 ms). Service is the only reader sorting customers by name, so it is kept here (raw SQL,
# valid on SQLite and PostgreSQL; not part of the customer model's state), as allocation's
# 0008_notice_reads does for its queue. Partial, held customers only (the list's own filter):
# the reclaim sweep's rows leave it and add no entry, so the sweep pays nothing for it.
from django.db import migrations

INDEX = "service_customer_name_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("service", "0006_competitors"),
        ("customers", "0013_alter_customer_acquired_via_and_more"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {INDEX} ON customers_customer (name, id) WHERE holder_id IS NOT NULL",
            f"DROP INDEX {INDEX}",
        ),
    ]
