"""Backups (002 §4.3; SPEC §9): a dump of the whole database to a folder with retention, a
manifest beside each dump with the row count and a checksum of every table *at dump time*, and a
restore that can prove a dump is good by restoring it into a scratch database and comparing.

- PostgreSQL: `pg_dump -Fc`, taken inside the same snapshot the manifest is computed in
  (`pg_export_snapshot()` in a REPEATABLE READ transaction, `pg_dump --snapshot`), so the
  counts and checksums describe exactly what the dump holds even while people keep working.
- SQLite: the online backup API (`sqlite3.Connection.backup`), which copies a consistent
  database while it is in use; the manifest is computed on the copy.

Checksums are order-independent: the sum (mod 2⁶⁰) of a hash of every row's text, so a
restore that returns the rows in another physical order still compares equal, and one changed,
lost or added row does not.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings

from .models import Backup

MOD = 1 << 60


@dataclass
class Target:
    """Where a database lives: a PostgreSQL connection or an SQLite file."""

    engine: str  # "postgresql" | "sqlite"
    name: str  # database name or file path
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def default(cls) -> "Target":
        db = settings.DATABASES["default"]
        engine = "postgresql" if "postgresql" in db["ENGINE"] else "sqlite"
        return cls(
            engine=engine,
            name=str(db["NAME"]),
            host=str(db.get("HOST") or ""),
            port=str(db.get("PORT") or ""),
            user=str(db.get("USER") or ""),
            password=str(db.get("PASSWORD") or ""),
        )

    def with_name(self, name: str) -> "Target":
        return Target(self.engine, name, self.host, self.port, self.user, self.password)

    def pg_env(self) -> dict:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def pg_args(self) -> list[str]:
        args = []
        if self.host:
            args += ["-h", self.host]
        if self.port:
            args += ["-p", self.port]
        if self.user:
            args += ["-U", self.user]
        return args

    def pg_connect(self, dbname: str | None = None):
        import psycopg2

        return psycopg2.connect(
            dbname=dbname or self.name,
            host=self.host or None,
            port=self.port or None,
            user=self.user or None,
            password=self.password or None,
        )


# --- fingerprints --------------------------------------------------------------------------


def _pg_fingerprints(cursor) -> dict[str, dict]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    tables = [row[0] for row in cursor.fetchall()]
    result = {}
    for table in tables:
        # md5 of each row's text form; its first 15 hex digits summed as numeric (no overflow).
        cursor.execute(
            f"SELECT count(*), COALESCE(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)"
            f'::bigint::numeric), 0) FROM "{table}" t'
        )
        rows, total = cursor.fetchone()
        result[table] = {"rows": int(rows), "checksum": str(int(total) % MOD)}
    return result


def _sqlite_fingerprints(path: str) -> dict[str, dict]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        result = {}
        for table in tables:
            count, total = 0, 0
            for row in db.execute(f'SELECT * FROM "{table}"'):
                digest = hashlib.md5(repr(row).encode("utf-8")).hexdigest()
                total = (total + int(digest[:15], 16)) % MOD
                count += 1
            result[table] = {"rows": count, "checksum": str(total)}
        return result
    finally:
        db.close()


def fingerprints(target: Target) -> dict[str, dict]:
    if target.engine == "sqlite":
        return _sqlite_fingerprints(target.name)
    conn = target.pg_connect()
    try:
        with conn.cursor() as cursor:
            return _pg_fingerprints(cursor)
    finally:
        conn.close()


def compare(expected: dict, actual: dict) -> list[str]:
    """The differences between two manifests' tables, in words; [] when equal."""
    problems = []
    for table in sorted(set(expected) | set(actual)):
        want, got = expected.get(table), actual.get(table)
        if want is None:
            problems.append(f"{table}: not in the source")
        elif got is None:
            problems.append(f"{table}: missing")
        elif want["rows"] != got["rows"]:
            problems.append(f"{table}: {got['rows']} rows instead of {want['rows']}")
        elif want["checksum"] != got["checksum"]:
            problems.append(f"{table}: contents differ")
    return problems


# --- dump ----------------------------------------------------------------------------------


def backup_folder() -> Path:
    folder = Path(settings.BACKUP_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def manifest_path(dump: Path) -> Path:
    return dump.with_name(dump.name + ".json")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _dump_postgresql(target: Target, dump: Path) -> dict:
    conn = target.pg_connect()
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            # The dump and the manifest read the same snapshot: counts and checksums are of
            # exactly what the dump holds.
            subprocess.run(
                ["pg_dump", "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(dump)]
                + target.pg_args()
                + [target.name],
                check=True,
                capture_output=True,
                env=target.pg_env(),
            )
            tables = _pg_fingerprints(cursor)
        conn.rollback()
    finally:
        conn.close()
    return tables


def _dump_sqlite(target: Target, dump: Path) -> dict:
    source = sqlite3.connect(target.name)
    copy = sqlite3.connect(str(dump))
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return _sqlite_fingerprints(str(dump))


def backup_run(
    *, now: datetime, target: Target | None = None, folder: Path | None = None
) -> Backup:
    """Dump the database, write its manifest, record the run (a failure is recorded too, for
    the GM's warning), then apply the retention. Returns the Backup row."""
    target = target or Target.default()
    folder = folder or backup_folder()
    stamp = now.strftime("%Y%m%d-%H%M%S")
    suffix = "dump" if target.engine == "postgresql" else "sqlite3"
    dump = folder / f"crm-{stamp}.{suffix}"
    record = Backup.objects.create(file_name=dump.name, engine=target.engine, started_at=now)
    try:
        if target.engine == "postgresql":
            tables = _dump_postgresql(target, dump)
        else:
            tables = _dump_sqlite(target, dump)
        manifest = {
            "file": dump.name,
            "engine": target.engine,
            "created_at": now.isoformat(),
            "sha256": _sha256(dump),
            "tables": tables,
        }
        manifest_path(dump).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    except (OSError, subprocess.CalledProcessError, sqlite3.Error, Exception) as exc:  # noqa: BLE001
        detail = getattr(exc, "stderr", b"") or b""
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        record.error = f"{exc}\n{detail}".strip()[:4000]
        record.finished_at = now
        record.save(update_fields=["error", "finished_at"])
        return record
    record.size = dump.stat().st_size
    record.is_ok = True
    record.finished_at = now
    record.save(update_fields=["size", "is_ok", "finished_at"])
    backup_prune(now=now, folder=folder)
    return record


def backup_prune(*, now: datetime, folder: Path | None = None) -> list[str]:
    """Retention: the newest BACKUP_KEEP_DAILY successful dumps, plus the newest dump of each of
    the last BACKUP_KEEP_WEEKLY ISO weeks; every other dump file (and manifest) is removed."""
    folder = folder or backup_folder()
    kept = list(Backup.objects.filter(is_ok=True, pruned_at__isnull=True).order_by("-started_at"))
    keep = {b.pk for b in kept[: settings.BACKUP_KEEP_DAILY]}
    weeks: set[tuple[int, int]] = set()
    for b in kept:
        week = tuple(b.started_at.isocalendar())[:2]
        if week not in weeks and len(weeks) < settings.BACKUP_KEEP_WEEKLY:
            weeks.add(week)
            keep.add(b.pk)
    removed = []
    for b in kept:
        if b.pk in keep:
            continue
        for path in (folder / b.file_name, manifest_path(folder / b.file_name)):
            path.unlink(missing_ok=True)
        b.pruned_at = now
        b.save(update_fields=["pruned_at"])
        removed.append(b.file_name)
    return removed


# --- restore and verify --------------------------------------------------------------------


class RestoreError(Exception):
    pass


def restore(dump: Path, *, into: str, target: Target | None = None) -> Target:
    """Restore `dump` into a new database `into` (PostgreSQL: a database name on the same
    server; SQLite: a file path). Refuses to overwrite an existing database."""
    target = target or Target.default()
    scratch = target.with_name(into)
    if not dump.exists():
        raise RestoreError(f"{dump}: no such file")
    if target.engine == "sqlite":
        if Path(into).exists():
            raise RestoreError(f"{into} exists already")
        try:
            source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
            copy = sqlite3.connect(into)
            try:
                source.backup(copy)
                copy.execute("PRAGMA integrity_check").fetchall()
            finally:
                copy.close()
                source.close()
        except sqlite3.Error as exc:
            Path(into).unlink(missing_ok=True)
            raise RestoreError(f"{dump.name}: {exc}") from exc
        return scratch
    admin = target.pg_connect("postgres")
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [into])
            if cursor.fetchone():
                raise RestoreError(f"database {into} exists already")
            cursor.execute(f'CREATE DATABASE "{into}"')
    finally:
        admin.close()
    result = subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "-d", into]
        + target.pg_args()
        + [str(dump)],
        capture_output=True,
        env=target.pg_env(),
    )
    if result.returncode != 0:
        drop(scratch)
        raise RestoreError(result.stderr.decode("utf-8", "replace").strip()[:2000])
    return scratch


def drop(target: Target) -> None:
    if target.engine == "sqlite":
        Path(target.name).unlink(missing_ok=True)
        return
    admin = target.pg_connect("postgres")
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target.name}"')
    finally:
        admin.close()


def verify(dump: Path, *, target: Target | None = None) -> list[str]:
    """Restore `dump` into a scratch database, compare every table's count and checksum with
    the manifest written at dump time, drop the scratch database. [] means the dump is good."""
    target = target or Target.default()
    manifest_file = manifest_path(dump)
    if not manifest_file.exists():
        return [f"{manifest_file.name}: no manifest beside the dump"]
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    problems = []
    if manifest.get("sha256") and _sha256(dump) != manifest["sha256"]:
        problems.append("the file changed since it was written (sha256)")
    if target.engine == "sqlite":
        name = str(Path(tempfile.mkdtemp(prefix="crm-verify-")) / "restored.sqlite3")
    else:
        name = f"crm_verify_{os.getpid()}_{abs(hash(dump.name)) % 10**8}"
    try:
        scratch = restore(dump, into=name, target=target)
    except RestoreError as exc:
        return problems + [f"restore failed: {exc}"]
    try:
        problems += compare(manifest["tables"], fingerprints(scratch))
    finally:
        drop(scratch)
        if target.engine == "sqlite":
            shutil.rmtree(Path(name).parent, ignore_errors=True)
    return problems


def backup_verify(*, backup: Backup, now: datetime, folder: Path | None = None) -> Backup:
    folder = folder or backup_folder()
    problems = verify(folder / backup.file_name)
    backup.verified_at = now
    backup.is_verified = not problems
    backup.verify_message = "\n".join(problems)[:4000]
    backup.save(update_fields=["verified_at", "is_verified", "verify_message"])
    return backup


def backup_health(*, now: datetime, max_age_hours: int = 36) -> str | None:
    """A warning for the GM when the newest backup failed, failed verification, or is older
    than `max_age_hours`; None when all is well."""
    latest = Backup.objects.order_by("-started_at").first()  # one query on the dashboard
    if latest is None:
        return "missing"
    if not latest.is_ok:
        return "failed"
    if latest.is_verified is False:
        return "unverified"
    if now - latest.started_at > timedelta(hours=max_age_hours):
        return "late"
    return None
