from django.db import migrations


class Migration(migrations.Migration):
    """The yearly area's models (filled by that area; empty until then)."""

    dependencies = [("service", "0002_complaints")]
    operations = []
