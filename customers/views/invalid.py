"""设为无效客户 / 恢复有效 (004 客户追访流程 1.C). Thin: the customer through
`customers_visible_to` (404 outside), 404 for anyone who may not judge it, the GET page is the
confirmation step, the POST one service call."""

from constance import config
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crm.errors import refusal

from ..forms import ValidityForm
from ..rights import may_judge_validity
from ..selectors import customers_visible_to, own_revisit
from ..services import customer_declare_invalid, customer_restore_valid
from ..services.invalid import CHANGE_REASON_MAX, REASON_MAX


def _judge(request, pk: int, *, declare: bool):
    customer = get_object_or_404(
        customers_visible_to(request.user).select_related("holder", "department"), pk=pk
    )
    if not may_judge_validity(request.user, customer):
        raise Http404
    now = timezone.now()
    form = ValidityForm(
        request.POST or None, max_length=REASON_MAX if declare else CHANGE_REASON_MAX
    )
    if request.method == "POST" and form.is_valid():
        service = customer_declare_invalid if declare else customer_restore_valid
        with refusal(form) as outcome:
            service(
                actor=request.user,
                customer=customer,
                reason=form.cleaned_data["reason"],
                now=now,
            )
        if outcome.ok:
            done = (
                _("%(name)s is now an invalid customer.")
                if declare
                else _("%(name)s counts as a valid customer again.")
            )
            messages.success(request, done % {"name": customer.name})
            return redirect("customers:detail", pk=customer.pk)
    return render(
        request,
        "customers/validity_form.html",
        {
            "customer": customer,
            "form": form,
            "declare": declare,
            "revisit": own_revisit(request.user, customer, now=now) if declare else None,
            "revisit_days": config.INVALID_REVISIT_DAYS,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def declare_invalid(request, pk: int):
    return _judge(request, pk, declare=True)


@login_required
@require_http_methods(["GET", "POST"])
def restore_valid(request, pk: int):
    return _judge(request, pk, declare=False)
