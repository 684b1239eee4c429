# Issue 19: the pool page at a million customers.
#
# The pool page counts its pool for the pager (a COUNT capped at 10,001 rows, crm.paging). The
# company pool holds some 50,000 customers: neither the holder index nor customer_dept_pool_idx
# answers "unheld, in the company pool, valid" alone, so PostgreSQL built and ANDed two bitmaps
# of 150,000 and 50,000 rows and read the heap for `is_invalid` (70-120 ms per page view). A
# partial index of exactly the pooled customers (holder_id IS NULL: some 15% of the table; a
# customer leaves it when somebody gets it) with the pool, the department and the validity as
# keys answers that count, and a department pool's, from the index alone (2 ms). Allocation is
# its only reader, so it is kept here like allocation_protection_queue_idx (raw SQL, valid on
# SQLite and PostgreSQL; not part of the customer model's state).
from django.db import migrations

INDEX = "allocation_pool_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("allocation", "0008_notice_reads"),
        ("customers", "0010_rules_cannot_be_gamed"),  # adds customers_customer.is_invalid
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {INDEX} ON customers_customer (pool, department_id, is_invalid, id) "
            "WHERE holder_id IS NULL",
            f"DROP INDEX {INDEX}",
        ),
    ]
