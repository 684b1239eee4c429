# Issue 19: the reads of allocation's pages at a million customers.
#
# The notice board adds no index: its newest-200 read walks the existing notice_ends_idx (see
# allocation.selectors.notices.newest_notices), so the reclaim sweep writes nothing more.
#
# The protection queue (保护期满: held customers with no follow-up by the holder since they got
# them, SPEC §5) is counted on every manager's and the GM's dashboard; no index of the
# customer table could serve it, so each dashboard read all 1,000,000 customers (0.09-0.17 s).
# A partial index of exactly those customers: it holds only customers a holder has not
# followed up yet (a few per salesperson), the reclaim sweep's rows (holder set to NULL) never
# enter it, and a follow-up takes its customer out. Allocation is its only reader, so it is
# kept here (raw SQL, valid on SQLite and PostgreSQL; not part of the customer model's state).
from django.db import migrations

INDEX = "allocation_protection_queue_idx"


class Migration(migrations.Migration):
    dependencies = [("allocation", "0007_rules_cannot_be_gamed")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {INDEX} ON customers_customer (holder_since) "
            "WHERE holder_id IS NOT NULL "
            "AND (last_followup_at IS NULL OR last_followup_at < holder_since)",
            f"DROP INDEX {INDEX}",
        ),
    ]
