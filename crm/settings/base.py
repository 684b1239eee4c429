"""Settings shared by every environment.

The environment is read with django-environ: `DATABASE_URL` selects PostgreSQL (absent: a SQLite
file under var/), `CELERY_BROKER_URL` selects Redis (absent: kombu's filesystem transport under
var/, so the worker and beat run with no external service).
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("CRM_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-local-development-only-key")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A refused CSRF check (a stale form) gets the site's page with a way back, not Django's default.
CSRF_FAILURE_VIEW = "crm.views.errors.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "guardian",
    "simple_history",
    "constance",
    # Before crm: its login-failure receiver flags a locked-out request before crm logs it.
    "axes",
    "crm",
    "customers",
    "allocation",
    "sales",
    "penalties",
    "service",
    "stores",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "crm.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "crm.middleware.RefuseNulMiddleware",  # after auth and messages: it renders a page
    "crm.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: turns a locked-out log-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "crm.navigation.navigation",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # The embedded default serves the web app and the Celery worker at once: WAL lets readers
    # proceed during a write, IMMEDIATE takes the write lock up front instead of failing midway.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Shared between the web app and the worker (import progress): Redis in production
# (CACHE_URL=redis://…), a file cache under var/ on the embedded default.
CACHES = {
    "default": env.cache_url("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}"),
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "crm.User"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username+IP before any password is checked (SPEC §9).
    "axes.backends.AxesStandaloneBackend",
    "crm.auth.StaffAuthBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# guardian would otherwise create an anonymous user row on every migrate; nobody anonymous
# may see anything in this product.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_MONKEY_PATCH_USER = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "crm:dashboard"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)

# --- Login defence (SPEC §9; crm/accounts.py). django-axes counts failed log-ins per username
# *and* address: an office behind one NAT address is not locked out by one person's typos, and
# nobody can lock a colleague out from elsewhere. After LOGIN_FAILURE_LIMIT failures the pair is
# refused for LOGIN_LOCKOUT_MINUTES from the last failure (tries during the lock do not extend
# it, so the time the page gives holds); a successful log-in clears the count. Settings, not
# constance: the GM must not be able to switch the defence off from the web UI.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "crm.accounts.lockout_response"
AXES_CLIENT_IP_CALLABLE = "crm.accounts.client_ip"
AXES_USERNAME_CALLABLE = "crm.accounts.client_username"
# The login log is crm's LoginEvent (successes and failures in one table, GM page); axes keeps
# only its failure counters.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # no start-up banner; failures and lockouts are still logged as warnings
# Reverse proxies in front of the app that append the client to X-Forwarded-For (nginx:
# proxy_add_x_forwarded_for). 0: the client is REMOTE_ADDR.
LOGIN_TRUSTED_PROXIES = env.int("LOGIN_TRUSTED_PROXIES", default=0)

# Content-Security-Policy (django-csp) in every environment, tests and the admin included: scripts
# and styles come from this site's static files only, never inline (no 'unsafe-inline', no
# 'unsafe-eval'). Templates declare behaviour with data-* attributes handled by static/js/app.js;
# tests/crm/test_csp.py keeps inline scripts, on*= handlers and style= attributes out of pages.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
    },
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (visit photos) live under var/media/ with unguessable names and are served only
# by views that check who may see them: no MEDIA_URL route exists.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="crm@localhost")
# Notifications are e-mailed too when mail is configured (and the person has an address).
NOTIFY_BY_EMAIL = env.bool("NOTIFY_BY_EMAIL", default=False)

# --- Admin-editable rule numbers (SPEC: every number is a default an administrator changes
# in the web UI without a deploy). Later capabilities add their own keys here.
CONSTANCE_BACKEND = "constance.backends.database.DatabaseBackend"
# Rule numbers are read on most pages: keep them in the shared cache, not one query each.
CONSTANCE_DATABASE_CACHE_BACKEND = "default"
# The GM edits the rule numbers (SPEC §7 "the GM ... edit every rule number"): constance's
# default lets only a superuser in; the GM group holds constance.view_config/change_config.
CONSTANCE_SUPERUSER_ONLY = False
CONSTANCE_CONFIG = {
    "ENTRY_DEADLINE_HOUR": (
        10,
        _("Records must be entered by this hour (Asia/Shanghai) on the next working day"),
        int,
    ),
    "NEW_HIRE_MONTHS": (
        1,
        _("Months after the hire date during which a person counts as a new hire"),
        int,
    ),
    "BASIC_FIELDS": (
        "name,nature,address,postcode,phone,fax,legal_representative,tax_id,bank,bank_account",
        _("The basic fields (comma-separated field names) every customer record must have"),
        str,
    ),
    "COMPLETION_MONTHS_AFTER_DEAL": (
        2,
        _("Months after the first deal by which the basic fields must be complete"),
        int,
    ),
    "STORE_COLLECTED_SOURCES": (
        "walk_in,exhibition",
        _("Sources whose customers are registered into the department pool, not to the person"),
        str,
    ),
    "FOLLOWUP_MIN_LENGTH": (
        10,
        _("Minimum number of characters of a follow-up's content"),
        int,
    ),
    "FOLLOWUP_PLACEHOLDERS": (
        "无,同上,略,好,ok,。。。,...,……,没有,暂无,跟进,已跟进,电话,回访",
        _("Content refused as a placeholder (comma-separated)"),
        str,
    ),
    "CALLBACK_DAYS": (2, _("Days to call back after a first inquiry without a visit"), int),
    "QUOTA_A": (4, _("Follow-ups per month for an A-grade customer"), int),
    "QUOTA_B": (3, _("Follow-ups per month for a B-grade customer"), int),
    "QUOTA_C": (2, _("Follow-ups per month for a C-grade customer"), int),
    "QUOTA_D": (1, _("Follow-ups per month for a D-grade customer"), int),
    "MAX_DEAL_QUANTITY": (100000, _("Largest quantity accepted on one purchase record"), int),
    "MAX_DEAL_AMOUNT": (100000000, _("Largest amount (yuan) accepted on one purchase record"), int),
    "HOLDING_CAP": (300, _("Most customers one salesperson may hold"), int),
    "NEW_HIRE_BATCH_MAX": (30, _("Most customers in one batch to a new hire"), int),
    "NEW_HIRE_BATCH_SHARE": (
        20,
        _("Most of a pool (per cent) one batch to a new hire may take"),
        int,
    ),
    "PROTECTION_MONTHS": (
        1,
        _("Months a newly registered or distributed customer is protected"),
        int,
    ),
    "HANDOVER_DAYS": (7, _("Days a manager has to distribute a leaver's customers"), int),
    "COOLDOWN_DAYS": (
        30,
        _(
            "Days during which a customer that left a person (reclaim, return, handover, swap) "
            "cannot be claimed by or distributed back to them"
        ),
        int,
    ),
    "DAILY_CLAIM_CAP": (10, _("Most pool requests (申领) one salesperson may submit a day"), int),
    "REFERRAL_REGISTRATION_DAYS": (
        30,
        _(
            "A referral keeps its customer only if the referred customer was registered at "
            "most this many days before it (or a manager verified it)"
        ),
        int,
    ),
    "INVALID_REVISIT_DAYS": (
        30,
        _(
            "A manager declares a customer invalid only after a revisit of their own within "
            "this many days"
        ),
        int,
    ),
    "NEW_RESOURCE_QUOTA": (
        40,
        _("New customers each salesperson must register in a month (000 §4.2①a)"),
        int,
    ),
    "STORE_MAIN_MATERIAL_STANDARD": (
        50000,
        _("Main-material sales (yuan) a designer must reach in a month to be dispatched first"),
        int,
    ),
    "DISPATCH_DEPOSIT_ORDER_LIMIT": (
        3,
        _("Orders in hand with a deposit at which a designer gets no more dispatches"),
        int,
    ),
    "DISPATCH_REFUSAL_STOP_MONTHS": (
        1,
        _("Months a designer who refused a dispatch gets none"),
        int,
    ),
    "DISPATCH_PLAN_UNSIGNED_DAYS": (
        30,
        _(
            "Days after presenting a plan without signing (off-plan houses aside) after which "
            "the designer gets no dispatches"
        ),
        int,
    ),
    "DISPATCH_ABSENCE_LIMIT": (
        3,
        _("Absences, late arrivals and early leaves in 30 days at which a designer gets none"),
        int,
    ),
    "DISPATCH_BIG_ORDER_YUAN": (
        300000,
        _("Budget (yuan) from which an order is big: senior or fee-charging designers first"),
        int,
    ),
    "NO_LOGIN_DAYS": (14, _("Days without a login before the manager is told (002 §3)"), int),
    "OPPORTUNITY_ACTION_GRACE_DAYS": (
        7,
        _(
            "An opportunity opened in a month's last this many days is first checked for an "
            "action (一般行动) the month after"
        ),
        int,
    ),
    "CONTACT_STRIKES": (
        3,
        _(
            "Confirmed 'contacted a registered customer' entries in 12 months that lead to "
            "dismissal review and reclaim of all customers"
        ),
        int,
    ),
    "EXPORT_CAP_SALESPERSON": (
        500,
        _("Most rows a salesperson may export at once; larger exports are refused (001 五.4)"),
        int,
    ),
    # Complaints (003 四 立即反应, SPEC §11): the first response is due by the end (24:00) of
    # this many working days after the day the complaint was taken.
    "COMPLAINT_RESPONSE_WORKDAYS": (
        1,
        _("Working days to the first response to a complaint (立即反应, 003 四)"),
        int,
    ),
    "REVISIT_AFTER_STAGE_DAYS": (
        3,
        _("Days after a project stage (deposit, acceptance, inspection) its revisit is due"),
        int,
    ),
    # Yearly evaluation (001 四.4, SPEC §11): month-day, Asia/Shanghai.
    "YEARLY_EVALUATION_DUE": (
        "12-25",
        _("Yearly customer evaluations are due by this day of the year (MM-DD, 001 四.4)"),
        str,
    ),
    "YEARLY_EVALUATION_REMINDERS_FROM": (
        "12-01",
        _("Daily reminders of the yearly evaluations start on this day of the year (MM-DD)"),
        str,
    ),
}
# A tuple (not a dict) keeps the order and lets the titles stay lazy translations.
CONSTANCE_CONFIG_FIELDSETS = (
    (_("Working days and deadlines"), ("ENTRY_DEADLINE_HOUR",)),
    (_("People"), ("NEW_HIRE_MONTHS",)),
    (
        _("Follow-ups and deals"),
        (
            "FOLLOWUP_MIN_LENGTH",
            "FOLLOWUP_PLACEHOLDERS",
            "CALLBACK_DAYS",
            "QUOTA_A",
            "QUOTA_B",
            "QUOTA_C",
            "QUOTA_D",
            "MAX_DEAL_QUANTITY",
            "MAX_DEAL_AMOUNT",
            "REFERRAL_REGISTRATION_DAYS",
            "INVALID_REVISIT_DAYS",
        ),
    ),
    (
        _("Pools and distribution"),
        (
            "HOLDING_CAP",
            "NEW_HIRE_BATCH_MAX",
            "NEW_HIRE_BATCH_SHARE",
            "PROTECTION_MONTHS",
            "HANDOVER_DAYS",
            "COOLDOWN_DAYS",
            "DAILY_CLAIM_CAP",
        ),
    ),
    (
        _("Customer archive"),
        ("BASIC_FIELDS", "COMPLETION_MONTHS_AFTER_DEAL", "STORE_COLLECTED_SOURCES"),
    ),
    (_("Penalties and rewards"), ("NEW_RESOURCE_QUOTA", "NO_LOGIN_DAYS", "CONTACT_STRIKES")),
    (_("Sales"), ("OPPORTUNITY_ACTION_GRACE_DAYS",)),
    (_("Confidentiality"), ("EXPORT_CAP_SALESPERSON",)),
    (
        _("Customer service"),
        (
            "COMPLAINT_RESPONSE_WORKDAYS",
            "REVISIT_AFTER_STAGE_DAYS",
            "YEARLY_EVALUATION_DUE",
            "YEARLY_EVALUATION_REMINDERS_FROM",
        ),
    ),
    (
        _("Stores and dispatch"),
        (
            "STORE_MAIN_MATERIAL_STANDARD",
            "DISPATCH_DEPOSIT_ORDER_LIMIT",
            "DISPATCH_REFUSAL_STOP_MONTHS",
            "DISPATCH_PLAN_UNSIGNED_DAYS",
            "DISPATCH_ABSENCE_LIMIT",
            "DISPATCH_BIG_ORDER_YUAN",
        ),
    ),
)

# Backups (SPEC §9, 002 §4.3): `manage.py backup`, nightly by beat, kept 14 daily + 8 weekly.
BACKUP_DIR = env.str("BACKUP_DIR", default=str(VAR_DIR / "backups"))
BACKUP_KEEP_DAILY = env.int("BACKUP_KEEP_DAILY", default=14)
BACKUP_KEEP_WEEKLY = env.int("BACKUP_KEEP_WEEKLY", default=8)

# The company view's 12-month trends are cached this long (seconds; 0: computed every time).
DASHBOARD_TREND_CACHE_SECONDS = env.int("DASHBOARD_TREND_CACHE_SECONDS", default=600)
# The dashboards' success rates (004) likewise (penalties.rates.recent_success_rates).
DASHBOARD_RATES_CACHE_SECONDS = env.int("DASHBOARD_RATES_CACHE_SECONDS", default=300)
# Customers per department when a page shows more than 20 departments (penalties.stats).
DASHBOARD_COUNTS_CACHE_SECONDS = env.int("DASHBOARD_COUNTS_CACHE_SECONDS", default=300)

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Remote-control (pidbox) exchanges; kombu's default is ./control in the working directory.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # /healthz reports the age of this heartbeat (beat → broker → worker). `expires`: a
    # heartbeat that waited a minute in the queue is dropped, not run late.
    "heartbeat": {
        "task": "crm.tasks.heartbeat",
        "schedule": crontab(minute="*"),
        "options": {"expires": 50},
    },
    # Leaving revokes login at the effective time (002 §3.3): the login check enforces the
    # exact moment; this sweep also switches the account off so admin lists tell the truth.
    "deactivate-departed-staff": {
        "task": "crm.tasks.deactivate_departed_staff",
        "schedule": crontab(minute="*/5"),
    },
    # Nightly backup, then its restore-and-compare verification (SPEC §9).
    "backup-nightly": {
        "task": "crm.tasks.backup_nightly",
        "schedule": crontab(minute=30, hour=2),
    },
    # From 1 November, the GMs are told while next year's holidays are unknown (SPEC §9).
    "calendar-next-year-check": {
        "task": "crm.tasks.calendar_next_year_check",
        "schedule": crontab(minute=0, hour=9),
    },
    # Reclaim rules (SPEC §6). Run times here match the ReclaimPolicy defaults; the hourly
    # reconcile runs any due period not finished yet (a missed night heals within the hour).
    "reclaim-daily": {
        "task": "allocation.tasks.reclaim_daily",
        "schedule": crontab(minute=10, hour=0),
    },
    "reclaim-monthly": {
        "task": "allocation.tasks.reclaim_monthly",
        "schedule": crontab(minute=30, hour=0, day_of_month=1),
    },
    "reclaim-warnings": {
        "task": "allocation.tasks.reclaim_warnings",
        "schedule": crontab(minute=0, hour=8),
    },
    # Penalty scans (SPEC §7): after the night's reclaims, before anyone starts work.
    "penalties-scan": {
        "task": "penalties.tasks.penalties_scan_task",
        "schedule": crontab(minute=0, hour=1),
    },
    # The monthly penalty scans (quota, new resources, opportunities' actions), due on the 1st
    # from 01:00: hourly, each rule and month runs once; a missed 1st heals within the hour.
    # The company view's success rates and customer counts (issue 19), kept fresh in the
    # background: the whole company's take 15-25 s at a million customers.
    "penalties-company-figures": {
        "task": "penalties.tasks.company_rates_task",
        "schedule": crontab(minute="*/10"),
    },
    "penalties-monthly": {
        "task": "penalties.tasks.penalties_monthly_task",
        "schedule": crontab(minute=5),
    },
    "reclaim-reconcile": {
        "task": "allocation.tasks.reclaim_reconcile_task",
        "schedule": crontab(minute=45),
    },
    # Store-collected customers waiting (000 §4.2③ "每天"): 08:30 on working days; the later
    # morning runs only catch up a missed one (one reminder per manager per day).
    "store-collected-waiting": {
        "task": "allocation.tasks.remind_store_collected",
        "schedule": crontab(minute=30, hour="8-11"),
    },
    # Overdue instalments (SPEC §10 电子催款单): 08:00; the later morning runs only catch up a
    # missed one (each instalment is reminded once a week, `Instalment.last_reminded_on`).
    "sales-overdue-reminders": {
        "task": "sales.tasks.overdue_reminders",
        "schedule": crontab(minute=0, hour="8-11"),
    },
    # Sales report summaries (issue 19: ranking, yearly totals, today's receivables snapshot):
    # 00:30; the later runs of the night only catch up a missed one.
    "sales-summaries": {
        "task": "sales.tasks.sales_summaries",
        "schedule": crontab(minute=30, hour="0-3"),
    },
    # Yearly evaluation (SPEC §11): reminders from 12-01, then the managers' overdue notice and
    # the KPI lines from the day after the due date; later runs the same day do nothing new.
    "service-yearly-evaluations": {
        "task": "service.tasks_yearly.yearly_evaluations_task",
        "schedule": crontab(minute=15, hour="8-11"),
    },
    # Complaints' first response (立即反应, SPEC §11): hourly; each reminder and escalation once.
    "complaint-deadlines": {
        "task": "service.tasks_complaints.complaint_deadlines_task",
        "schedule": crontab(minute=20),
    },
    # Customer managers' monthly review (004 四, SPEC §12): the 1st, for the month just ended;
    # a missed 1st is caught up by the next run (each month once, at most three back). Daily,
    # so the next run is the next morning, not the next 1st (SPEC §9); a done month is skipped.
    "store-reviews-monthly": {
        "task": "stores.tasks.store_reviews_monthly",
        "schedule": crontab(minute=40, hour=6),
    },
    # The company overview's activity summary (customers.summary, issue 19): rebuilt nightly
    # after the reclaims and scans and the backup; the page counts newer rows live.
    "activity-summary": {
        "task": "customers.tasks.build_activity_summary",
        "schedule": crontab(minute=30, hour=3),
    },
}

# Work messaging (SPEC §9, crm/channels): the vendors' API roots (tests point them at a local
# server), the HTTP timeout in seconds, and how often a failed delivery is tried (1, 5, 25 … min).
WECOM_API_BASE = env.str("WECOM_API_BASE", default="https://qyapi.weixin.qq.com")
DINGTALK_API_BASE = env.str("DINGTALK_API_BASE", default="https://oapi.dingtalk.com")
CHANNEL_HTTP_TIMEOUT = env.float("CHANNEL_HTTP_TIMEOUT", default=10.0)
CHANNEL_MAX_ATTEMPTS = env.int("CHANNEL_MAX_ATTEMPTS", default=5)
CELERY_BEAT_SCHEDULE["retry-deliveries"] = {
    "task": "crm.tasks.retry_deliveries",
    "schedule": crontab(minute="*"),
    "options": {"expires": 50},
}

# /healthz (crm/health.py): the scheduler counts as stopped when its heartbeat (every minute) is
# older than this many seconds; the broker check gives up after this many seconds.
HEALTHZ_HEARTBEAT_MAX_AGE = env.int("HEALTHZ_HEARTBEAT_MAX_AGE", default=5 * 60)
HEALTHZ_BROKER_TIMEOUT = env.float("HEALTHZ_BROKER_TIMEOUT", default=2.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # axes logs every successful log-in at INFO; failures and lockouts are WARNINGs (the login
    # log keeps them all anyway).
    "loggers": {"axes": {"level": "WARNING"}},
}
