"""Backups (issue 18, SPEC §9): backup → restore → verify round trips on SQLite and on
PostgreSQL; a corrupted or substituted dump fails verification; retention keeps 14 daily and
8 weekly dumps; the GM is warned of a failed or missing backup."""

import json
import sqlite3
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from crm.backup import (
    Target,
    backup_health,
    backup_prune,
    backup_run,
    compare,
    fingerprints,
    manifest_path,
    restore,
    verify,
)
from crm.models import Backup
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 30, 2, 30, tzinfo=SH)

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite round trip")
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL round trip"
)


@pytest.fixture
def sqlite_file(transactional_db, tmp_path):
    """The test database (in memory) copied to a file, as a deployment's SQLite file. A
    transactional test: the copy must not wait on the test's own open transaction."""
    from tests.conftest import build_org

    register(build_org().sales_a)
    path = tmp_path / "live.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(str(path))
    connection.connection.backup(target)
    target.close()
    return Target(engine="sqlite", name=str(path))


@on_sqlite
def test_sqlite_backup_restore_verify_round_trip(sqlite_file, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    backup = backup_run(now=NOW, target=sqlite_file, folder=folder)
    assert backup.is_ok and backup.size > 0
    dump = folder / backup.file_name
    manifest = json.loads(manifest_path(dump).read_text())
    assert manifest["tables"]["customers_customer"]["rows"] == 1
    assert verify(dump, target=sqlite_file) == []
    restored = restore(dump, into=str(tmp_path / "copy.sqlite3"), target=sqlite_file)
    assert compare(manifest["tables"], fingerprints(restored)) == []


@on_sqlite
def test_a_corrupted_sqlite_dump_fails_verification(sqlite_file, tmp_path):
    backup = backup_run(now=NOW, target=sqlite_file, folder=tmp_path)
    dump = tmp_path / backup.file_name
    data = bytearray(dump.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = b"\xff" * 64
    dump.write_bytes(bytes(data))
    assert verify(dump, target=sqlite_file), "a damaged file must not verify"


@on_sqlite
def test_a_dump_of_other_data_fails_even_without_the_file_hash(sqlite_file, tmp_path):
    backup = backup_run(now=NOW, target=sqlite_file, folder=tmp_path)
    dump = tmp_path / backup.file_name
    manifest = json.loads(manifest_path(dump).read_text())
    manifest.pop("sha256")
    manifest_path(dump).write_text(json.dumps(manifest))
    db = sqlite3.connect(str(dump))
    db.execute("UPDATE customers_customer SET name = name || 'x'")
    db.commit()
    db.close()
    problems = verify(dump, target=sqlite_file)
    assert problems == ["customers_customer: contents differ"]


@on_postgresql
def test_postgresql_backup_restore_verify_round_trip(tmp_path, transactional_db, org):
    register(org.sales_a)
    target = Target.default().with_name(connection.settings_dict["NAME"])
    backup = backup_run(now=NOW, target=target, folder=tmp_path)
    assert backup.is_ok, backup.error
    dump = tmp_path / backup.file_name
    manifest = json.loads(manifest_path(dump).read_text())
    assert manifest["tables"]["customers_customer"]["rows"] == 1
    assert verify(dump, target=target) == []
    data = bytearray(dump.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 256] = b"\x00" * 256
    dump.write_bytes(bytes(data))
    assert verify(dump, target=target)


def test_a_failed_backup_is_recorded_and_warns_the_gm(db, tmp_path, org, login):
    missing = Target(engine="postgresql", name="no_such_database_here", host="127.0.0.1")
    assert backup_health(now=NOW) == "missing"
    backup = backup_run(now=NOW, target=missing, folder=tmp_path)
    assert not backup.is_ok and backup.error
    assert backup_health(now=NOW) == "failed"
    page = login(org.gm).get(reverse("crm:dashboard")).content.decode()
    assert 'data-testid="backup-warning"' in page
    assert login(org.gm).get(reverse("crm:backup_list")).status_code == 200
    assert login(org.manager_a).get(reverse("crm:backup_list")).status_code == 404


def test_health_late_after_36_hours(db):
    Backup.objects.create(file_name="a", engine="sqlite", started_at=NOW, is_ok=True)
    assert backup_health(now=NOW + timedelta(hours=35)) is None
    assert backup_health(now=NOW + timedelta(hours=37)) == "late"


@override_settings(BACKUP_KEEP_DAILY=14, BACKUP_KEEP_WEEKLY=8)
def test_retention_keeps_14_daily_and_8_weekly(db, tmp_path):
    for n in range(90):
        at = NOW - timedelta(days=n)
        name = f"crm-{n:03d}.dump"
        (tmp_path / name).write_bytes(b"x")
        Backup.objects.create(file_name=name, engine="sqlite", started_at=at, is_ok=True)
    backup_prune(now=NOW, folder=tmp_path)
    kept = Backup.objects.filter(pruned_at__isnull=True)
    newest_14 = {f"crm-{n:03d}.dump" for n in range(14)}
    assert newest_14 <= set(kept.values_list("file_name", flat=True))
    weeks = {tuple(b.started_at.astimezone(SH).isocalendar())[:2] for b in kept}
    assert len(weeks) >= 8
    assert kept.count() <= 14 + 8
    assert len(list(tmp_path.iterdir())) == kept.count()
