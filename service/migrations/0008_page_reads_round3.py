# Issue 19 round 3: the yearly-evaluation list (年度评价) at a million customers.
#
# The list's pager counts a viewer's due customers: every held customer in scope is checked
# for a purchase record or signed contract credited that year (service.selectors.yearly
# .had_sales). Through credit_customer_idx each check read the credit rows from the heap to
# test their kind (4,300 checks, 17,000 pages for a 50-person store: 45 ms). This partial
# index holds only the two kinds that make a customer due, so each check is an index-only
# probe (the count 3-4 times faster). Service is its only reader; kept here (raw SQL, valid on
# SQLite and PostgreSQL; not part of the sales model's state). Returns and transfers (the
# other kinds) add nothing to it.
from django.db import migrations

INDEX = "service_credit_sale_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("service", "0007_page_reads"),
        ("sales", "0004_perf_owed_and_credit_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {INDEX} ON sales_salescredit (customer_id, on_date) "
            "WHERE kind IN ('deal', 'contract')",
            f"DROP INDEX {INDEX}",
        ),
    ]
