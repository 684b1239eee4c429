"""Reads of 竞争对手 (SPEC §11). The catalogue is read by every role; links are records about a
customer, scoped like every other (`sales.selectors.common.visible`)."""

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from sales.selectors.common import visible

from ..models import Competitor, CompetitorLink

COMPARE_MIN = 2
COMPARE_MAX = 4


def competitors_all() -> QuerySet[Competitor]:
    return Competitor.objects.select_related("updated_by")


def competitor_get(pk) -> Competitor:
    return get_object_or_404(competitors_all(), pk=pk)


def competitor_choices() -> list[tuple[int, str]]:
    return list(Competitor.objects.order_by("name").values_list("pk", "name"))


def links_visible_to(user) -> QuerySet[CompetitorLink]:
    """Links of the customers `user` sees unmasked."""
    return visible(CompetitorLink.objects.all(), user)


def link_for(user, pk) -> CompetitorLink:
    """One link of the user's scope; 404 outside it."""
    return get_object_or_404(
        links_visible_to(user).select_related("customer", "opportunity"), pk=pk
    )


def _with_rows(qs: QuerySet[CompetitorLink], limit: int = 200) -> list[CompetitorLink]:
    return list(
        qs.select_related("competitor", "customer", "opportunity", "added_by").order_by("-pk")[
            :limit
        ]
    )


def competitor_links(competitor: Competitor, *, user, limit: int = 200) -> list[CompetitorLink]:
    """The competitor's links the user may see (newest first, at most `limit`)."""
    return _with_rows(links_visible_to(user).filter(competitor=competitor), limit)


def customer_links(customer, *, user) -> list[CompetitorLink]:
    return _with_rows(links_visible_to(user).filter(customer=customer))


def opportunity_links(opportunity, *, user) -> list[CompetitorLink]:
    return _with_rows(links_visible_to(user).filter(opportunity=opportunity))


def visible_link_counts(competitor_ids: list[int], *, user) -> dict[int, int]:
    """{competitor id: links the user sees} for a page of competitors: one query."""
    rows = (
        links_visible_to(user)
        .filter(competitor_id__in=competitor_ids)
        .values("competitor_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["competitor_id"]: row["n"] for row in rows}


def competitors_to_compare(ids: list[int]) -> list[Competitor]:
    """The chosen competitors in the order given (unknown ids dropped, duplicates once)."""
    wanted = list(dict.fromkeys(ids))[:COMPARE_MAX]
    found = {c.pk: c for c in Competitor.objects.filter(pk__in=wanted)}
    return [found[i] for i in wanted if i in found]
