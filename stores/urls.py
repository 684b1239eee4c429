"""Store pages (SPEC §12). Each area keeps its own block; a block's views live in
`stores/views/<area>.py`."""

from django.urls import path

from .views import home

app_name = "stores"

urlpatterns = [
    path("", home.store_home, name="home"),
    # --- people: designers, levels, attendance, outings (设计师, 考勤, 外出登记) ---
    # --- visitor register, pre-registrations, 对单, figures (日来店顾客登记表) ---
    # --- dispatch (派单) ---
    # --- monthly review (客户经理月度考核) ---
]
