"""Pages of login defence (SPEC §9): one's own password change; for the general manager, the
login log and the account-change record. Thin: rights from crm.rights, reads from selectors;
the records themselves are written by crm.accounts wherever a log-in or change happens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from .. import rights
from ..models import AccountChange, LoginEvent
from ..paging import keyset_page
from ..selectors import account_changes, login_events


class PasswordChange(PasswordChangeView):
    """修改密码: everyone, for their own account. Django's view checks the old password,
    applies the password validators and keeps the session; crm.accounts records the change."""

    template_name = "crm/password_change.html"
    success_url = reverse_lazy("crm:dashboard")

    def form_valid(self, form):
        form.user.must_change_password = False
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


def _text_filter(request, name: str) -> str:
    return request.GET.get(name, "").replace("\x00", "").strip()[:150]


def _choice_filter(request, name: str, choices) -> str:
    value = request.GET.get(name, "")
    if value and value not in dict(choices):
        messages.error(request, _("Some filters were not understood and were ignored."))
        return ""
    return value


def _render_log(request, template: str, rows, page, context: dict):
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    context.update(
        {
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "first_id": rows[0].pk if rows else None,
            "last_id": rows[-1].pk if rows else None,
        }
    )
    return render(request, template, context)


@login_required
def login_log(request):
    """登录日志: every log-in attempt, newest first; by username tried and by outcome."""
    if not rights.may_read_login_log(request.user):
        raise Http404
    username = _text_filter(request, "username")
    outcome = _choice_filter(request, "outcome", LoginEvent.Outcome.choices)
    rows, page = keyset_page(login_events(username=username, outcome=outcome), request)
    return _render_log(
        request,
        "crm/login_log.html",
        rows,
        page,
        {
            "tab": "logins",
            "username": username,
            "outcome": outcome,
            "outcomes": LoginEvent.Outcome.choices,
        },
    )


@login_required
def account_change_list(request):
    """账户变更: passwords set, roles, departments, status and rights, before and after."""
    if not rights.may_read_login_log(request.user):
        raise Http404
    username = _text_filter(request, "username")
    field = _choice_filter(request, "field", AccountChange.Field.choices)
    rows, page = keyset_page(account_changes(username=username, field=field), request)
    return _render_log(
        request,
        "crm/account_changes.html",
        rows,
        page,
        {
            "tab": "changes",
            "username": username,
            "field": field,
            "fields": AccountChange.Field.choices,
        },
    )
