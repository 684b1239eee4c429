"""URL × role walk and junk-input fuzz rows for service's surveys pages (same shape as
tests/sales/walk_opportunities.py; read its docstring). Surveys are read by everyone and built
by managers and the GM; a campaign's call sheet is seen by whoever sees its customers; answers
are recorded by the customer's holder and its managers; passing a 不满意 answer is a manager's."""

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.sales.codes import *  # noqa: F403

SH = ZoneInfo("Asia/Shanghai")
SURVEY_FIELDS = ("title", "scale", *(f"{k}{i}" for i in range(1, 7) for k in ("q", "w")))
ANSWER_FIELDS = ("called_at", "is_reachable", "overall", "comment", "score_1", "score_2")

WALK: dict = {
    "service:survey_list": {"codes": EVERYONE, "nav": True},  # noqa: F405
    "service:survey_new": {"codes": MANAGERS},  # noqa: F405
    "service:survey_indicators": {"codes": EVERYONE},  # noqa: F405
    "service:survey_indicators_export": {"codes": EVERYONE, "query": "year=2026"},  # noqa: F405
    "service:survey_detail": {"codes": EVERYONE, "kwargs": "survey"},  # noqa: F405
    "service:survey_campaign_new": {"codes": MANAGERS, "kwargs": "survey"},  # noqa: F405
    "service:survey_campaign": {"codes": A_SEEN, "kwargs": "survey_campaign"},  # noqa: F405
    "service:survey_answer": {"codes": A_PARTIES, "kwargs": "survey_target"},  # noqa: F405
    "service:survey_pass": {"codes": POST_ONLY, "kwargs": "survey_response"},  # noqa: F405
}
WALK_KWARGS: dict = {
    "survey": lambda w: {"pk": w.survey.pk},
    "survey_campaign": lambda w: {"pk": w.survey_campaign.pk},
    "survey_target": lambda w: {"pk": w.survey_target.pk},
    "survey_response": lambda w: {"pk": w.survey_response.pk},
}
FUZZ: dict = {
    "service:survey_list": {},
    "service:survey_new": {"post": SURVEY_FIELDS, "sweep_as": "gm"},
    "service:survey_indicators": {},
    "service:survey_indicators_export": {},
    "service:survey_detail": {"kwargs": lambda w: {"pk": w["survey"]}},
    "service:survey_campaign_new": {
        "kwargs": lambda w: {"pk": w["survey"]},
        "post": ("name", "department", "holder", "held_only"),
        "sweep_as": "gm",
    },
    "service:survey_campaign": {"kwargs": lambda w: {"pk": w["survey_campaign"]}},
    "service:survey_answer": {
        "kwargs": lambda w: {"pk": w["survey_target"]},
        "post": ANSWER_FIELDS,
        "sweep_as": "salesperson",
    },
    "service:survey_pass": {"kwargs": lambda w: {"pk": w["survey_response"]}, "sweep_as": "gm"},
}


def _world(org, customer, now) -> dict:
    """A survey, a campaign of department A calling `customer` (held by sales_a), and an
    unreachable call to it (the customer can still be called again)."""
    from service.models import SurveyTarget
    from service.services.surveys import campaign_create, response_record, survey_create

    survey = survey_create(
        actor=org.manager_a,
        data={"title": "走查满意度调查", "scale": 5, "questions": [("产品质量", 60), ("服务", 40)]},
        now=now,
    )
    campaign = campaign_create(
        actor=org.manager_a,
        survey=survey,
        data={"name": "走查回访", "department": org.a, "customers": [customer.pk]},
        now=now,
    )
    target = SurveyTarget.objects.get(campaign=campaign, customer=customer)
    response = response_record(
        actor=org.sales_a,
        target=target,
        data={"called_at": now, "is_reachable": False},
        now=now,
    )
    return {"survey": survey, "campaign": campaign, "target": target, "response": response}


def build_walk(w) -> None:
    made = _world(w.org, w.customer, datetime(2026, 4, 2, 10, 0, tzinfo=SH))
    w.survey, w.survey_campaign = made["survey"], made["campaign"]
    w.survey_target, w.survey_response = made["target"], made["response"]


def build_fuzz(org, world: dict) -> None:
    from customers.models import Customer

    customer = Customer.objects.get(pk=world["customer"])
    made = _world(org, customer, datetime(2026, 3, 3, 10, 0, tzinfo=SH))
    world["survey"], world["survey_campaign"] = made["survey"].pk, made["campaign"].pk
    world["survey_target"], world["survey_response"] = made["target"].pk, made["response"].pk
