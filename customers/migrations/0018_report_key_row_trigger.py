"""Issue 19: the duplicates report's customer-update trigger fires per row and only when a key
column is written (`customers.quality.keys`), so the reclaim sweep's UPDATEs fire nothing; a
TRUNCATE of the customers empties the keys too."""

from django.db import migrations

from customers.quality import keys


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in keys.install_statements(schema_editor.connection):
            if "customers_report_customer_upd" in statement or (
                "customers_report_customer_updated" in statement
            ):
                cursor.execute(statement)
        for statement in keys.TRUNCATE_STATEMENTS:
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("customers", "0017_incomplete_summary_index")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
