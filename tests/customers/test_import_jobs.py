"""Large imports run on the worker and show their progress; the same all-or-nothing rule. A
killed import goes stale and its owner retries it, safely (issue 12, defect 8)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db.models import F
from django.urls import reverse

from crm.errors import RuleError
from customers import excel
from customers.errors import NotAllowed
from customers.models import Customer, ImportJob
from customers.services.imports import (
    STALE_AFTER,
    import_job_is_stale,
    import_job_last_seen,
    import_job_retry,
    import_job_run,
)
from tests.customers.test_excel import good, sheet, upload


@pytest.fixture
def small_inline_limit(monkeypatch):
    monkeypatch.setattr("customers.views.excel.INLINE_ROWS", 2)


def test_large_file_runs_in_the_background_and_reports_progress(
    org, login, small_inline_limit, django_capture_on_commit_callbacks
):
    client = login(org.sales_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, sheet(*(good() for _ in range(5))))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("customers:import_job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "done" and job.imported == 5 and job.total_rows == 5
    assert job.content == b"", "the upload is not kept once imported"
    assert Customer.objects.filter(holder=org.sales_a).count() == 5
    page = client.get(response.url).content.decode()
    assert "5 / 5" in page or "5 行中已处理 5 行" in page
    fragment = client.get(response.url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'id="progress"' in fragment
    assert "hx-trigger" not in fragment, "polling stops once finished"


def test_background_import_with_a_bad_row_writes_nothing(
    org, login, small_inline_limit, django_capture_on_commit_callbacks
):
    client = login(org.sales_a)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, sheet(good(), good(phone="12ab"), good()))
    job = ImportJob.objects.get()
    assert job.status == "rolled_back" and job.imported == 0
    assert [row[0] for row in job.errors] == [3]
    assert Customer.objects.count() == 0
    page = client.get(reverse("customers:import_job", args=[job.pk])).content.decode()
    assert "未导入任何数据" in page


def test_queued_job_shows_zero_and_keeps_polling(org, login, small_inline_limit):
    client = login(org.sales_a)
    upload(client, sheet(good(), good(), good()))  # on_commit never fires inside the test
    job = ImportJob.objects.get()
    fragment = client.get(
        reverse("customers:import_job", args=[job.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "hx-trigger" in fragment and 'value="0"' in fragment


def test_someone_elses_import_is_404(org, login, small_inline_limit):
    upload(login(org.sales_a), sheet(good(), good(), good()))
    job = ImportJob.objects.get()
    assert login(org.sales_b).get(reverse("customers:import_job", args=[job.pk])).status_code == 404


def test_running_a_job_twice_imports_once(org, login, small_inline_limit):
    from django.utils import timezone

    from customers.services.imports import import_job_run

    upload(login(org.sales_a), sheet(good(), good(), good()))
    job = ImportJob.objects.get()
    import_job_run(job_id=job.pk, now=timezone.now())
    import_job_run(job_id=job.pk, now=timezone.now())
    assert Customer.objects.count() == 3


# --- a killed import (issue 12, defect 8) ------------------------------------------------------
# The worker dies mid-run (deploy, out of memory): its transaction dies with it, so nothing of
# the file lands; the job row still says "running". Without a sign of life for STALE_AFTER it
# shows as stopped, and its owner retries it as a new attempt.

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SH)


@pytest.fixture
def fresh_cache():
    cache.clear()  # heartbeats are keyed by job id, which the test database reuses
    yield
    cache.clear()


@pytest.fixture
def queued(org, login, small_inline_limit, fresh_cache):
    """A three-row import queued by sales_a at T0 (the worker has not started it)."""
    with time_machine.travel(T0, tick=False):
        upload(login(org.sales_a), sheet(good(), good(), good()))
    return ImportJob.objects.get()


def _kill_midway(monkeypatch):
    """The run writes every row, then the worker is killed before it commits."""
    real = excel.import_workbook

    def killed(**kwargs):
        real(**kwargs)
        raise SystemExit("worker killed")

    monkeypatch.setattr(excel, "import_workbook", killed)
    return lambda: monkeypatch.setattr(excel, "import_workbook", real)


def _killed_job(monkeypatch, job, *, clock=None):
    revive = _kill_midway(monkeypatch)
    with pytest.raises(SystemExit):
        import_job_run(job_id=job.pk, now=T0, clock=clock)
    revive()
    job.refresh_from_db()
    return job


def _page(client, job, at):
    with time_machine.travel(at, tick=False):
        return client.get(reverse("customers:import_job", args=[job.pk])).content.decode()


def test_a_killed_import_writes_nothing_and_stops_after_ten_quiet_minutes(org, monkeypatch, queued):
    job = _killed_job(monkeypatch, queued)
    assert job.status == ImportJob.Status.RUNNING and job.finished_at is None
    assert Customer.objects.count() == 0, "the killed run's rows died with its transaction"
    assert not import_job_is_stale(job, now=T0 + STALE_AFTER - timedelta(seconds=1))
    assert import_job_is_stale(job, now=T0 + STALE_AFTER)


def test_progress_heartbeats_keep_a_slow_import_alive(org, monkeypatch, queued):
    monkeypatch.setattr(excel, "PROGRESS_EVERY", 1)
    beat = T0 + timedelta(minutes=8)
    job = _killed_job(monkeypatch, queued, clock=lambda: beat)
    assert import_job_last_seen(job) == beat
    assert not import_job_is_stale(job, now=beat + STALE_AFTER - timedelta(seconds=1))
    assert import_job_is_stale(job, now=beat + STALE_AFTER)


def test_a_queued_job_the_worker_never_took_goes_stale_too(org, queued):
    assert not import_job_is_stale(queued, now=T0 + timedelta(minutes=9))
    assert import_job_is_stale(queued, now=T0 + STALE_AFTER)


def test_a_finished_job_is_never_stale(org, queued):
    job = import_job_run(job_id=queued.pk, now=T0)
    assert job.status == ImportJob.Status.DONE
    assert not import_job_is_stale(job, now=T0 + timedelta(days=30))


def test_the_page_shows_a_stale_job_as_stopped_with_a_retry_and_stops_polling(
    org, login, monkeypatch, queued
):
    job = _killed_job(monkeypatch, queued)
    client = login(org.sales_a)
    running = _page(client, job, T0 + timedelta(minutes=5))
    assert "hx-trigger" in running and 'data-testid="import-retry"' not in running
    stopped = _page(client, job, T0 + STALE_AFTER)
    assert "hx-trigger" not in stopped
    assert 'data-testid="import-stale"' in stopped
    assert reverse("customers:import_job_retry", args=[job.pk]) in stopped


def test_the_owner_retries_a_stale_import_and_it_imports_once(
    org, login, monkeypatch, queued, django_capture_on_commit_callbacks
):
    job = _killed_job(monkeypatch, queued)
    client = login(org.sales_a)
    retry = reverse("customers:import_job_retry", args=[job.pk])
    with (
        time_machine.travel(T0 + STALE_AFTER, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(retry)
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempt, job.imported) == (ImportJob.Status.DONE, 2, 3)
    assert Customer.objects.filter(holder=org.sales_a).count() == 3
    assert job.content == b""
    # The original message, redelivered late, finds the job done and does nothing.
    import_job_run(job_id=job.pk, now=T0 + timedelta(hours=1))
    assert Customer.objects.count() == 3


def test_a_retry_before_the_job_is_stale_is_refused(org, login, monkeypatch, queued):
    job = _killed_job(monkeypatch, queued)
    client = login(org.sales_a)
    with time_machine.travel(T0 + timedelta(minutes=3), tick=False):
        response = client.post(reverse("customers:import_job_retry", args=[job.pk]), follow=True)
    assert list(response.context["messages"])[0].level_tag == "error"
    job.refresh_from_db()
    assert (job.status, job.attempt) == (ImportJob.Status.RUNNING, 1)


def test_nobody_else_retries_and_retrying_needs_a_post(org, login, monkeypatch, queued):
    job = _killed_job(monkeypatch, queued)
    retry = reverse("customers:import_job_retry", args=[job.pk])
    with time_machine.travel(T0 + STALE_AFTER, tick=False):
        assert login(org.sales_b).post(retry).status_code == 404
        assert login(org.gm).post(retry).status_code == 404
        assert login(org.sales_a).get(retry).status_code == 405
    job.refresh_from_db()
    assert job.attempt == 1
    with pytest.raises(NotAllowed):
        import_job_retry(job=job, actor=org.sales_b, now=T0 + STALE_AFTER)


def test_two_retries_of_the_same_stale_attempt_make_one_new_attempt(org, monkeypatch, queued):
    job = _killed_job(monkeypatch, queued)
    seen_twice = ImportJob.objects.get(pk=job.pk)
    import_job_retry(job=job, actor=org.sales_a, now=T0 + STALE_AFTER)
    with pytest.raises(RuleError):
        import_job_retry(job=seen_twice, actor=org.sales_a, now=T0 + STALE_AFTER)
    job.refresh_from_db()
    assert (job.status, job.attempt) == (ImportJob.Status.QUEUED, 2)


def test_a_run_whose_attempt_was_superseded_lands_no_rows(org, queued):
    def clock():
        # Read just before the run records its outcome: a retry committed by now (from
        # another connection, in production) has made this attempt stale.
        ImportJob.objects.filter(pk=queued.pk).update(attempt=F("attempt") + 1)
        return T0

    import_job_run(job_id=queued.pk, now=T0, clock=clock)
    assert Customer.objects.count() == 0
    assert ImportJob.objects.get(pk=queued.pk).finished_at is None


def test_an_unexpected_error_fails_the_job_instead_of_leaving_it_running(
    org, login, monkeypatch, queued
):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(excel, "import_workbook", broken)
    with pytest.raises(RuntimeError):
        import_job_run(job_id=queued.pk, now=T0)
    job = ImportJob.objects.get(pk=queued.pk)
    assert job.status == ImportJob.Status.ERROR and job.finished_at is not None
    assert job.content == b"" and Customer.objects.count() == 0
    assert not import_job_is_stale(job, now=T0 + timedelta(days=1))
    page = _page(login(org.sales_a), job, T0 + timedelta(minutes=1))
    assert "hx-trigger" not in page and job.errors[0][2] in page
