# Placeholder (issue 19): filled in by the work that owns it; an empty migration is harmless.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("allocation", "0007_rules_cannot_be_gamed")]

    operations = []
