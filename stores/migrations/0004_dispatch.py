"""Placeholder of the dispatch area: its schema changes go here, so the areas' migrations never
collide (each area owns one link of the chain)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("stores", "0003_visitors")]
    operations = []
