"""/healthz for operations (issue 12 Build 7): anonymous, GET only, never cached; 200 when the
database and the broker answer and the scheduler's heartbeat is fresh, 503 otherwise; the
answer says nothing else about the installation."""

import json
import socket
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import django
import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test import Client, override_settings

from crm.health import HEARTBEAT_CACHE_KEY, heartbeat_age, heartbeat_record
from tests.production import production_settings

SH = ZoneInfo("Asia/Shanghai")
BEAT = datetime(2026, 4, 1, 10, 0, tzinfo=SH)
KEYS = {"status", "database", "broker", "scheduler", "heartbeat_age_seconds", "jobs"}


@pytest.fixture(autouse=True)
def no_heartbeat():
    cache.delete(HEARTBEAT_CACHE_KEY)  # the test cache lives for the whole run
    yield
    cache.delete(HEARTBEAT_CACHE_KEY)


def probe(at: datetime, client=None):
    with time_machine.travel(at, tick=False):
        return (client or Client()).get("/healthz")


def test_fresh_heartbeat_answers_200_ok_to_anyone(db):
    heartbeat_record(now=BEAT)
    response = probe(BEAT + timedelta(seconds=70))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "scheduler": "ok",
        "heartbeat_age_seconds": 70,
        "jobs": {"late": []},
    }


def test_heartbeat_at_the_limit_is_fresh_and_one_second_later_stale(db):
    heartbeat_record(now=BEAT)
    limit = settings.HEALTHZ_HEARTBEAT_MAX_AGE
    assert limit == 300, "default: five missed one-minute heartbeats"
    assert probe(BEAT + timedelta(seconds=limit)).status_code == 200
    response = probe(BEAT + timedelta(seconds=limit + 1))
    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert response.json()["scheduler"] == "stale"
    assert response.json()["heartbeat_age_seconds"] == 301


def test_old_heartbeat_answers_503_with_its_age(db):
    heartbeat_record(now=BEAT)
    response = probe(BEAT + timedelta(minutes=30))
    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "broker": "ok",
        "scheduler": "stale",
        "heartbeat_age_seconds": 1800,
        "jobs": {"late": ["heartbeat"]},  # the heartbeat is a scheduled job too (crm.jobs)
    }


def test_no_heartbeat_at_all_answers_503(db):
    response = probe(BEAT)
    assert response.status_code == 503
    assert response.json()["scheduler"] == "missing"
    assert response.json()["heartbeat_age_seconds"] is None


def test_unreachable_broker_answers_503(db):
    heartbeat_record(now=BEAT)
    # Nothing listens on port 1 of the loopback: the connection is refused at once.
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        response = probe(BEAT + timedelta(seconds=30))
    assert response.status_code == 503
    assert response.json()["broker"] == "unreachable"
    assert response.json()["database"] == "ok"
    assert response.json()["scheduler"] == "ok"


def test_missing_filesystem_broker_folder_answers_503(db, tmp_path):
    heartbeat_record(now=BEAT)
    gone = str(tmp_path / "no-such-queue")
    options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, "data_folder_in": gone}
    with override_settings(
        CELERY_BROKER_URL="filesystem://", CELERY_BROKER_TRANSPORT_OPTIONS=options
    ):
        response = probe(BEAT + timedelta(seconds=30))
    assert response.status_code == 503
    assert response.json()["broker"] == "unreachable"


def test_failing_database_answers_503(db):
    heartbeat_record(now=BEAT)

    def refuse(execute, sql, params, many, context):
        raise OperationalError("could not connect to server")

    with connection.execute_wrapper(refuse):
        response = probe(BEAT + timedelta(seconds=30))
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    assert "could not connect" not in response.content.decode()


def test_get_only(db):
    client = Client()
    for method in (client.post, client.put, client.delete):
        assert method("/healthz").status_code == 405


def test_never_cached_and_sets_no_cookie(db):
    heartbeat_record(now=BEAT)
    response = probe(BEAT)
    cache_control = response["Cache-Control"]
    for directive in ("no-cache", "no-store", "must-revalidate", "private", "max-age=0"):
        assert directive in cache_control
    assert not response.cookies


def test_reveals_nothing_but_the_checks(db):
    heartbeat_record(now=BEAT)
    for response in (probe(BEAT), probe(BEAT + timedelta(hours=1))):
        body = response.content.decode()
        assert set(json.loads(body)) == KEYS
        for secret in (
            django.get_version(),
            socket.gethostname(),
            str(settings.DATABASES["default"]["NAME"]),
            settings.CELERY_BROKER_URL,
            str(settings.BASE_DIR),
            "version",
            "host",
        ):
            assert secret.lower() not in body.lower()
        assert "Server" not in response or "Django" not in response["Server"]


def test_logged_in_or_not_the_same_answer(org):
    heartbeat_record(now=BEAT)
    client = Client()
    client.force_login(org.gm)
    assert probe(BEAT, client).json() == probe(BEAT).json()


def test_exempt_from_a_login_required_middleware(db):
    heartbeat_record(now=BEAT)
    guarded = [*settings.MIDDLEWARE, "django.contrib.auth.middleware.LoginRequiredMiddleware"]
    with override_settings(MIDDLEWARE=guarded):
        assert probe(BEAT).status_code == 200
        assert Client().get("/").status_code == 302, "the guard itself works"


def test_production_does_not_redirect_the_probe_to_https(db, monkeypatch):
    production = production_settings(monkeypatch)
    heartbeat_record(now=BEAT)
    with override_settings(
        SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=production.SECURE_REDIRECT_EXEMPT
    ):
        assert probe(BEAT).status_code == 200
        assert Client().get("/accounts/login/").status_code == 301


def test_heartbeat_task_records_the_time_it_runs(db):
    from crm.tasks import heartbeat

    with time_machine.travel(BEAT, tick=False):
        heartbeat.delay()
    assert heartbeat_age(now=BEAT + timedelta(seconds=42)) == 42


def test_beat_runs_the_heartbeat_every_minute():
    entry = next(
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "crm.tasks.heartbeat"
    )
    assert entry["schedule"].minute == set(range(60))
    assert entry["schedule"].hour == set(range(24))
    assert entry["options"]["expires"] < 60
