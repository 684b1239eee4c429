"""Demo visitor register (SPEC §12) for the store 朝阳家居体验店: about 25 visitors over the last
30 days (store visits and phone inquiries, some anonymous, a repeat caller), a consultant's
notice matched by a visitor and one still waiting, one visitor whose source waits for the
store manager, and last week's 对单 signed. Everything goes through the services: visitors
with a phone become customers (walk-ins into the store's pool)."""

from datetime import date, datetime, time, timedelta

from crm.calendar import SHANGHAI
from crm.models import Department

from .models.visitors import Visit
from .selectors.visitors import monday_of
from .services.visitors import prereg_create, reconciliation_sign, visit_register

STORE_NAME = "朝阳家居体验店"

# (days ago, hour, kind, name, phone, community, source, occupation, focus, grade)
ROWS = [
    (
        29,
        10,
        "store",
        "王建国",
        "13766880001",
        "望京花园",
        "walk_in",
        "entrepreneur",
        "brand design",
        "C",
    ),
    (28, 14, "store", "", "", "", "walk_in", "", "", "D"),
    (27, 11, "phone", "李女士", "13766880002", "", "media", "private", "price", "C"),
    (
        26,
        15,
        "store",
        "张伟",
        "13766880003",
        "太阳宫",
        "friend",
        "education",
        "reputation quality",
        "B",
    ),
    (25, 16, "store", "", "", "大望路", "community", "other", "promotion", "D"),
    (24, 10, "phone", "", "", "", "media", "", "", "D"),
    (
        23,
        13,
        "store",
        "赵丽",
        "13766880004",
        "国贸",
        "exhibition",
        "foreign",
        "design materials",
        "B",
    ),
    (
        21,
        11,
        "store",
        "陈先生",
        "13766880005",
        "亚运村",
        "site",
        "state_owned",
        "quality craft",
        "C",
    ),
    (20, 17, "phone", "李女士", "13766880002", "", "media", "private", "price", "C"),
    (19, 10, "store", "", "", "酒仙桥", "walk_in", "freelance", "design", "D"),
    (
        17,
        14,
        "store",
        "周敏",
        "13766880006",
        "望京花园",
        "store",
        "private",
        "service price",
        "B",
    ),
    (16, 15, "phone", "吴先生", "13766880007", "", "online", "", "", "D"),
    (14, 10, "store", "郑华", "13766880008", "三里屯", "walk_in", "entrepreneur", "brand", "A"),
    (13, 11, "store", "", "", "", "walk_in", "", "", "D"),
    (12, 16, "store", "孙悦", "13766880009", "双井", "friend", "education", "reputation", "C"),
    (10, 14, "phone", "", "13766880010", "", "media", "", "promotion", "D"),
    (9, 10, "store", "刘洋", "13766880011", "朝阳公园", "community", "foreign", "materials", "B"),
    (8, 15, "store", "", "", "团结湖", "walk_in", "other", "price", "D"),
    (7, 11, "store", "马丽", "13766880012", "望京花园", "designer", "private", "design", "B"),
    (6, 14, "phone", "黄先生", "13766880013", "", "phone", "state_owned", "service", "C"),
    (5, 10, "store", "何静", "13766880014", "四惠", "designer", "freelance", "craft", "C"),
    (4, 16, "store", "", "", "", "walk_in", "", "", "D"),
    (
        3,
        11,
        "store",
        "林峰",
        "13766880015",
        "大屯",
        "exhibition",
        "entrepreneur",
        "brand quality",
        "B",
    ),
    (2, 15, "phone", "", "", "", "media", "", "", "D"),
    (
        1,
        10,
        "store",
        "许杰",
        "13766880016",
        "惠新西街",
        "walk_in",
        "education",
        "design price",
        "C",
    ),
]
MATCHED = ("马丽", "13766880012", "望京花园")  # announced by the consultant, then came
WAITING = ("钱多多", "13766880099", "北苑家园")  # announced, not yet come


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), SHANGHAI)


def seed_visitors(*, today: date, users: dict, light: bool = False) -> list[str]:
    store = Department.objects.filter(name=STORE_NAME, kind=Department.Kind.STORE).first()
    cm1, cm2 = users.get("store.cm1"), users.get("store.cm2")
    consultant = users.get("store.hc1")
    if store is None or cm1 is None or consultant is None:
        return []
    if Visit.objects.filter(store=store).exists():
        return []
    cm2 = cm2 or cm1
    rows = [r for i, r in enumerate(ROWS) if not light or i % 2 == 0 or r[3] == MATCHED[0]]
    matched_day = today - timedelta(days=7)
    prereg_create(
        actor=consultant,
        store=store,
        consultant=consultant,
        data={
            "name": MATCHED[0],
            "gender": "female",
            "phone": MATCHED[1],
            "community": MATCHED[2],
            "expected_on": matched_day,
        },
        now=_at(matched_day - timedelta(days=2), 9),
    )
    made = 0
    for i, (ago, hour, kind, name, phone, community, source, occupation, focus, grade) in enumerate(
        rows
    ):
        occurred_at = _at(today - timedelta(days=ago), hour)
        late = i % 9 == 4  # a few typed the next morning
        now = occurred_at + (timedelta(hours=18) if late else timedelta(minutes=40))
        visit_register(
            actor=cm1 if i % 3 else cm2,
            store=store,
            data={
                "kind": kind,
                "occurred_at": occurred_at,
                "visitor_name": name,
                "phone": phone,
                "community": community,
                "source": source,
                "occupation": occupation,
                "focus_points": focus.split(),
                "intent_grade": grade,
                "house_area": 90 + 5 * i if kind == "store" and name else None,
                "note": "",
            },
            now=now,
        )
        made += 1
    lines = [f"visitor register: {made} lines"]
    prereg_create(
        actor=consultant,
        store=store,
        consultant=consultant,
        data={
            "name": WAITING[0],
            "gender": "male",
            "phone": WAITING[1],
            "community": WAITING[2],
            "expected_on": today + timedelta(days=2),
        },
        now=_at(today, 9),
    )
    lines.append("consultant pre-registrations: 2")
    market = users.get("gm") or users.get("store.manager") or cm1
    week_start = monday_of(today) - timedelta(days=7)
    reconciliation_sign(
        actor=cm1,
        store=store,
        week_start=week_start,
        market_manager=market,
        note="周一与市场部对单,无差异",
        now=_at(monday_of(today), 10),
    )
    lines.append("weekly 对单: 1")
    return lines
