"""Handover (交接) and dispute (纠纷) pages. Thin: resolve scope (404 outside it), validate the
input's shape, call one service, show its message; nothing is written on a refusal."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from crm.fields import PlannedDateTimeField
from crm.models import Staff, User
from crm.selectors import departments_managed_by
from crm.validators import parse_id
from customers.errors import CustomerError
from customers.forms import REGISTER_FIELDS, CustomerForm
from customers.normalize import KeyFormatError

from .rights import may_manage_handovers, may_rule_disputes
from .services.disputes import (
    claimant_choices,
    dispute_logs,
    dispute_open,
    dispute_rule,
    disputes_visible_to,
)
from .services.handover import (
    handover_days,
    handover_distribute,
    handover_items,
    handover_open,
    handover_recipients,
    handovers_in_scope,
    open_handovers_for,
)


def _require(right, request) -> None:
    """Handovers and disputes are the managers' and the GM's work; anybody else gets 404."""
    if not right(request.user):
        raise Http404


# --- forms (input shape only) --------------------------------------------------------------


class HandoverOpenForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Leaving or transferring"),
        choices=[
            (Staff.Status.LEFT, gettext_lazy("Leaving the company")),
            (Staff.Status.TRANSFERRING, gettext_lazy("Transferring to another post")),
        ],
    )
    effective_at = PlannedDateTimeField(
        label=gettext_lazy("Takes effect at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("A departure ends the person's login at this moment."),
    )


class DisputeForm(forms.Form):
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=30, required=False)
    name = forms.CharField(label=gettext_lazy("Customer name"), max_length=200, required=False)
    claimant_1 = forms.ModelChoiceField(label=gettext_lazy("First claimant"), queryset=None)
    claimant_2 = forms.ModelChoiceField(label=gettext_lazy("Second claimant"), queryset=None)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        people = claimant_choices(user)
        for name in ("claimant_1", "claimant_2"):
            self.fields[name].queryset = people
            self.fields[name].label_from_instance = _person_label

    def clean(self):
        data = super().clean()
        if not (data.get("phone") or "").strip() and not (data.get("name") or "").strip():
            raise forms.ValidationError(_("Give the customer's phone number or name."))
        return data


def _person_label(user) -> str:
    staff = getattr(user, "staff", None)
    department = staff.department.name if staff and staff.department_id else ""
    return f"{user.display_name}（{department}）" if department else user.display_name


class RulingForm(forms.Form):
    winner = forms.TypedChoiceField(label=gettext_lazy("Rule for"), coerce=int, choices=())

    def __init__(self, *args, claimants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["winner"].choices = [(u.pk, _person_label(u)) for u in claimants]


# --- handovers -----------------------------------------------------------------------------


@login_required
def handover_list(request):
    """Open handovers with their countdown, recent closed ones, and the people a manager may
    mark as leaving or transferring."""
    _require(may_manage_handovers, request)
    now = timezone.now()
    people = (
        Staff.objects.filter(
            department__in=departments_managed_by(request.user), status=Staff.Status.ACTIVE
        )
        .exclude(user=request.user.pk)
        .annotate(held=Count("user__held_customers"))
        .select_related("user", "department")
        .order_by("department__path", "role", "user__username")
    )
    return render(
        request,
        "allocation/handover_list.html",
        {
            "open_handovers": open_handovers_for(request.user, now),
            "closed_handovers": handovers_in_scope(request.user)
            .filter(closed_at__isnull=False)
            .order_by("-closed_at")[:20],
            "people": people,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def handover_new(request, staff_pk: int):
    """Mark a person of a managed department as leaving or transferring (starts the handover)."""
    _require(may_manage_handovers, request)
    staff = get_object_or_404(
        Staff.objects.filter(department__in=departments_managed_by(request.user))
        .exclude(user=request.user.pk)
        .select_related("user", "department"),
        pk=staff_pk,
    )
    now = timezone.now()
    form = HandoverOpenForm(
        request.POST or None,
        initial={"status": Staff.Status.LEFT, "effective_at": timezone.localtime(now)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            handover = handover_open(
                actor=request.user,
                staff=staff,
                status=form.cleaned_data["status"],
                effective_at=form.cleaned_data["effective_at"],
                now=now,
            )
        except CustomerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(person)s: %(status)s. %(count)d customers went to the department pool.")
                % {
                    "person": staff.user.display_name,
                    "status": dict(form.fields["status"].choices)[form.cleaned_data["status"]],
                    "count": handover.items.count(),
                },
            )
            return redirect("allocation:handover_detail", pk=handover.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "allocation/handover_new.html",
        {
            "form": form,
            "staff": staff,
            "customers_held": staff.user.held_customers.count(),
            "days": handover_days(),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def handover_detail(request, pk: int):
    """The handover's customers in priority order, one recipient select each (manager)."""
    _require(may_manage_handovers, request)
    handover = get_object_or_404(handovers_in_scope(request.user), pk=pk)
    error = None
    if request.method == "POST":
        try:
            assignments = _assignments(request.POST)
            handover_distribute(
                actor=request.user,
                handover=handover,
                assignments=assignments,
                now=timezone.now(),
            )
        except CustomerError as exc:
            error = str(exc)
        else:
            handover.refresh_from_db()
            if handover.closed_at:
                messages.success(request, _("Every customer is handed out; handover closed."))
            else:
                messages.success(
                    request,
                    _("%(count)d customers handed out.") % {"count": len(assignments)},
                )
            return redirect("allocation:handover_detail", pk=handover.pk)
    items = handover_items(handover)
    for item in items:  # a refused form keeps what the manager chose
        item.chosen = request.POST.get(f"to-{item.customer_id}", "")
    return render(
        request,
        "allocation/handover_detail.html",
        {
            "handover": handover,
            "items": items,
            "recipients": list(handover_recipients(handover)),
            "waiting": sum(1 for i in items if not i.is_settled),
            "error": error,
            "now": timezone.now(),
        },
        status=400 if error else 200,
    )


class _BadInput(CustomerError):
    pass


def _assignments(post) -> dict:
    """`to-<customer id>` = `<recipient id>` fields → {customer id: recipient}. Unknown
    recipients stay in (as None) so the service refuses them with its message."""
    wanted = {}
    for key, value in post.items():
        if not key.startswith("to-") or not value:
            continue
        customer_id, recipient_id = parse_id(key[3:]), parse_id(value)
        if customer_id is None or recipient_id is None:
            raise _BadInput(_("The form was not understood; reload the page."))
        wanted[customer_id] = recipient_id
    users = User.objects.select_related("staff").in_bulk(set(wanted.values()))
    return {customer_id: users.get(user_id) for customer_id, user_id in wanted.items()}


# --- disputes ------------------------------------------------------------------------------


@login_required
def dispute_list(request):
    _require(may_rule_disputes, request)
    disputes = disputes_visible_to(request.user).prefetch_related("claims__claimant")[:100]
    return render(request, "allocation/dispute_list.html", {"disputes": disputes})


@login_required
@require_http_methods(["GET", "POST"])
def dispute_new(request):
    _require(may_rule_disputes, request)
    form = DisputeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dispute = dispute_open(
                actor=request.user,
                phone=data["phone"],
                name=data["name"],
                claimants=[data["claimant_1"], data["claimant_2"]],
                note=data["note"],
                now=timezone.now(),
            )
        except CustomerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Dispute opened."))
            return redirect("allocation:dispute_detail", pk=dispute.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "allocation/dispute_new.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def dispute_detail(request, pk: int):
    """Each claimant's inquiry-call logs for the number/name with their counts, and the ruling
    form (register the customer to the winner)."""
    _require(may_rule_disputes, request)
    dispute = get_object_or_404(disputes_visible_to(request.user), pk=pk)
    logs = dispute_logs(dispute)
    claimants = [log.claimant for log in logs]
    is_open = dispute.status == dispute.Status.OPEN
    ruling = RulingForm(request.POST or None, claimants=claimants) if is_open else None
    customer_form = (
        CustomerForm(
            request.POST or None,
            fields=REGISTER_FIELDS,
            initial={"name": dispute.name, "phone": dispute.phone},
        )
        if is_open
        else None
    )
    if request.method == "POST":
        if not is_open:
            messages.error(request, _("This dispute has already been ruled."))
            return render(
                request,
                "allocation/dispute_detail.html",
                {"dispute": dispute, "logs": logs},
                status=400,
            )
        if ruling.is_valid() and customer_form.is_valid():
            winner = next(u for u in claimants if u.pk == ruling.cleaned_data["winner"])
            try:
                customer = dispute_rule(
                    actor=request.user,
                    dispute=dispute,
                    winner=winner,
                    data=customer_form.cleaned_data,
                    now=timezone.now(),
                )
            except (CustomerError, KeyFormatError) as exc:
                ruling.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Ruled: %(customer)s is registered to %(winner)s.")
                    % {"customer": customer.name, "winner": winner.display_name},
                )
                return redirect("allocation:dispute_detail", pk=dispute.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "allocation/dispute_detail.html",
        {"dispute": dispute, "logs": logs, "ruling": ruling, "customer_form": customer_form},
        status=status,
    )
