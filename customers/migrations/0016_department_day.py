# Placeholder (issue 19): filled in by the work that owns it; an empty migration is harmless.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("customers", "0015_search_bigrams")]

    operations = []
