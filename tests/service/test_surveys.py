"""Satisfaction surveys (SPEC §11; 002 第8条, 003 五): weighted scores, indicators per
department and month (hand-computed), the 不满意 → manager → unsatisfied rule path (SPEC §6),
rights and scope (SPEC §1), constant query counts."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from allocation.models import UnsatisfiedVerification
from allocation.services.reclaim import reclaim_run, unsatisfied_latest
from customers.errors import NotAllowed
from customers.models import Customer, ExportLog, FollowUp
from customers.services import followup_log
from service.models import Survey, SurveyResponse, SurveyTarget
from service.selectors.surveys import indicators
from service.services.surveys import (
    SurveyError,
    campaign_create,
    response_pass_to_reclaim,
    response_record,
    survey_create,
    weighted_score,
)
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
QUESTIONS = [("产品质量", 40), ("交货及时", 25), ("服务态度", 20), ("售后速度", 15)]


def at(y, m, d, h=10):
    return datetime(y, m, d, h, 0, tzinfo=SH)


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def _survey(org):
    return survey_create(
        actor=org.manager_a,
        data={"title": "季度满意度调查", "scale": 5, "questions": QUESTIONS},
        now=at(2026, 2, 1),
    )


def _answer(actor, target, scores, overall, *, day):
    ids = [q.pk for q in target.campaign.survey.questions.all()]
    return response_record(
        actor=actor,
        target=target,
        data={
            "called_at": at(*day, 15),
            "is_reachable": True,
            "overall": overall,
            "comment": "客户反馈",
            "scores": dict(zip(ids, scores, strict=True)),
        },
        now=at(*day, 16),
    )


def _target(campaign, customer):
    return SurveyTarget.objects.select_related("campaign__survey").get(
        campaign=campaign, customer=customer
    )


@pytest.fixture
def world(org):
    """Department A: c1, c2, c3 held by sales_a, called in March (c1 满意, c2 不满意, c3 not
    reached), c1 again in April (一般). Department B: d1, d2 held by sales_b, March, both 满意."""
    survey = _survey(org)
    c1, c2, c3 = (register(org.sales_a) for _ in range(3))
    d1, d2 = (register(org.sales_b) for _ in range(2))
    march_a = campaign_create(
        actor=org.manager_a,
        survey=survey,
        data={"name": "华东三月", "department": org.a, "holder": org.sales_a},
        now=at(2026, 3, 5),
    )
    april_a = campaign_create(
        actor=org.manager_a,
        survey=survey,
        data={"name": "华东四月", "department": org.a, "customers": [c1.pk]},
        now=at(2026, 4, 3),
    )
    march_b = campaign_create(
        actor=org.manager_b,
        survey=survey,
        data={"name": "华南三月", "department": org.b, "held_only": True},
        now=at(2026, 3, 5),
    )
    responses = {
        "c1": _answer(
            org.sales_a, _target(march_a, c1), [5, 5, 4, 5], "satisfied", day=(2026, 3, 6)
        ),
        "c2": _answer(
            org.sales_a, _target(march_a, c2), [2, 1, 3, 2], "unsatisfied", day=(2026, 3, 6)
        ),
        "c1_april": _answer(
            org.manager_a, _target(april_a, c1), [4, 3, 4, 3], "neutral", day=(2026, 4, 6)
        ),
        "d1": _answer(
            org.sales_b, _target(march_b, d1), [3, 4, 5, 5], "satisfied", day=(2026, 3, 7)
        ),
        "d2": _answer(
            org.manager_b, _target(march_b, d2), [5, 5, 5, 5], "satisfied", day=(2026, 3, 7)
        ),
    }
    response_record(
        actor=org.sales_a,
        target=_target(march_a, c3),
        data={"called_at": at(2026, 3, 6, 11), "is_reachable": False},
        now=at(2026, 3, 6, 12),
    )
    return {
        "survey": survey,
        "march_a": march_a,
        "april_a": april_a,
        "march_b": march_b,
        "customers": {"c1": c1, "c2": c2, "c3": c3, "d1": d1, "d2": d2},
        "responses": responses,
    }


# --- weighted score ---------------------------------------------------------------------------


def test_weighted_score_is_weighted_sum_over_full_marks():
    # 40×5 + 25×5 + 20×4 + 15×5 = 480 of 100×5 = 500 → 96
    assert weighted_score([(40, 5), (25, 5), (20, 4), (15, 5)], 5) == Decimal("96.00")
    # 40×2 + 25×1 + 20×3 + 15×2 = 195 of 500 → 39
    assert weighted_score([(40, 2), (25, 1), (20, 3), (15, 2)], 5) == Decimal("39.00")
    # 1×7 + 2×3 = 13 of 3×10 → 43.333… → 43.33
    assert weighted_score([(1, 7), (2, 3)], 10) == Decimal("43.33")


def test_recorded_answers_carry_their_weighted_scores(world):
    r = world["responses"]
    assert [r[k].score for k in ("c1", "c2", "c1_april", "d1", "d2")] == [
        Decimal("96.00"),
        Decimal("39.00"),
        Decimal("72.00"),  # 160 + 75 + 80 + 45 = 360 / 500
        Decimal("79.00"),  # 120 + 100 + 100 + 75 = 395 / 500
        Decimal("100.00"),
    ]


# --- indicators, hand-computed ----------------------------------------------------------------


def _rows(report):
    return {
        (f"{r.month:%Y-%m}", r.department): (
            r.targeted,
            r.reached,
            r.response_rate,
            r.average_score,
            r.satisfied_rate,
            r.unsatisfied,
        )
        for r in report.rows
    }


def test_indicators_per_department_and_month_hand_computed(org, world):
    report = indicators(user=org.gm, year=2026)
    assert _rows(report) == {
        # 3 targeted, 2 reached (c3 not), (96 + 39) / 2, 1 满意 of 2, 1 不满意
        ("2026-03", "华东销售部"): (3, 2, Decimal("66.7"), Decimal("67.50"), Decimal("50.0"), 1),
        ("2026-04", "华东销售部"): (1, 1, Decimal("100.0"), Decimal("72.00"), Decimal("0.0"), 0),
        # (79 + 100) / 2
        ("2026-03", "华南销售部"): (2, 2, Decimal("100.0"), Decimal("89.50"), Decimal("100.0"), 0),
    }
    t = report.total
    # 6 targeted, 5 reached; (96 + 39 + 72 + 79 + 100) / 5 = 386 / 5; 3 满意 of 5
    assert (t.targeted, t.reached, t.response_rate, t.average_score, t.satisfied_rate) == (
        6,
        5,
        Decimal("83.3"),
        Decimal("77.20"),
        Decimal("60.0"),
    )
    assert t.unsatisfied == 1
    assert indicators(user=org.gm, year=2025).rows == []


def test_indicators_are_scoped_by_the_customers_department(org, world):
    assert set(_rows(indicators(user=org.manager_a, year=2026))) == {
        ("2026-03", "华东销售部"),
        ("2026-04", "华东销售部"),
    }
    assert set(_rows(indicators(user=org.manager_b, year=2026))) == {("2026-03", "华南销售部")}
    assert set(_rows(indicators(user=org.accountant_b, year=2026))) == {("2026-03", "华南销售部")}
    # a salesperson counts the customers they hold
    assert indicators(user=org.sales_a2, year=2026).rows == []
    only_b = indicators(user=org.gm, year=2026, department=org.b)
    assert set(_rows(only_b)) == {("2026-03", "华南销售部")}


def test_indicators_page_and_export_agree_and_the_export_is_logged(org, world, login):
    client = login(org.gm)
    page = client.get(reverse("service:survey_indicators"), {"year": 2026})
    assert page.status_code == 200
    html = page.content.decode()
    assert "67.50" in html and "89.50" in html and "77.20" in html
    export = client.get(reverse("service:survey_indicators_export"), {"year": 2026})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    log = ExportLog.objects.get(list_name="satisfaction_indicators")
    assert (log.actor_id, log.rows, log.is_refused) == (org.gm.pk, 4, False)


# --- 不满意 → the manager → the unsatisfied reclaim rule ----------------------------------------


def _unsatisfied_due(as_of, now):
    return set(
        reclaim_run(policy_code="unsatisfied", as_of=as_of, now=now, dry_run=True).would_move
    )


def test_passing_an_unsatisfied_answer_feeds_the_monthly_unsatisfied_rule(org, world):
    c1, c2 = world["customers"]["c1"], world["customers"]["c2"]
    # the holder keeps following both up: the no-follow-up rule is not due on 04-01
    for customer in (c1, c2):
        followup_log(
            actor=org.sales_a,
            customer=customer,
            data={
                "kind": "callback",
                "occurred_at": at(2026, 3, 20),
                "content": "电话回访，客户说明了安装拖延的情况。",
            },
            now=at(2026, 3, 20, 11),
        )
    assert _unsatisfied_due(as_of=datetime(2026, 4, 1).date(), now=at(2026, 4, 1, 0)) == set()

    followup = response_pass_to_reclaim(
        actor=org.manager_a, response=world["responses"]["c2"], now=at(2026, 3, 10)
    )
    assert FollowUp.objects.filter(customer=c2, author=org.manager_a).count() == 1
    assert (followup.satisfaction, followup.kind) == ("unsatisfied", "callback")
    assert "不满意" in followup.content and "39.00" in followup.content
    assert UnsatisfiedVerification.objects.filter(followup=followup, withdrawn_at=None).count() == 1
    response = SurveyResponse.objects.get(pk=world["responses"]["c2"].pk)
    assert (response.followup_id, response.passed_by_id) == (followup.pk, org.manager_a.pk)

    # the rule's own condition, and its run on the 1st: c2 goes, c1 stays
    assert set(Customer.objects.filter(unsatisfied_latest()).values_list("pk", flat=True)) == {
        c2.pk
    }
    assert _unsatisfied_due(as_of=datetime(2026, 4, 1).date(), now=at(2026, 4, 1, 0)) == {c2.pk}


def test_an_answer_is_passed_once(org, world, english):
    response = world["responses"]["c2"]
    response_pass_to_reclaim(actor=org.manager_a, response=response, now=at(2026, 3, 10))
    with pytest.raises(SurveyError, match="already passed"):
        response_pass_to_reclaim(actor=org.gm, response=response, now=at(2026, 3, 11))
    assert (
        UnsatisfiedVerification.objects.filter(followup__customer=response.target.customer).count()
        == 1
    )
    assert FollowUp.objects.filter(customer=response.target.customer).count() == 1


def test_only_unsatisfied_answers_are_passed(org, world, english):
    for key in ("c1", "c1_april"):
        with pytest.raises(SurveyError, match="Only an unsatisfied answer"):
            response_pass_to_reclaim(
                actor=org.manager_a, response=world["responses"][key], now=at(2026, 4, 10)
            )
    assert not UnsatisfiedVerification.objects.exists()


def test_only_the_departments_manager_or_gm_passes(org, world, english):
    response = world["responses"]["c2"]
    for person in (org.sales_a, org.accountant_a, org.manager_b):
        with pytest.raises(NotAllowed):
            response_pass_to_reclaim(actor=person, response=response, now=at(2026, 3, 10))
    response_pass_to_reclaim(actor=org.gm, response=response, now=at(2026, 3, 10))


def test_an_answer_before_the_current_holder_got_the_customer_does_not_count(org, world, english):
    from customers.services import ownership_transfer

    c2 = world["customers"]["c2"]
    ownership_transfer(
        actor=org.manager_a,
        customer=c2,
        to_holder=org.sales_a2,
        kind="distributed",
        now=at(2026, 3, 8),
    )
    with pytest.raises(SurveyError, match="before the current holder"):
        response_pass_to_reclaim(
            actor=org.manager_a, response=world["responses"]["c2"], now=at(2026, 3, 10)
        )


# --- recording answers -------------------------------------------------------------------------


def test_a_salesperson_records_answers_only_for_customers_they_hold(org, world, english):
    c3_target = _target(world["march_a"], world["customers"]["c3"])
    for person in (org.sales_a2, org.accountant_a, org.manager_b, org.sales_b):
        with pytest.raises(NotAllowed):
            _answer(person, c3_target, [5, 5, 5, 5], "satisfied", day=(2026, 3, 9))
    # the unreachable call is replaced by the one that reached the customer
    response = _answer(org.sales_a, c3_target, [5, 5, 5, 5], "satisfied", day=(2026, 3, 9))
    assert response.is_reachable and response.score == Decimal("100.00")
    assert SurveyResponse.objects.filter(target=c3_target).count() == 1
    with pytest.raises(SurveyError, match="already recorded"):
        _answer(org.manager_a, c3_target, [1, 1, 1, 1], "unsatisfied", day=(2026, 3, 10))


def test_an_answer_needs_every_score_on_the_scale_and_a_past_call(org, world, english):
    target = _target(world["march_a"], world["customers"]["c3"])
    ids = [q.pk for q in world["survey"].questions.all()]
    base = {"is_reachable": True, "overall": "neutral", "called_at": at(2026, 3, 9)}
    with pytest.raises(SurveyError, match="Score every question"):
        response_record(
            actor=org.sales_a,
            target=target,
            data={**base, "scores": {ids[0]: 3}},
            now=at(2026, 3, 9, 12),
        )
    with pytest.raises(SurveyError, match="Scores run from 1 to 5"):
        response_record(
            actor=org.sales_a,
            target=target,
            data={**base, "scores": dict.fromkeys(ids, 6)},
            now=at(2026, 3, 9, 12),
        )
    with pytest.raises(SurveyError, match="future"):
        response_record(
            actor=org.sales_a,
            target=target,
            data={**base, "called_at": at(2026, 3, 10), "scores": dict.fromkeys(ids, 3)},
            now=at(2026, 3, 9, 12),
        )


def test_campaigns_only_in_departments_one_manages(org, world, english):
    with pytest.raises(NotAllowed):
        campaign_create(
            actor=org.manager_a,
            survey=world["survey"],
            data={"name": "越权", "department": org.b},
            now=at(2026, 5, 1),
        )
    with pytest.raises(NotAllowed):
        survey_create(
            actor=org.sales_a,
            data={"title": "x", "scale": 5, "questions": QUESTIONS},
            now=at(2026, 5, 1),
        )


# --- pages: rights and scope -----------------------------------------------------------------


def test_other_departments_campaign_and_answers_answer_404(org, world, login):
    march_a = world["march_a"]
    c3_target = _target(march_a, world["customers"]["c3"])
    c2_response = world["responses"]["c2"]
    for person in (org.manager_b, org.sales_b, org.accountant_b):
        client = login(person)
        assert client.get(reverse("service:survey_campaign", args=[march_a.pk])).status_code == 404
        assert client.get(reverse("service:survey_answer", args=[c3_target.pk])).status_code == 404
        assert client.post(reverse("service:survey_pass", args=[c2_response.pk])).status_code == 404
    assert not UnsatisfiedVerification.objects.exists()
    # A's accountant reads the call sheet but records no answer
    client = login(org.accountant_a)
    assert client.get(reverse("service:survey_campaign", args=[march_a.pk])).status_code == 200
    assert client.get(reverse("service:survey_answer", args=[c3_target.pk])).status_code == 404
    assert client.get(reverse("service:survey_new")).status_code == 404


def test_the_holder_records_an_answer_through_the_page(org, world, login):
    target = _target(world["march_a"], world["customers"]["c3"])
    ids = [q.pk for q in world["survey"].questions.all()]
    client = login(org.sales_a)
    url = reverse("service:survey_answer", args=[target.pk])
    assert client.get(url).status_code == 200
    data = {"called_at": "2026-03-09T15:00", "is_reachable": "yes", "overall": "satisfied"}
    data.update({f"score_{i}": "4" for i in range(1, len(ids) + 1)})
    response = client.post(url, data)
    assert response.status_code == 302
    assert SurveyResponse.objects.get(target=target).score == Decimal("80.00")


def test_the_manager_passes_through_the_page(org, world, login):
    response = world["responses"]["c2"]
    client = login(org.manager_a)
    page = client.get(reverse("service:survey_campaign", args=[world["march_a"].pk]))
    assert reverse("service:survey_pass", args=[response.pk]) in page.content.decode()
    assert client.post(reverse("service:survey_pass", args=[response.pk])).status_code == 302
    assert (
        UnsatisfiedVerification.objects.filter(followup__customer=response.target.customer).count()
        == 1
    )


def test_a_manager_creates_a_survey_and_launches_a_campaign_through_the_pages(org, login):
    register(org.sales_a)
    register(org.sales_a2)
    client = login(org.manager_a)
    data = {
        "title": "安装满意度",
        "scale": "10",
        "q1": "安装质量",
        "w1": "60",
        "q2": "准时",
        "w2": "40",
    }
    response = client.post(reverse("service:survey_new"), data)
    assert response.status_code == 302
    survey = Survey.objects.get(title="安装满意度")
    assert [(q.text, q.weight) for q in survey.questions.all()] == [("安装质量", 60), ("准时", 40)]
    response = client.post(
        reverse("service:survey_campaign_new", args=[survey.pk]),
        {"name": "四月安装回访", "department": org.a.pk, "holder": org.sales_a2.pk},
    )
    assert response.status_code == 302
    assert SurveyTarget.objects.filter(campaign__survey=survey).count() == 1
    # B is not A's manager's to choose
    response = client.post(
        reverse("service:survey_campaign_new", args=[survey.pk]),
        {"name": "越权", "department": org.b.pk},
    )
    assert response.status_code == 200
    assert SurveyTarget.objects.filter(campaign__survey=survey).count() == 1


# --- query counts ------------------------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_lists_cost_the_same_queries_for_one_or_many_rows(org, login):
    survey = _survey(org)
    one = register(org.sales_a)
    small = campaign_create(
        actor=org.manager_a,
        survey=survey,
        data={"name": "一位", "department": org.a, "customers": [one.pk]},
        now=at(2026, 3, 5),
    )
    many = [register(org.sales_a) for _ in range(6)] + [register(org.sales_a2) for _ in range(2)]
    big = campaign_create(
        actor=org.manager_a,
        survey=survey,
        data={"name": "多位", "department": org.a},
        now=at(2026, 3, 5),
    )
    for customer in many[:4]:
        _answer(org.sales_a, _target(big, customer), [3, 3, 3, 3], "neutral", day=(2026, 3, 6))
    _answer(org.manager_a, _target(big, many[4]), [1, 1, 1, 1], "unsatisfied", day=(2026, 3, 6))
    client = login(org.manager_a)
    small_cost = _count(client, reverse("service:survey_campaign", args=[small.pk]))
    big_cost = _count(client, reverse("service:survey_campaign", args=[big.pk]))
    assert big_cost == small_cost
    list_cost = _count(client, reverse("service:survey_list"))
    for i in range(3):
        campaign_create(
            actor=org.manager_a,
            survey=survey,
            data={"name": f"再来{i}", "department": org.a},
            now=at(2026, 3, 7),
        )
    assert _count(client, reverse("service:survey_list")) == list_cost


def test_the_demo_seeder_builds_one_survey_with_an_unsatisfied_answer(org):
    from datetime import date

    from service.demo_surveys import seed_surveys

    for _ in range(5):
        register(org.sales_a)
    lines = seed_surveys(today=date(2026, 4, 20), users={"east.manager": org.manager_a})
    assert len(lines) == 1
    assert Survey.objects.get().questions.count() == 4
    assert SurveyResponse.objects.filter(overall="unsatisfied").count() == 1
    assert seed_surveys(today=date(2026, 4, 20), users={"east.manager": org.manager_a}) == []
