"""A sweep that cannot take its rule's lock says so and fails (issue 12, defect 9): "moved 0"
with exit status 0 read like a finished night to cron and to an operator."""

import threading
import zlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections


@pytest.mark.django_db(transaction=True)
def test_reclaim_command_fails_loudly_when_another_run_holds_the_lock():
    if connection.vendor != "postgresql":
        pytest.skip("the run lock is a PostgreSQL advisory lock (SQLite serialises writers)")
    from allocation.defaults import ensure_policies
    from allocation.models import ReclaimPolicy

    ensure_policies(ReclaimPolicy)  # a transactional test starts from flushed tables
    key = zlib.crc32(b"reclaim:no_deal_self")
    holding, release = threading.Event(), threading.Event()

    def hold():
        try:
            with connection.cursor() as cursor:  # this thread's own connection
                cursor.execute("SELECT pg_advisory_lock(%s)", [key])
                holding.set()
                release.wait(10)
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(5)
    err = StringIO()
    try:
        with pytest.raises(CommandError, match="lock held: no_deal_self"):
            call_command("reclaim", "--as-of", "2026-04-15", "--rule", "no_deal_self", stderr=err)
    finally:
        release.set()
        holder.join()
    assert "holds its lock" in err.getvalue()
    out = StringIO()
    call_command("reclaim", "--as-of", "2026-04-15", "--rule", "no_deal_self", stdout=out)
    assert "moved 0" in out.getvalue()
