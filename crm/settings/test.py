"""Settings for the test suite. DATABASE_URL still selects PostgreSQL when set (CI runs both)."""

import tempfile
from datetime import timedelta

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
# Uploaded files (visit photos) go to a fresh directory per run, never into var/media.
MEDIA_ROOT = tempfile.mkdtemp(prefix="crm-test-media-")

# Threads of the live-server and race tests must not keep sessions open past a test.
DATABASES["default"]["CONN_MAX_AGE"] = 0

# Tests build different data under the same month: no cached trends between them.
DASHBOARD_TREND_CACHE_SECONDS = 0
DASHBOARD_RATES_CACHE_SECONDS = 0
DASHBOARD_COUNTS_CACHE_SECONDS = 0
# The yearly table caches the company totals by the newest credit row id; SQLite reuses ids
# after a rolled-back test, so a cached total could outlive its rows.
SALES_YEARLY_CACHE_SECONDS = 0

# Login defence stays on in tests (tests/crm/test_logins.py proves it), with the numbers pinned
# so a developer's LOGIN_* environment cannot change the outcome. The suite's own log-ins do not
# trip it: force_login bypasses authentication, and axes counts failures in the database, which
# every test starts empty (the browser journeys' one wrong password is far below the limit).
# Client.login() cannot be used: axes needs the request (use force_login).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
LOGIN_TRUSTED_PROXIES = 0
