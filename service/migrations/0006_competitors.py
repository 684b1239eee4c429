from django.db import migrations


class Migration(migrations.Migration):
    """The competitors area's models (filled by that area; empty until then)."""

    dependencies = [("service", "0005_revisits")]
    operations = []
