"""Demo competitors (`seed_demo`, order 54): three fictional rivals of a home-furnishing market
(全屋定制), each bidding for one of the demo opportunities."""

from datetime import date, datetime, time

from crm.calendar import SHANGHAI
from sales.models import Opportunity

from .models import Competitor
from .services.competitors import competitor_create, competitor_link

CATALOGUE = [
    {
        "name": "欧雅全屋定制",
        "products": "整体橱柜、衣柜、木门；高端系列“欧雅臻品”",
        "prices": "橱柜 2,800–4,500 元/延米；衣柜 900–1,400 元/㎡（投影面积）",
        "features": "E0 级板材，全国 30 天交付，自有安装队伍",
        "strengths": "品牌知名度高，门店多，设计软件出图快",
        "weaknesses": "增项多、报价不透明；旺季安装排期长",
        "strategy": "以低价套餐引流（“19,800 元全屋套餐”），再在增项上加价",
    },
    {
        "name": "索菲诺家居",
        "products": "定制衣柜、书柜、榻榻米，配套成品家具",
        "prices": "衣柜 699–1,199 元/㎡（展开面积）",
        "features": "柜体五金终身保修，门板花色 120 余种",
        "strengths": "衣柜专业，设计师多，售后响应快",
        "weaknesses": "橱柜与木门品类弱，整装能力不足",
        "strategy": "与家装公司合作拿单，节假日满减与免费设计",
    },
    {
        "name": "尚品优家",
        "products": "全屋家具数字化定制，软装配饰",
        "prices": "按套计价：两居室 3–5 万元",
        "features": "免费上门量尺，3D 云设计，线上下单",
        "strengths": "线上获客能力强，年轻客户多",
        "weaknesses": "板材档次一般，线下门店少，安装质量参差",
        "strategy": "线上广告投放、直播带货，主攻首套房年轻客户",
    },
]


def seed_competitors(*, today: date, users: dict, light: bool = False) -> list[str]:
    if Competitor.objects.exists():
        return []
    actor = users.get("gm")
    if actor is None:
        return []
    now = datetime.combine(today, time(9, 0), tzinfo=SHANGHAI)
    made = [competitor_create(actor=actor, data=data, now=now) for data in CATALOGUE]

    linked = 0
    for competitor, opportunity in zip(
        made, Opportunity.objects.select_related("customer").order_by("pk")[:2], strict=False
    ):
        competitor_link(
            actor=actor,
            competitor=competitor,
            customer=opportunity.customer,
            opportunity=opportunity,
            note="客户同时在比价",
            now=now,
        )
        linked += 1
    return [f"competitors: {len(made)} in the catalogue, {linked} linked to opportunities"]
