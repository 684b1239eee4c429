"""Extras a higher app adds to the opportunity page without sales naming it (the
`customers.extras.register_detail_section` pattern): sections below the opportunity's facts.
The higher app registers in its AppConfig.ready (its wiring); the view asks here."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class OpportunitySection:
    key: str
    template: str  # one <section class="card wide">, rendered with `section` (the dict below)
    # (opportunity, *, user) -> dict, or None to leave the section out: a fixed number of
    # queries. The opportunity was read through the user's scope (`opportunity_for`).
    context: Callable
    order: int


_SECTIONS: dict[str, OpportunitySection] = {}


def register_opportunity_section(key: str, *, template: str, context: Callable, order: int) -> None:
    _SECTIONS[key] = OpportunitySection(key, template, context, order)


def opportunity_sections(opportunity, *, user) -> list[dict]:
    """[{key, template, section}] of the registered sections that have something to show."""
    shown = []
    for section in sorted(_SECTIONS.values(), key=lambda s: s.order):
        data = section.context(opportunity, user=user)
        if data is not None:
            shown.append({"key": section.key, "template": section.template, "section": data})
    return shown
