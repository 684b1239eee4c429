from django.db import migrations


class Migration(migrations.Migration):
    """The app's first migration; each area's models come in their own migration after it."""

    initial = True
    dependencies = []
    operations = []
