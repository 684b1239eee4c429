"""The one base of every refusal a rule gives, in any app, and the one way views show it."""

from django.contrib import messages
from django.forms import BaseForm
from django.http import HttpRequest


class RuleError(Exception):
    """A rule refused the request; `str(error)` is the user's message, shown as it is. Each app
    derives its own (DuplicateCustomer, AllocationError, LedgerError, …)."""


class refusal:  # noqa: N801 — used as a statement: `with refusal(form) as outcome:`
    """Run a rule-checked action and turn its refusal into what the user sees:

        with refusal(form) as outcome:       # the message above the form
            service(...)
        with refusal(request) as outcome:    # a flash message on the next page
            service(...)
        with refusal() as outcome:           # the view shows `outcome.error` itself
            service(...)
        if outcome.ok: ...

    Only `RuleError` is caught; anything else (a bug) still raises. The service's own
    transaction has rolled back by the time the message is recorded."""

    def __init__(self, target: BaseForm | HttpRequest | None = None):
        self.target = target
        self.error: str | None = None

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if kind is None or not issubclass(kind, RuleError):
            return False
        self.error = str(exc)
        if isinstance(self.target, BaseForm):
            self.target.add_error(None, self.error)
        elif isinstance(self.target, HttpRequest):
            messages.error(self.target, self.error)
        return True

    @property
    def ok(self) -> bool:
        return self.error is None
