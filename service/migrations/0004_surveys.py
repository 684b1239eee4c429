from django.db import migrations


class Migration(migrations.Migration):
    """The surveys area's models (filled by that area; empty until then)."""

    dependencies = [("service", "0003_yearly")]
    operations = []
