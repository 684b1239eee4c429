"""The Celery application. Tasks are thin: each calls one service with the clock it reads."""

import os

from celery import Celery

# Like crm/wsgi.py: a bare worker is a production worker; `./dev start` names local settings.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.production")

app = Celery("crm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
