"""Settings for the test suite. DATABASE_URL still selects PostgreSQL when set (CI runs both)."""

import tempfile

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "zh-hans"
# A fresh file cache per run: shared with live-server threads (constance refuses local-memory
# caches), and nothing cached survives into the next run.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": tempfile.mkdtemp(prefix="crm-test-cache-"),
    }
}
# Threads of the live-server and race tests must not keep sessions open past a test.
DATABASES["default"]["CONN_MAX_AGE"] = 0

# Tests build different data under the same month: no cached trends between them.
DASHBOARD_TREND_CACHE_SECONDS = 0
