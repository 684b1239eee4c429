"""Placeholder for the notification_channels area's schema (issue 18): each area owns one link of the chain."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("crm", "0005_backups")]
    operations = []
