"""Which stores a person works in or oversees (SPEC §1, §12): one selector every store page
uses; a store outside it answers 404."""

from django.db.models import Q, QuerySet
from django.http import Http404

from crm.models import Department, Staff, User
from crm.selectors import departments_managed_by

from ..rights import store_of


def stores_visible_to(user) -> QuerySet[Department]:
    """The person's own store, and every store they manage (the store manager, a manager above
    it, the GM: all of them)."""
    mine = store_of(user)
    managed = departments_managed_by(user).filter(kind=Department.Kind.STORE)
    if mine is None:
        return managed.order_by("path")
    return Department.objects.filter(Q(pk=mine.pk) | Q(pk__in=managed.values("pk"))).order_by(
        "path"
    )


def store_for(user, pk) -> Department:
    """The store `pk` if `user` sees it, else 404 (ids are not confirmed)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    store = stores_visible_to(user).filter(pk=pk).first()
    if store is None:
        raise Http404
    return store


def default_store(user, requested=None) -> Department | None:
    """The store a page shows: the one asked for (`?store=`), else the person's own, else the
    first they oversee; None when they see none."""
    if requested not in (None, ""):
        return store_for(user, requested)
    return store_of(user) or stores_visible_to(user).first()


def store_people(store, position: str) -> QuerySet[User]:
    """Active members of the store with a position (designers, customer managers …)."""
    return (
        User.objects.filter(
            is_active=True,
            staff__department=store,
            staff__position=position,
        )
        .exclude(staff__status=Staff.Status.LEFT)
        .select_related("staff")
        .order_by("username")
    )
