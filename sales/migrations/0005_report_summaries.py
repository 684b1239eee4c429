# Placeholder (issue 19): filled in by the work that owns it; an empty migration is harmless.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sales", "0004_perf_owed_and_credit_indexes")]

    operations = []
