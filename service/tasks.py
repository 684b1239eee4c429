"""Celery's autodiscovery reads `<app>.tasks`: the areas' task modules, imported here."""

from .tasks_complaints import *  # noqa: F403
from .tasks_yearly import *  # noqa: F403
