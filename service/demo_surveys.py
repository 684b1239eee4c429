"""Demo satisfaction survey for `seed_demo`: one survey of four weighted questions, a campaign
to customers of 华东销售部 and a few answers (one 不满意 waiting for the manager)."""

from datetime import date, datetime, time, timedelta

from crm.calendar import SHANGHAI

from .models import Survey, SurveyTarget
from .services.surveys import campaign_create, response_record, survey_create

QUESTIONS = [
    ("产品质量是否符合您的预期？", 40),
    ("交货及安装是否准时？", 25),
    ("销售人员的服务态度如何？", 20),
    ("售后问题的处理速度如何？", 15),
]
ANSWERS = [
    ("satisfied", [5, 5, 4, 5], "整体满意，安装师傅很专业。"),
    ("neutral", [4, 3, 4, 3], "交货晚了两天，其余还好。"),
    ("unsatisfied", [2, 1, 3, 2], "安装拖延一周，售后电话一直没人回。"),
]


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), SHANGHAI)


def seed_surveys(*, today: date, users: dict, light: bool = False) -> list[str]:
    manager = users.get("east.manager")
    if manager is None or Survey.objects.exists():
        return []
    department = manager.staff.department
    start = today - timedelta(days=10)
    survey = survey_create(
        actor=manager,
        data={"title": "客户满意度调查（季度）", "scale": 5, "questions": QUESTIONS},
        now=_at(start, 9),
    )
    campaign = campaign_create(
        actor=manager,
        survey=survey,
        data={"name": f"{start:%Y-%m} 华东老客户回访", "department": department, "held_only": True},
        now=_at(start, 10),
    )
    targets = list(
        SurveyTarget.objects.filter(campaign=campaign)
        .select_related("customer")
        .order_by("pk")[: len(ANSWERS) + 1]
    )
    answered = 0
    for i, target in enumerate(targets):
        day = start + timedelta(days=1 + i)
        if i >= len(ANSWERS):
            data = {"called_at": _at(day, 15), "is_reachable": False, "comment": "无人接听"}
        else:
            overall, scores, comment = ANSWERS[i]
            ids = [q.pk for q in survey.questions.all()]
            data = {
                "called_at": _at(day, 15),
                "is_reachable": True,
                "overall": overall,
                "comment": comment,
                "scores": dict(zip(ids, scores, strict=True)),
            }
        response_record(actor=manager, target=target, data=data, now=_at(day, 16))
        answered += 1
    n = SurveyTarget.objects.filter(campaign=campaign).count()
    return [f"满意度调查演示：1 份问卷，1 个调查批次（{n} 位客户），{answered} 条回访记录"]
