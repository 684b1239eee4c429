"""Large imports run on the worker and show their progress; the same all-or-nothing rule."""

import pytest
from django.urls import reverse

from customers.models import Customer, ImportJob
from tests.customers.test_excel import good, sheet, upload


@pytest.fixture
def small_inline_limit(monkeypatch):
    monkeypatch.setattr("customers.views_excel.INLINE_ROWS", 2)


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
