"""The four rules of SPEC §6 with their default numbers (administrators change them later)."""

from django.db import migrations


def create(apps, schema_editor):
    from allocation.defaults import ensure_policies

    ensure_policies(apps.get_model("allocation", "ReclaimPolicy"))


class Migration(migrations.Migration):
    dependencies = [("allocation", "0002_reclaim")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
