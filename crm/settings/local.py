"""Developer and demo settings: the embedded default (SQLite, filesystem broker)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
