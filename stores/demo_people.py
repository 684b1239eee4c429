"""Demo of the store's people (SPEC §12): the four designer levels, the five demo designers'
profiles, two weeks of attendance (store.d4 absent twice and late once: excluded from dispatch
for repeated absence at DISPATCH_ABSENCE_LIMIT = 3), store.d3 out today, and last month's 主材
sales (store.d1, d2, d4 meet the 50,000 yuan standard; d3 and d5 do not). Written through the
services, as the store's manager and customer manager would."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from crm.calendar import SHANGHAI, is_workday, overrides_between

from .models import Attendance, DesignerLevel, DesignerProfile
from .services.people import (
    attendance_record,
    designer_month_record,
    designer_profile_save,
    outing_register,
)

# (name, rank, senior, charges a design fee)
LEVELS = [
    ("助理设计师", 1, False, False),
    ("设计师", 2, False, False),
    ("主任设计师", 3, True, False),
    ("首席设计师", 4, True, True),
]

PROFILES = {
    "store.d1": {
        "level": "首席设计师",
        "school": "清华大学美术学院 环境艺术设计专业",
        "work_history": "2009–2014 北京 东易日盛装饰 设计师\n2014 至今 北京 本公司 首席设计师",
        "styles": ["modern", "chinese", "light_luxury"],
        "awards": "2019 中国室内设计大奖赛 住宅类金奖\n2022 CIDA 中国室内设计年度人物提名",
        "published_works": "《现代中式住宅》刊登于《室内设计与装修》2021 年第 6 期",
        "suited_customers": ["entrepreneur", "foreign", "private"],
    },
    "store.d2": {
        "level": "主任设计师",
        "school": "中央美术学院 建筑学院 室内设计专业",
        "work_history": "2012–2016 天津 业之峰装饰 设计师\n2016 至今 北京 本公司",
        "styles": ["european", "american", "mediterranean"],
        "awards": "2020 北京市家装设计大赛 银奖",
        "published_works": "作品《欧式雅居》收录于《中国家装设计年鉴 2020》",
        "suited_customers": ["entrepreneur", "state_owned", "education"],
    },
    "store.d3": {
        "level": "设计师",
        "school": "北京林业大学 艺术设计学院",
        "work_history": "2016–2019 石家庄 城市人家装饰 助理设计师\n2019 至今 北京 本公司",
        "styles": ["nordic", "japanese", "modern"],
        "awards": "2021 公司年度优秀设计师",
        "published_works": "",
        "suited_customers": ["freelance", "private", "other"],
    },
    "store.d4": {
        "level": "设计师",
        "school": "北京建筑大学 建筑与城市规划学院",
        "work_history": "2017 至今 北京 本公司",
        "styles": ["modern", "industrial"],
        "awards": "",
        "published_works": "",
        "suited_customers": ["private", "foreign"],
    },
    "store.d5": {
        "level": "助理设计师",
        "school": "北京工业大学 艺术设计学院（2023 届）",
        "work_history": "2023 至今 北京 本公司 助理设计师",
        "styles": ["nordic"],
        "awards": "",
        "published_works": "",
        "suited_customers": ["freelance", "other"],
    },
}

# Last month's 主材 sales in yuan (the standard is 50,000).
SALES = {
    "store.d1": Decimal("86500"),
    "store.d2": Decimal("62300"),
    "store.d3": Decimal("38000"),
    "store.d4": Decimal("51200"),
    "store.d5": Decimal("12500"),
}

WORKING_DAYS = 10  # the last 10 working days before today, then today


def _levels() -> dict[str, DesignerLevel]:
    return {
        name: DesignerLevel.objects.get_or_create(
            name=name, defaults={"rank": rank, "is_senior": senior, "charges_design_fee": fee}
        )[0]
        for name, rank, senior, fee in LEVELS
    }


def _working_days_before(today: date, count: int) -> list[date]:
    """The `count` working days before `today`, oldest first (crm.calendar)."""
    overrides = overrides_between(today - timedelta(days=60), today)
    days, day = [], today
    while len(days) < count:
        day -= timedelta(days=1)
        if is_workday(day, overrides=overrides):
            days.append(day)
    return sorted(days)


def _status(username: str, index: int) -> str:
    """store.d4 is absent twice and late once; d2 takes a day of leave; the rest are on duty."""
    s = Attendance.Status
    if username == "store.d4":
        return {1: s.ABSENT, 4: s.LATE, 7: s.ABSENT}.get(index, s.PRESENT)
    if username == "store.d2" and index == 5:
        return s.LEAVE
    return s.PRESENT


def seed_people(*, today: date, users: dict, light: bool = False) -> list[str]:
    manager, cm1 = users.get("store.manager"), users.get("store.cm1")
    designers = {name: users.get(name) for name in PROFILES}
    if manager is None or cm1 is None or None in designers.values():
        return []
    if DesignerProfile.objects.filter(user=designers["store.d1"]).exists():
        return []
    store = manager.staff.department
    levels = _levels()
    at_nine = datetime.combine(today, time(9), SHANGHAI)
    for username, profile in PROFILES.items():
        designer_profile_save(
            actor=manager,
            designer=designers[username],
            data={**profile, "level": levels[profile["level"]]},
            now=at_nine,
        )
    days = [*_working_days_before(today, WORKING_DAYS), today]
    notes = {"absent": "未请假未到岗", "late": "迟到 40 分钟", "leave": "事假"}
    for index, day in enumerate(days):
        rows = []
        for username, designer in designers.items():
            status = _status(username, index)
            rows.append({"designer": designer, "status": status, "note": notes.get(status, "")})
        # Kept by the customer manager at the end of that day (the sheet's window is a week).
        attendance_record(
            actor=cm1,
            store=store,
            day=day,
            rows=rows,
            now=datetime.combine(day, time(18), SHANGHAI),
        )
    outing_register(
        actor=cm1,
        store=store,
        designer=designers["store.d3"],
        purpose="去望京花园量房",
        out_at=datetime.combine(today, time(10), SHANGHAI),
        now=datetime.combine(today, time(10, 5), SHANGHAI),
    )
    last_month = today.replace(day=1) - relativedelta(months=1)
    designer_month_record(
        actor=manager,
        store=store,
        month=last_month,
        rows=[{"designer": designers[u], "main_material_sales": v} for u, v in SALES.items()],
        now=at_nine,
    )
    return [
        f"designer profiles: {len(PROFILES)}, attendance days: {len(days)}, "
        f"outings: 1, main-material figures: {len(SALES)} ({last_month:%Y-%m})"
    ]
