# Issue 19: the dashboards' department table (crm.selectors.departments_with_headcount) counts
# each department's active people with a subquery per department. Through the department index
# it read every staff row's page (the GM's 220 departments: 10,000 pages, 11-14 ms on every
# dashboard of the GM); with the status and the id in the index it is an index-only count
# (about 1 ms). crm_staff is a small table written when people join, move or leave. Kept here
# with the other reads of the company overview (raw SQL, valid on SQLite and PostgreSQL; not
# part of the staff model's state).
from django.db import migrations

INDEX = "staff_dept_status_idx"


class Migration(migrations.Migration):
    dependencies = [("penalties", "0009_proposed_covering")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {INDEX} ON crm_staff (department_id, status, id)",
            f"DROP INDEX {INDEX}",
        ),
    ]
