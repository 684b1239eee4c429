"""Trigram indexes for fragment search on PostgreSQL (name, short name, phone keys).

`icontains` compiles to UPPER(col::text) LIKE UPPER(%s) on PostgreSQL, so the name indexes are
on that expression. Other databases get nothing: SQLite scans (the embedded demo is small). A
server where the pg_trgm extension cannot be created keeps working without the indexes.
"""

import logging

from django.db import DatabaseError, migrations, transaction

log = logging.getLogger(__name__)

INDEXES = [
    "CREATE INDEX IF NOT EXISTS customer_name_trgm ON customers_customer "
    "USING gin ((UPPER(name::text)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS customer_short_name_trgm ON customers_customer "
    "USING gin ((UPPER(short_name::text)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS customerkey_value_trgm ON customers_customerkey "
    "USING gin (value gin_trgm_ops)",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        try:
            with transaction.atomic():
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError:
            log.warning("pg_trgm unavailable: fragment search will scan instead of using indexes")
            return
        for statement in INDEXES:
            cursor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in ("customer_name_trgm", "customer_short_name_trgm", "customerkey_value_trgm"):
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_importjob")]
    operations = [migrations.RunPython(forwards, backwards)]
