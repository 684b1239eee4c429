"""Issue 19: the short search's grams move from an expression index on the customer table to a
narrow side table kept by triggers (`customers.search`).

The expression GIN index computed the grams of every customer row the reclaim sweep rewrote
(its UPDATE of holder and pool is not HOT: the holder is indexed) and added some twenty GIN
entries per row, though no name changed; the sweep's ORM-loop ratio fell below its bar. The
side table is written only when a customer is inserted, renamed or deleted."""

from django.db import migrations

from customers import search


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for statement in search.install_statements():
            cursor.execute(statement)
        cursor.execute("DROP INDEX IF EXISTS customer_search_grams")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in search.uninstall_statements():
            cursor.execute(statement)
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS customer_search_grams ON customers_customer "
            "USING gin (customers_search_grams(name::text, short_name::text))"
        )


class Migration(migrations.Migration):
    dependencies = [("customers", "0018_report_key_row_trigger")]

    operations = [migrations.RunPython(forwards, backwards)]
