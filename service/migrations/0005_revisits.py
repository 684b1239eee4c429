from django.db import migrations


class Migration(migrations.Migration):
    """The revisits area's models (filled by that area; empty until then)."""

    dependencies = [("service", "0004_surveys")]
    operations = []
