from django.db import migrations


class Migration(migrations.Migration):
    """The complaints area's models (filled by that area; empty until then)."""

    dependencies = [("service", "0001_initial")]
    operations = []
