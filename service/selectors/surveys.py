"""Reads of the satisfaction surveys (SPEC §11), scoped like every record about a customer
(SPEC §1, `sales.selectors.common.visible`): a salesperson sees the targets they hold; a
manager or an accountant their departments'; the GM everything."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from crm.models import Department
from sales.selectors.common import visible

from ..models import Survey, SurveyCampaign, SurveyResponse, SurveyTarget

U = SurveyResponse.Overall.UNSATISFIED
S = SurveyResponse.Overall.SATISFIED


def surveys_all() -> QuerySet[Survey]:
    """The company's surveys (not customer data: every role may read the questions)."""
    return Survey.objects.annotate(n_questions=Count("questions")).order_by("-is_active", "-pk")


def targets_visible_to(user) -> QuerySet[SurveyTarget]:
    return visible(SurveyTarget.objects.all(), user)


def campaigns_visible_to(user) -> QuerySet[SurveyCampaign]:
    """Campaigns with at least one target the user sees."""
    seen = targets_visible_to(user).filter(campaign=OuterRef("pk"))
    return (
        SurveyCampaign.objects.filter(Exists(seen))
        .select_related("survey", "department", "created_by")
        .annotate(
            n_targets=Count("targets", distinct=True),
            n_answered=Count("targets__response", distinct=True),
        )
    )


def campaign_targets(campaign: SurveyCampaign, user) -> QuerySet[SurveyTarget]:
    """The campaign's targets the user sees, with what the list shows (a fixed number of
    queries per page)."""
    return (
        targets_visible_to(user)
        .filter(campaign=campaign)
        .select_related("customer__holder__staff", "response__caller__staff")
    )


def responses_visible_to(user) -> QuerySet[SurveyResponse]:
    return visible(SurveyResponse.objects.all(), user, prefix="target__customer__")


@dataclass
class IndicatorRow:
    """满意度指标 of one department and month (or the total)."""

    department: str
    month: date | None
    targeted: int = 0
    reached: int = 0
    score_sum: Decimal = Decimal("0")
    satisfied: int = 0
    unsatisfied: int = 0

    @property
    def response_rate(self) -> Decimal | None:
        """Reached ÷ targeted, in percent."""
        return _percent(self.reached, self.targeted)

    @property
    def average_score(self) -> Decimal | None:
        """Mean weighted score (0–100) of the answers that reached the customer."""
        if not self.reached:
            return None
        return (self.score_sum / self.reached).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def satisfied_rate(self) -> Decimal | None:
        """满意率: 满意 answers ÷ answers, in percent."""
        return _percent(self.satisfied, self.reached)


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Indicators:
    year: int
    rows: list[IndicatorRow] = field(default_factory=list)
    total: IndicatorRow = field(default_factory=lambda: IndicatorRow("", None))


def indicators(*, user, year: int, department: Department | None = None) -> Indicators:
    """Per department of the customer and month of the campaign: targeted customers, answers
    that reached them, response rate, mean weighted score, 满意率 and 不满意 count — one
    grouped query over the targets the user sees (SPEC §1)."""
    qs = targets_visible_to(user).filter(campaign__month__year=year)
    if department is not None:
        qs = qs.filter(customer__department__path__startswith=department.path)
    reached = Q(response__is_reachable=True)
    grouped = (
        qs.values("customer__department", "customer__department__name", "campaign__month")
        .annotate(
            targeted=Count("pk"),
            reached=Count("pk", filter=reached),
            score_sum=Sum("response__score", filter=reached),
            satisfied=Count("pk", filter=reached & Q(response__overall=S)),
            unsatisfied=Count("pk", filter=reached & Q(response__overall=U)),
        )
        .order_by("campaign__month", "customer__department__name")
    )
    result = Indicators(year=year)
    for g in grouped:
        row = IndicatorRow(
            department=g["customer__department__name"] or "—",
            month=g["campaign__month"],
            targeted=g["targeted"],
            reached=g["reached"],
            score_sum=Decimal(g["score_sum"] or 0),
            satisfied=g["satisfied"],
            unsatisfied=g["unsatisfied"],
        )
        result.rows.append(row)
        t = result.total
        t.targeted += row.targeted
        t.reached += row.reached
        t.score_sum += row.score_sum
        t.satisfied += row.satisfied
        t.unsatisfied += row.unsatisfied
    return result
