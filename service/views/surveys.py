"""Satisfaction survey pages (SPEC §11): surveys and campaigns, the call sheet of a campaign,
recording an answer, passing a 不满意 answer to the reclaim rule, and the indicators with an
Excel export logged like every export (SPEC §9). Scope: `service.selectors.surveys`."""

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook

from crm import xlsx
from crm.errors import refusal
from crm.paging import keyset_page
from crm.selectors import departments_managed_by
from customers.views.exports import audited_export

from ..forms_surveys import CampaignForm, IndicatorsForm, ResponseForm, SurveyForm
from ..models import Survey
from ..rights import (
    may_build_surveys,
    may_pass_to_reclaim,
    may_record_survey_answer,
    may_see_surveys,
)
from ..selectors.surveys import (
    campaign_targets,
    campaigns_visible_to,
    indicators,
    responses_visible_to,
    surveys_all,
    targets_visible_to,
)
from ..services.surveys import (
    campaign_create,
    response_pass_to_reclaim,
    response_record,
    survey_create,
)

INDICATORS_FILE = pgettext_lazy("file name", "satisfaction-%(period)s.xlsx")


def _require(user) -> None:
    if not may_see_surveys(user):
        raise Http404


def _require_builder(user) -> None:
    if not may_build_surveys(user):
        raise Http404


@login_required
@require_GET
def survey_list(request):
    """满意度调查: the surveys and the campaigns the viewer sees."""
    _require(request.user)
    rows, page = keyset_page(campaigns_visible_to(request.user), request)
    return render(
        request,
        "service/survey_list.html",
        {
            "surveys": list(surveys_all()[:50]),
            "rows": rows,
            "page": page,
            "first_id": rows[0].pk if rows else None,
            "last_id": rows[-1].pk if rows else None,
            "query": "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_new(request):
    _require_builder(request.user)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal(form) as outcome:
            survey = survey_create(actor=request.user, data=form.service_data(), now=timezone.now())
        if outcome.ok:
            messages.success(request, _("The survey was created."))
            return redirect("service:survey_detail", pk=survey.pk)
    return render(request, "service/survey_new.html", {"form": form})


@login_required
@require_GET
def survey_detail(request, pk: int):
    _require(request.user)
    survey = get_object_or_404(Survey, pk=pk)
    campaigns = campaigns_visible_to(request.user).filter(survey=survey).order_by("-pk")[:50]
    return render(
        request,
        "service/survey_detail.html",
        {
            "survey": survey,
            "questions": list(survey.questions.all()),
            "campaigns": list(campaigns),
            "may_launch": may_build_surveys(request.user) and survey.is_active,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_campaign_new(request, pk: int):
    _require_builder(request.user)
    survey = get_object_or_404(Survey, pk=pk, is_active=True)
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with refusal(form) as outcome:
            campaign = campaign_create(
                actor=request.user, survey=survey, data=form.cleaned_data, now=timezone.now()
            )
        if outcome.ok:
            messages.success(request, _("The campaign was launched."))
            return redirect("service:survey_campaign", pk=campaign.pk)
    return render(request, "service/survey_campaign_new.html", {"form": form, "survey": survey})


@login_required
@require_GET
def survey_campaign(request, pk: int):
    """The call sheet: the campaign's customers the viewer sees, with their answers."""
    _require(request.user)
    campaign = get_object_or_404(campaigns_visible_to(request.user), pk=pk)
    rows, page = keyset_page(campaign_targets(campaign, request.user), request)
    managed = set(departments_managed_by(request.user).values_list("pk", flat=True))
    for target in rows:
        answered = hasattr(target, "response") and target.response.is_reachable
        target.may_call = not answered and may_record_survey_answer(
            request.user, target.customer, managed
        )
        target.may_pass = may_pass_to_reclaim(request.user, target.customer, managed)
    return render(
        request,
        "service/survey_campaign.html",
        {
            "campaign": campaign,
            "rows": rows,
            "page": page,
            "first_id": rows[0].pk if rows else None,
            "last_id": rows[-1].pk if rows else None,
            "query": "",
        },
    )


def _target_for(user, pk: int):
    return get_object_or_404(
        targets_visible_to(user).select_related("campaign__survey", "customer"), pk=pk
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_answer(request, pk: int):
    """Record the call to one customer of a campaign."""
    _require(request.user)
    target = _target_for(request.user, pk)
    if not may_record_survey_answer(request.user, target.customer):
        raise Http404
    survey = target.campaign.survey
    initial = {"called_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    form = ResponseForm(request.POST or None, survey=survey, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusal(form) as outcome:
            response_record(
                actor=request.user, target=target, data=form.service_data(), now=timezone.now()
            )
        if outcome.ok:
            messages.success(request, _("The answer was recorded."))
            return redirect("service:survey_campaign", pk=target.campaign_id)
    return render(
        request, "service/survey_answer.html", {"form": form, "target": target, "survey": survey}
    )


@login_required
@require_POST
def survey_pass(request, pk: int):
    """Pass a 不满意 answer to the manager's verification (the unsatisfied reclaim rule)."""
    _require(request.user)
    response = get_object_or_404(
        responses_visible_to(request.user).select_related("target__customer"), pk=pk
    )
    if not may_pass_to_reclaim(request.user, response.target.customer):
        raise Http404
    with refusal(request) as outcome:
        response_pass_to_reclaim(actor=request.user, response=response, now=timezone.now())
    if outcome.ok:
        messages.success(
            request, _("The unsatisfied answer was verified: the reclaim rule will see it.")
        )
    return redirect("service:survey_campaign", pk=response.target.campaign_id)


# --- indicators ------------------------------------------------------------------------------


def _indicators(request):
    today = timezone.localdate()
    form = IndicatorsForm(request.GET, user=request.user, today=today)
    form.is_valid()
    report = indicators(
        user=request.user,
        year=form.value("year", today.year),
        department=form.value("department"),
    )
    return form, report


@login_required
@require_GET
def survey_indicators(request):
    """满意度指标 per department and month."""
    _require(request.user)
    form, report = _indicators(request)
    return render(
        request,
        "service/survey_indicators.html",
        {
            "form": form,
            "report": report,
            "prev_year": report.year - 1,
            "next_year": report.year + 1,
            "query": request.GET.urlencode(),
        },
    )


def _blank(value):
    return "" if value is None else value


@login_required
@require_GET
def survey_indicators_export(request):
    _require(request.user)
    form, report = _indicators(request)

    def build():
        book = Workbook()
        table = xlsx.Table(
            book.active,
            [
                _("Month"),
                _("Department"),
                _("Targeted"),
                _("Reached"),
                _("Response rate (%)"),
                _("Average weighted score"),
                _("Satisfied rate (%)"),
                _("Unsatisfied"),
            ],
        )
        lines = [(f"{r.month:%Y-%m}", r.department, r) for r in report.rows]
        lines.append((_("Total"), "", report.total))
        for month, department, r in lines:
            table.append(
                [
                    month,
                    department,
                    r.targeted,
                    r.reached,
                    _blank(r.response_rate),
                    _blank(r.average_score),
                    _blank(r.satisfied_rate),
                    r.unsatisfied,
                ]
            )
        table.close()
        out = BytesIO()
        book.save(out)
        response = HttpResponse(out.getvalue(), content_type=xlsx.XLSX_CONTENT_TYPE)
        return xlsx.attach(response, xlsx.FileName.of(INDICATORS_FILE, period=report.year)), len(
            lines
        )

    query = request.GET.urlencode()
    refused_url = reverse("service:survey_indicators") + (f"?{query}" if query else "")
    return audited_export(
        request,
        list_name="satisfaction_indicators",
        build=build,
        refused_url=refused_url,
        year=report.year,
    )
