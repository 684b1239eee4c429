"""Customer-service pages (SPEC §11). Each area keeps its own block; a block's views live in
`service/views/<area>.py`."""

from django.urls import path  # noqa: F401

app_name = "service"

urlpatterns = [
    # --- complaints (投诉) ---
    # --- yearly evaluation (年度评价) ---
    # --- satisfaction surveys (满意度调查) ---
    # --- revisit plans and customer care (回访计划, 客户关怀) ---
    # --- competitors (竞争对手) ---
]
