"""One read-only mixin (`crm.admin.ReadOnlyAdmin`) serves every app's admin: rows the services
write are never added or changed in the admin; only the admins that said so allow a delete."""

from pathlib import Path

import pytest
from django.contrib import admin
from django.test import RequestFactory

from allocation.models import DistributionBatch, JobRun, PublicNotice
from crm.admin import ReadOnlyAdmin
from customers.models import CustomerKey, OwnershipEvent
from penalties.models import ClosedMonth, LedgerEntry

# model → may a superuser delete rows in the admin (as before the mixins were merged)
READ_ONLY = {
    LedgerEntry: False,
    ClosedMonth: False,
    OwnershipEvent: False,
    CustomerKey: True,
    JobRun: True,
    PublicNotice: True,
    DistributionBatch: True,
}


@pytest.mark.parametrize("model", list(READ_ONLY), ids=lambda m: m.__name__)
def test_service_written_rows_are_read_only_in_the_admin(model, django_user_model, db):
    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, ReadOnlyAdmin)
    request = RequestFactory().get("/admin/")
    request.user = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request) is False
    assert model_admin.has_view_permission(request) is True
    assert model_admin.has_delete_permission(request) is READ_ONLY[model]


def test_the_read_only_mixin_is_declared_once():
    root = Path(__file__).resolve().parents[2]
    declared = [
        p.relative_to(root).as_posix()
        for p in root.glob("*/admin.py")
        if "class ReadOnlyAdmin" in p.read_text(encoding="utf-8")
    ]
    assert declared == ["crm/admin.py"]
