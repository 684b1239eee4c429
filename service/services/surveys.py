"""Satisfaction surveys (满意度调查; 002 第8条 / 3.3, 003 五.1–2; SPEC §11).

- A manager or the GM builds a survey: weighted questions on one scale (003 五.1 确定指标权重).
  A survey is fixed once built: its answers are read against its questions and weights.
- A campaign sends it to a chosen set of customers of a department the creator manages.
- Whoever works the customer (its holder, a department manager, the GM) records the answer of
  the call: reached or not, a score per question, an overall 满意/一般/不满意 and a comment. The
  weighted score is 100 × Σ(weight × score) / (Σ weight × scale).
- A 不满意 answer goes to the manager (SPEC §6): the manager logs a follow-up quoting it and
  verifies it through allocation's `unsatisfied_verify`, so the monthly unsatisfied rule sees it.
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from allocation.services.notices import unsatisfied_verify
from crm.errors import RuleError
from crm.models import Department
from crm.validators import happened_problem
from customers.errors import NotAllowed
from customers.models import Customer, FollowUp
from customers.services.records import followup_log

from ..models import (
    Survey,
    SurveyAnswer,
    SurveyCampaign,
    SurveyQuestion,
    SurveyResponse,
    SurveyTarget,
)
from ..rights import (
    may_build_surveys,
    may_launch_campaign,
    may_pass_to_reclaim,
    may_record_survey_answer,
)

MAX_QUESTIONS = 10


class SurveyError(RuleError):
    """A survey, campaign or answer the rules refuse."""


def weighted_score(scores: list[tuple[int, int]], scale: int) -> Decimal:
    """100 × Σ(weight × score) / (Σ weight × scale), to two decimals (half up)."""
    total_weight = sum(w for w, _s in scores)
    if not total_weight:
        return Decimal("0.00")
    value = Decimal(100 * sum(w * s for w, s in scores)) / Decimal(total_weight * scale)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def survey_create(*, actor, data: dict, now: datetime) -> Survey:
    """`data`: title, scale, questions — a list of (text, weight) in order."""
    if not may_build_surveys(actor):
        raise NotAllowed(_("Only managers and the general manager build surveys."))
    title = (data.get("title") or "").strip()
    if not title:
        raise SurveyError(_("Give the survey a title."))
    scale = int(data.get("scale") or 0)
    if not 2 <= scale <= 10:
        raise SurveyError(_("The scale runs from 2 to 10 points."))
    questions = [(str(t).strip(), int(w)) for t, w in data.get("questions") or [] if str(t).strip()]
    if not questions:
        raise SurveyError(_("A survey needs at least one question."))
    if len(questions) > MAX_QUESTIONS:
        raise SurveyError(_("A survey has at most %(n)d questions.") % {"n": MAX_QUESTIONS})
    if any(not 1 <= w <= 100 for _t, w in questions):
        raise SurveyError(_("Each question's weight is between 1 and 100."))
    survey = Survey.objects.create(title=title[:100], scale=scale, created_by=actor, created_at=now)
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(survey=survey, text=text[:200], weight=weight, order=i)
        for i, (text, weight) in enumerate(questions, start=1)
    )
    return survey


def _month_of(now: datetime) -> date:
    day = timezone.localtime(now).date()
    return day.replace(day=1)


def campaign_candidates(*, department: Department, holder=None, held_only: bool = False):
    """The customers a campaign in `department` may target: its subtree's customers, narrowed
    to one holder or to held customers."""
    qs = Customer.objects.filter(department__path__startswith=department.path)
    if holder is not None:
        qs = qs.filter(holder=holder)
    elif held_only:
        qs = qs.filter(holder__isnull=False)
    return qs


@transaction.atomic
def campaign_create(*, actor, survey: Survey, data: dict, now: datetime) -> SurveyCampaign:
    """Send `survey` to customers of a department the actor manages. `data`: name, department,
    and the choice — `customers` (ids ticked from the list) or the filters `holder`/`held_only`.
    The targets are inserted in one INSERT … SELECT (a department may hold 100,000 customers)."""
    department = data["department"]
    if not may_launch_campaign(actor, department.pk):
        raise NotAllowed(_("You may launch campaigns only in departments you manage."))
    if not survey.is_active:
        raise SurveyError(_("This survey is no longer in use."))
    name = (data.get("name") or "").strip()
    if not name:
        raise SurveyError(_("Give the campaign a name."))
    candidates = campaign_candidates(
        department=department, holder=data.get("holder"), held_only=bool(data.get("held_only"))
    )
    ticked = data.get("customers")
    if ticked:
        candidates = candidates.filter(pk__in=[int(pk) for pk in ticked])
    if not candidates.exists():
        raise SurveyError(_("No customer of the department matches the choice."))
    campaign = SurveyCampaign.objects.create(
        survey=survey,
        name=name[:100],
        department=department,
        month=_month_of(now),
        created_by=actor,
        created_at=now,
    )
    # Set-based: one statement whatever the number of customers (no rows through Python).
    select_sql, params = candidates.order_by().values("pk").query.sql_with_params()
    table, customers = SurveyTarget._meta.db_table, Customer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (campaign_id, customer_id) "  # noqa: S608 - names are ours
            f"SELECT %s, id FROM {customers} WHERE id IN ({select_sql})",
            [campaign.pk, *params],
        )
    return campaign


def _check_scores(survey: Survey, scores: dict) -> list[tuple[SurveyQuestion, int]]:
    checked = []
    for question in survey.questions.all():
        value = scores.get(question.pk)
        if value is None or value == "":
            raise SurveyError(
                _("Score every question: “%(question)s” has no score.") % {"question": question}
            )
        value = int(value)
        if not 1 <= value <= survey.scale:
            raise SurveyError(_("Scores run from 1 to %(scale)d.") % {"scale": survey.scale})
        checked.append((question, value))
    return checked


@transaction.atomic
def response_record(*, actor, target: SurveyTarget, data: dict, now: datetime) -> SurveyResponse:
    """Record the call to `target`. `data`: called_at, is_reachable, overall, comment, scores
    ({question id: score}). An unreachable call may be replaced by a later one that reached the
    customer; an answer, once given, stands."""
    target = (
        SurveyTarget.objects.select_for_update(of=("self",))
        .select_related("campaign__survey", "customer")
        .get(pk=target.pk)
    )
    if not may_record_survey_answer(actor, target.customer):
        raise NotAllowed(
            _("Only the customer's holder and the department's managers record answers.")
        )
    called_at = data["called_at"]
    problem = happened_problem(called_at, now=now)
    if problem:
        raise SurveyError(problem)
    if called_at < target.campaign.created_at:
        raise SurveyError(_("The call cannot be earlier than the campaign."))
    existing = SurveyResponse.objects.filter(target=target).first()
    if existing is not None and existing.is_reachable:
        raise SurveyError(_("This customer's answer is already recorded."))
    reachable = bool(data.get("is_reachable"))
    survey = target.campaign.survey
    overall, score, checked = "", None, []
    if reachable:
        overall = data.get("overall") or ""
        if overall not in SurveyResponse.Overall.values:
            raise SurveyError(_("Say whether the customer is satisfied overall."))
        checked = _check_scores(survey, data.get("scores") or {})
        score = weighted_score([(q.weight, s) for q, s in checked], survey.scale)
    fields = {
        "caller": actor,
        "called_at": called_at,
        "entered_at": now,
        "is_reachable": reachable,
        "overall": overall,
        "score": score,
        "comment": (data.get("comment") or "").strip()[:500],
    }
    if existing is None:
        response = SurveyResponse.objects.create(target=target, **fields)
    else:
        response = existing
        for key, value in fields.items():
            setattr(response, key, value)
        response.save(update_fields=list(fields))
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(response=response, question=q, score=s) for q, s in checked
    )
    return response


@transaction.atomic
def response_pass_to_reclaim(*, actor, response: SurveyResponse, now: datetime) -> FollowUp:
    """Pass a 不满意 answer to the unsatisfied rule (SPEC §6, §11): the manager logs a follow-up
    on the customer quoting the answer and verifies it (allocation's `unsatisfied_verify`), in
    one transaction, once per answer. Only an answer given since the holder got the customer
    counts (the rule reads follow-ups made since then)."""
    response = (
        SurveyResponse.objects.select_for_update(of=("self",))
        .select_related("target__customer", "target__campaign__survey", "caller")
        .get(pk=response.pk)
    )
    customer = response.target.customer
    if not may_pass_to_reclaim(actor, customer):
        raise NotAllowed(
            _("Only a manager of the customer's department can pass an answer to the reclaim rule.")
        )
    if response.followup_id is not None:
        raise SurveyError(_("This answer was already passed to the reclaim rule."))
    if not response.is_reachable or response.overall != SurveyResponse.Overall.UNSATISFIED:
        raise SurveyError(_("Only an unsatisfied answer can be passed to the reclaim rule."))
    if customer.holder_id is None:
        raise SurveyError(_("The customer has no holder: there is nothing to reclaim."))
    if customer.holder_since and response.called_at < customer.holder_since:
        raise SurveyError(
            _("The answer was given before the current holder got the customer: it does not count.")
        )
    local = timezone.localtime(response.called_at)
    content = _(
        "Satisfaction survey “%(survey)s”, campaign “%(campaign)s”: on %(when)s %(caller)s "
        "recorded the answer 不满意 (weighted score %(score)s). Comment: %(comment)s"
    ) % {
        "survey": response.target.campaign.survey.title,
        "campaign": response.target.campaign.name,
        "when": f"{local:%Y-%m-%d %H:%M}",
        "caller": response.caller.display_name,
        "score": response.score,
        "comment": response.comment or "—",
    }
    followup = followup_log(
        actor=actor,
        customer=customer,
        data={
            "kind": FollowUp.Kind.CALLBACK,
            "occurred_at": now,
            "content": content,
            "satisfaction": FollowUp.Satisfaction.UNSATISFIED,
        },
        now=now,
    )
    unsatisfied_verify(actor=actor, followup=followup, now=now)
    response.followup, response.passed_by, response.passed_at = followup, actor, now
    response.save(update_fields=["followup", "passed_by", "passed_at"])
    return followup
