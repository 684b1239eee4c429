"""The store's start page: the store chosen (own store, or any the viewer oversees) and one
block per area (`stores/_home_<area>.html`)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ..rights import may_use_stores
from ..selectors.common import default_store, stores_visible_to


def check_page(user) -> None:
    """Every store page: 404 for whoever has no store pages (crm.rights: 404, not 403)."""
    if not may_use_stores(user):
        raise Http404


@login_required
@require_http_methods(["GET"])
def store_home(request):
    check_page(request.user)
    store = default_store(request.user, request.GET.get("store"))
    return render(
        request,
        "stores/home.html",
        {"store": store, "stores": list(stores_visible_to(request.user))},
    )
