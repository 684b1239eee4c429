"""The database refuses to change a decided ledger entry or to write into a closed month
(SPEC §7: confirmed entries are never edited or deleted). The service checks first and gives
the user a message; these triggers stop anything that goes around it (a shell, a raw UPDATE,
a `QuerySet.update()`).

PostgreSQL also refuses DELETE of a decided entry. SQLite (the embedded demo database) guards
UPDATE and INSERT only: Django's flush empties SQLite tables with DELETE (PostgreSQL uses
TRUNCATE, which row triggers do not see), and the tests flush between browser journeys."""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION penalties_ledger_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status <> 'proposed' THEN
    RAISE EXCEPTION 'ledger entry % is final (%): write a reversing entry', OLD.id, OLD.status
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  IF EXISTS (SELECT 1 FROM penalties_closedmonth WHERE month = NEW.month)
     OR (TG_OP = 'UPDATE' AND EXISTS (SELECT 1 FROM penalties_closedmonth WHERE month = OLD.month))
  THEN
    RAISE EXCEPTION 'month % is closed', NEW.month
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER penalties_ledger_guard
  BEFORE INSERT OR UPDATE OR DELETE ON penalties_ledgerentry
  FOR EACH ROW EXECUTE FUNCTION penalties_ledger_guard();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS penalties_ledger_guard ON penalties_ledgerentry;
DROP FUNCTION IF EXISTS penalties_ledger_guard();
"""

SQLITE_UP = [
    """CREATE TRIGGER penalties_ledger_final BEFORE UPDATE ON penalties_ledgerentry
       WHEN OLD.status <> 'proposed'
       BEGIN SELECT RAISE(ABORT, 'ledger entry is final: write a reversing entry'); END""",
    """CREATE TRIGGER penalties_ledger_closed_update BEFORE UPDATE ON penalties_ledgerentry
       WHEN EXISTS (SELECT 1 FROM penalties_closedmonth WHERE month IN (NEW.month, OLD.month))
       BEGIN SELECT RAISE(ABORT, 'month is closed'); END""",
    """CREATE TRIGGER penalties_ledger_closed_insert BEFORE INSERT ON penalties_ledgerentry
       WHEN EXISTS (SELECT 1 FROM penalties_closedmonth WHERE month = NEW.month)
       BEGIN SELECT RAISE(ABORT, 'month is closed'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS penalties_ledger_final",
    "DROP TRIGGER IF EXISTS penalties_ledger_closed_update",
    "DROP TRIGGER IF EXISTS penalties_ledger_closed_insert",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        for sql in [statements] if isinstance(statements, str) else statements:
            schema_editor.execute(sql, params=None)

    return run


def ensure_rules(apps, schema_editor):
    from penalties.defaults import ensure_rules as ensure

    ensure(apps.get_model("penalties", "PenaltyRule"))


class Migration(migrations.Migration):
    dependencies = [("penalties", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_UP, "sqlite": SQLITE_UP}),
            _run({"postgresql": PG_DOWN, "sqlite": SQLITE_DOWN}),
        ),
        migrations.RunPython(ensure_rules, migrations.RunPython.noop),
    ]
