"""A test-only URLconf (tests/crm/test_error_pages.py): the site's URLs plus pages that fail."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from crm.urls import handler403, handler404, handler500, urlpatterns  # noqa: F401


def boom(request):
    raise RuntimeError("a bug")


def forbidden(request):
    raise PermissionDenied


def database_down(request):
    from django.db import OperationalError

    raise OperationalError("could not connect to server")


urlpatterns = [
    path("test-errors/boom/", boom),
    path("test-errors/forbidden/", forbidden),
    path("test-errors/database-down/", database_down),
    *urlpatterns,
]
