"""Satisfaction surveys (满意度调查; 002 第8条, 003 五.1–2; SPEC §11): a survey of weighted
questions on one scale, sent as a campaign to a chosen set of customers; whoever calls records
the answers; a verified 不满意 answer can feed the unsatisfied reclaim rule (SPEC §6)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Survey(models.Model):
    """满意度调查问卷: fixed once created (its answers are read against its questions)."""

    title = models.CharField(_("survey title"), max_length=100)
    scale = models.PositiveSmallIntegerField(
        _("scale (highest score)"),
        validators=[MinValueValidator(2), MaxValueValidator(10)],
        default=5,
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")

    def __str__(self) -> str:
        return self.title


class SurveyQuestion(models.Model):
    """A question and its weight (权重, 003 五.1: 确定指标权重)."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions"
    )
    text = models.CharField(_("question"), max_length=200)
    weight = models.PositiveSmallIntegerField(
        _("weight"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text


class SurveyCampaign(models.Model):
    """One sending of a survey to customers of a department (调查批次). `month` is the month
    the indicators count it in."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="campaigns"
    )
    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        "crm.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    month = models.DateField(_("month"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")

    def __str__(self) -> str:
        return self.name


class SurveyTarget(models.Model):
    """A customer the campaign calls."""

    campaign = models.ForeignKey(
        SurveyCampaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="targets"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("survey target")
        verbose_name_plural = _("survey targets")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "customer"], name="survey_target_once_per_campaign"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.customer_id}"


class SurveyResponse(models.Model):
    """The answer of one target (one per target: an unreachable call may be replaced by a later
    call that reached the customer). `score` is the weighted score 0–100."""

    class Overall(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        NEUTRAL = "neutral", _("Neutral")
        UNSATISFIED = "unsatisfied", _("Unsatisfied")

    target = models.OneToOneField(
        SurveyTarget,
        verbose_name=_("survey target"),
        on_delete=models.CASCADE,
        related_name="response",
    )
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("called by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    called_at = models.DateTimeField(_("called at"))
    entered_at = models.DateTimeField(_("entered at"))
    is_reachable = models.BooleanField(_("reached the customer"), default=True)
    overall = models.CharField(_("overall"), max_length=20, choices=Overall.choices, blank=True)
    score = models.DecimalField(
        _("weighted score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    # 不满意 → the manager (SPEC §6): the follow-up the manager logged and verified for it.
    followup = models.OneToOneField(
        "customers.FollowUp",
        verbose_name=_("verified follow-up"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    passed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("passed on by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    passed_at = models.DateTimeField(_("passed on at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")

    def __str__(self) -> str:
        return f"{self.target_id}: {self.overall or '-'}"


class SurveyAnswer(models.Model):
    """One question's score in a response."""

    response = models.ForeignKey(
        SurveyResponse,
        verbose_name=_("survey answer"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    question = models.ForeignKey(
        SurveyQuestion, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        verbose_name = _("question score")
        verbose_name_plural = _("question scores")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="survey_answer_once_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.score}"
