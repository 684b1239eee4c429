# Issue 19: the reads of the dashboards (工作台) at a million customers.
#
# customer_dept_holder_idx: the managers' panel and a department's page count each department's
# customers held and pooled (penalties.stats.customer_counts). Through the department index the
# count visited one heap page per customer (4,500 pages for a store: 6-29 ms); with the holder
# and the id in the index it is an index-only scan (0.9 ms). The reclaim sweep's UPDATE of the
# holder is not HOT already (the holder is indexed), so this adds one index entry per row it
# rewrites, as every index of the table does.
#
# deal_author_month_idx, inquiry_author_month_idx: the activity summary's live part
# (customers.summary) counts a department's deals and inquiry calls of the month by author.
# A month the summary has not built yet (the first days of a month) is counted live from the
# start: through the author index alone that read every deal of the department's people and
# filtered the month (4,000 pages, 8-14 ms); with the date it reads the month's rows only.
# Both tables are append-only.
#
# Plain SQL valid on SQLite and PostgreSQL; not part of the models' state.
from django.db import migrations

INDEXES = {
    "customer_dept_holder_idx": "customers_customer (department_id, holder_id, id)",
    "deal_author_month_idx": "customers_deal (author_id, occurred_at)",
    "inquiry_author_month_idx": "customers_inquirycall (author_id, occurred_at)",
}


class Migration(migrations.Migration):
    dependencies = [("customers", "0019_search_grams_table")]

    operations = [
        migrations.RunSQL(f"CREATE INDEX {name} ON {target}", f"DROP INDEX {name}")
        for name, target in INDEXES.items()
    ]
