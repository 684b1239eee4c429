# Issue 19 round 3: a department's page at a million customers.
#
# The page's quota table (penalties.stats.quota_status → penalties.services.scans
# .quota_shortfall, also the managers' dashboard) reads every graded, valid customer of the
# department's salespeople: through the holder index that visited one heap page per customer
# (4,100 pages for a 50-person store: 6-11 ms). With the grade and the id beside the holder,
# and only valid customers in it (an invalid customer owes no follow-ups, 004), it is an
# index-only scan (1 ms). Held customers only: the pools' rows (holder NULL) never enter it.
# Kept here beside allocation's other reads of the customer table (raw SQL, valid on SQLite
# and PostgreSQL; not part of the customer model's state).
from django.db import migrations

INDEX = "customer_quota_idx"


class Migration(migrations.Migration):
    dependencies = [("allocation", "0009_page_reads")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {INDEX} ON customers_customer (holder_id, intent_grade, id) "
            "WHERE holder_id IS NOT NULL AND NOT is_invalid",
            f"DROP INDEX {INDEX}",
        ),
    ]
