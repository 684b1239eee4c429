"""Short searches and the duplicates report's stored keys (issue 19), PostgreSQL only.

The report's keys: tables, functions, triggers and their backfill are those of
`customers.quality.keys` (read there why); about ten seconds for a million customers.

Short searches: one or two characters.

pg_trgm makes no trigram from one or two characters, so `UPPER(name) LIKE '%王伟%'` could not
use the trigram indexes of 0003 and filtered every customer. This adds an expression GIN index
on `customers_search_grams(name, short_name)`: every single character and every overlapping
pair of characters of UPPER(name) and UPPER(short_name). A name or short name contains a one- or
two-character text exactly when the text is one of those grams, so `grams @> ARRAY[UPPER(q)]`
answers the search from the index (`customers.forms.CustomerFilter.search`).

An expression index, not a stored column: the database computes it on every INSERT and
UPDATE, whoever writes (the services, `bulk_create`, COPY, a queryset `update`), and building it
is the whole backfill (about a minute for a million customers). Other databases get nothing:
SQLite keeps the plain scan.
"""

from django.db import migrations

from customers.quality import keys

# plpgsql, not a SQL query over GENERATE_SERIES: 3 µs a name against 11 (measured over 100,000
# names). Duplicate grams are left in: GIN keeps each key once. COST: a filter the planner
# should not run over the whole table when the index can answer (see customers/search.py).
FUNCTION = """
CREATE OR REPLACE FUNCTION customers_search_grams(name text, short_name text)
RETURNS text[] LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 10000 AS $$
DECLARE
  a text := UPPER(name);
  b text := UPPER(short_name);
  grams text[] := STRING_TO_ARRAY(a || b, NULL);
BEGIN
  FOR i IN 1 .. LENGTH(a) - 1 LOOP grams := grams || SUBSTR(a, i, 2); END LOOP;
  FOR i IN 1 .. LENGTH(b) - 1 LOOP grams := grams || SUBSTR(b, i, 2); END LOOP;
  RETURN grams;
END
$$
"""
INDEX = (
    "CREATE INDEX IF NOT EXISTS customer_search_grams ON customers_customer "
    "USING gin (customers_search_grams(name::text, short_name::text))"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(FUNCTION)
        cursor.execute(INDEX)
        # The planner needs the grams' statistics (most common elements) to tell a search
        # matching almost everything (有限: read the list in order instead) from a rare one.
        cursor.execute("ANALYZE customers_customer")
        for statement in keys.install_statements(schema_editor.connection):
            cursor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in keys.uninstall_statements():
            cursor.execute(statement)
        cursor.execute("DROP INDEX IF EXISTS customer_search_grams")
        cursor.execute("DROP FUNCTION IF EXISTS customers_search_grams(text, text)")


class Migration(migrations.Migration):
    dependencies = [("customers", "0014_credit_evaluation")]

    operations = [migrations.RunPython(forwards, backwards)]
