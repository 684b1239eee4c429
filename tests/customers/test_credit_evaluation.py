"""客户信用评价 (SPEC §11, 003 三): 5C scores weighed into a grade at the admin-edited thresholds,
the weights copied onto each evaluation (history stays true), who may evaluate, and the
customer's credit rating set only through an evaluation (never typed, never imported)."""

from datetime import datetime, timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from customers import excel
from customers.credit_rules import Scheme, credit_scheme, grade_for, weighted_score
from customers.errors import NotAllowed
from customers.models import CreditEvaluation, CreditGradeRule, CreditWeight, Customer
from customers.selectors import ARCHIVE_FIELDS
from customers.services import customer_update
from customers.services.credit import CreditError, credit_evaluate
from tests.factories import register

pytestmark = [pytest.mark.django_db]
SH = ZoneInfo("Asia/Shanghai")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=SH)


def scores(character, capacity, capital, collateral, conditions):
    return {
        "character": character,
        "capacity": capacity,
        "capital": capital,
        "collateral": collateral,
        "conditions": conditions,
    }


@pytest.fixture
def customer(org):
    return register(org.sales_a, now=T0)


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("100", "A"),
        ("85", "A"),
        ("84.99", "B"),
        ("70", "B"),
        ("69.99", "C"),
        ("55", "C"),
        ("54.99", "D"),
        ("0", "D"),
    ],
)
def test_grades_at_the_default_thresholds(score, grade):
    assert grade_for(Decimal(score), credit_scheme()) == grade


def test_thresholds_are_read_from_the_admin_rows():
    CreditGradeRule.objects.filter(grade="A").update(min_score=Decimal("90"))
    scheme = credit_scheme()
    assert grade_for(Decimal("89.99"), scheme) == "B"
    assert grade_for(Decimal("90"), scheme) == "A"


def test_a_missing_row_reads_as_its_default():
    CreditWeight.objects.all().delete()
    CreditGradeRule.objects.all().delete()
    scheme = credit_scheme()
    assert scheme.weights == {
        "character": 30,
        "capacity": 25,
        "capital": 20,
        "collateral": 15,
        "conditions": 10,
    }
    assert scheme.thresholds[0] == ("A", Decimal("85"))


def test_weighted_score_divides_by_the_sum_of_the_weights():
    weights = {"character": 1, "capacity": 1, "capital": 1, "collateral": 1, "conditions": 0}
    assert weighted_score(scores(100, 90, 80, 70, 0), weights) == Decimal("85.00")
    assert weighted_score(scores(1, 0, 0, 0, 0), {**weights, "capacity": 2}) == Decimal("0.20")
    assert grade_for(Decimal("84.99"), Scheme(weights, [("A", Decimal("85"))])) == "D"


@pytest.mark.parametrize(
    ("given", "score", "grade"),
    [
        (scores(85, 85, 85, 85, 85), "85.00", "A"),
        (scores(85, 85, 85, 85, 84), "84.90", "B"),
        (scores(100, 80, 60, 40, 20), "70.00", "B"),  # 30+20+12+6+2
        (scores(100, 80, 60, 40, 19), "69.90", "C"),
        (scores(55, 55, 55, 55, 55), "55.00", "C"),
        (scores(55, 55, 55, 54, 55), "54.85", "D"),
    ],
)
def test_evaluation_weighs_the_5c_and_grades_the_customer(org, customer, given, score, grade):
    evaluation = credit_evaluate(
        actor=org.manager_a, customer=customer, scores=given, notes="年度评估", now=T0
    )
    assert evaluation.score == Decimal(score) and evaluation.grade == grade
    assert evaluation.evaluator == org.manager_a and evaluation.evaluated_at == T0
    customer.refresh_from_db()
    assert customer.credit_rating == grade
    latest = customer.history.first()
    assert latest.credit_rating == grade and latest.history_user == org.manager_a


def test_edited_weights_change_new_evaluations_only_and_history_is_kept(org, customer):
    first = credit_evaluate(
        actor=org.manager_a, customer=customer, scores=scores(100, 80, 60, 40, 20), now=T0
    )
    assert (first.score, first.grade) == (Decimal("70.00"), "B")
    CreditWeight.objects.filter(factor="character").update(weight=0)
    CreditWeight.objects.filter(factor="conditions").update(weight=40)
    later = T0 + timedelta(days=30)
    second = credit_evaluate(
        actor=org.accountant_a, customer=customer, scores=scores(100, 80, 60, 40, 20), now=later
    )
    # (0 + 25×80 + 20×60 + 15×40 + 40×20) / 100 = 46
    assert (second.score, second.grade) == (Decimal("46.00"), "D")
    first.refresh_from_db()
    assert first.weights["character"] == 30 and first.score == Decimal("70.00")
    assert first.grade == "B"
    assert second.weights["character"] == 0 and second.weights["conditions"] == 40
    history = list(customer.credit_evaluations.order_by("evaluated_at"))
    assert history == [first, second]
    customer.refresh_from_db()
    assert customer.credit_rating == "D"


@pytest.mark.parametrize("bad", [101, -1, "80", None, 80.5, True])
def test_scores_out_of_range_are_refused_and_write_nothing(org, customer, bad):
    with pytest.raises(CreditError):
        credit_evaluate(
            actor=org.manager_a, customer=customer, scores=scores(bad, 80, 80, 80, 80), now=T0
        )
    assert not CreditEvaluation.objects.exists()
    customer.refresh_from_db()
    assert customer.credit_rating == ""


@pytest.mark.parametrize(
    ("who", "may"),
    [
        ("manager_a", True),
        ("accountant_a", True),
        ("gm", True),
        ("sales_a", False),  # the holder does not grade their own customer
        ("sales_a2", False),
        ("manager_b", False),
        ("accountant_b", False),
    ],
)
def test_who_may_evaluate(org, customer, who, may):
    actor = getattr(org, who)
    if may:
        credit_evaluate(actor=actor, customer=customer, scores=scores(*[90] * 5), now=T0)
        assert CreditEvaluation.objects.get().evaluator == actor
    else:
        with pytest.raises(NotAllowed):
            credit_evaluate(actor=actor, customer=customer, scores=scores(*[90] * 5), now=T0)
        assert not CreditEvaluation.objects.exists()


def _post(scores_, notes=""):
    return {**scores_, "notes": notes}


def test_pages_evaluate_and_show_history(org, customer, login):
    url = reverse("customers:credit_evaluate", args=[customer.pk])
    client = login(org.manager_b)
    assert client.get(url).status_code == 404
    assert client.post(url, _post(scores(90, 90, 90, 90, 90))).status_code == 404
    client = login(org.sales_a)
    assert client.get(url).status_code == 404
    assert client.post(url, _post(scores(90, 90, 90, 90, 90))).status_code == 404
    assert not CreditEvaluation.objects.exists()

    client = login(org.accountant_a)
    page = client.get(url)
    assert page.status_code == 200 and 'name="character"' in page.content.decode()
    bad = client.post(url, _post(scores(900, 90, 90, 90, 90)))
    assert bad.status_code == 400 and not CreditEvaluation.objects.exists()
    done = client.post(url, _post(scores(40, 40, 40, 40, 40), "拖欠货款两次"))
    assert done.status_code == 302
    customer.refresh_from_db()
    assert customer.credit_rating == "D"

    detail = login(org.sales_a).get(reverse("customers:detail", args=[customer.pk]))
    body = detail.content.decode()
    assert 'data-testid="credit"' in body and "拖欠货款两次" in body
    assert 'data-testid="evaluate-credit"' not in body  # the holder reads, never evaluates
    manager_page = login(org.manager_a).get(reverse("customers:detail", args=[customer.pk]))
    assert 'data-testid="evaluate-credit"' in manager_page.content.decode()


def test_history_section_queries_do_not_grow_with_evaluations(org, customer, login):
    client = login(org.manager_a)
    url = reverse("customers:detail", args=[customer.pk])
    credit_evaluate(actor=org.manager_a, customer=customer, scores=scores(*[60] * 5), now=T0)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for day in range(1, 13):
        credit_evaluate(
            actor=org.gm,
            customer=customer,
            scores=scores(*[60 + day] * 5),
            now=T0 + timedelta(days=day),
        )
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).content.decode()
    assert len(many) == len(one)
    assert body.count('data-testid="credit-grade"') == 10


# --- the grade is never typed ----------------------------------------------------------------


def test_nobody_types_a_credit_rating(org, customer, login):
    with pytest.raises(NotAllowed):
        customer_update(actor=org.manager_a, customer=customer, data={"credit_rating": "A"}, now=T0)
    client = login(org.manager_a)
    edit = reverse("customers:edit", args=[customer.pk])
    assert 'name="credit_rating"' not in client.get(edit).content.decode()
    data = {f: getattr(customer, f) for f in ARCHIVE_FIELDS if f != "is_organisation"}
    data.update(
        {
            "is_organisation": "on",
            "customer_class": customer.customer_class,
            "intent_grade": customer.intent_grade,
            "region": "华东",
            "credit_rating": "A",
        }
    )
    response = client.post(edit, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    customer.refresh_from_db()
    assert customer.region == "华东" and customer.credit_rating == ""
    register_page = client.get(reverse("customers:register")).content.decode()
    assert 'name="credit_rating"' not in register_page


def test_an_import_with_a_credit_column_is_refused(org):
    wb = Workbook()
    wb.active.append([excel.column_label("name"), excel.column_label("source"), "信用等级"])
    wb.active.append(["导入信用客户有限公司", "电话", "A"])
    buffer = BytesIO()
    wb.save(buffer)
    upload = SimpleUploadedFile("credit.xlsx", buffer.getvalue(), content_type=XLSX)
    with pytest.raises(excel.WorkbookError, match="信用等级"):
        excel.read_workbook(upload)
    assert "credit_rating" not in excel.import_keys()
    assert not Customer.objects.filter(name="导入信用客户有限公司").exists()
