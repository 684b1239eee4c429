"""Evidence a higher app shows on a ledger entry's page (the complaint behind a
CONTACT_REGISTERED proposal, …), so penalties never names the app that holds it.

A provider is `fn(entry, user) -> (template, context) | None`; the entry's page renders every
provider's template (in registration order) under the entry's own evidence. A provider checks
what `user` may see itself and answers None when it has nothing (or nothing to show)."""

from collections.abc import Callable

from django.template.loader import render_to_string

Provider = Callable[..., tuple[str, dict] | None]
_PROVIDERS: list[Provider] = []


def register_entry_evidence(fn: Provider) -> None:
    if all(existing is not fn for existing in _PROVIDERS):
        _PROVIDERS.append(fn)


def entry_evidence(entry, user, request=None) -> list[str]:
    """The rendered evidence blocks of `entry` for `user` (safe HTML strings)."""
    blocks = []
    for provider in _PROVIDERS:
        answer = provider(entry, user)
        if answer:
            template, context = answer
            blocks.append(render_to_string(template, context, request=request))
    return blocks
