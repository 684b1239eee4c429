"""Sales pages (SPEC §10). Each area keeps its own block; a block's views live in
`sales/views/<area>.py`."""

app_name = "sales"

urlpatterns = [
    # --- opportunities (销售机会) ---
    # --- contracts, attachments, amendments, collections, returns ---
    # --- receivables, ageing, reminder letters (应收账款, 电子催款单) ---
    # --- dormant customers, cross-sales, credit transfers ---
    # --- reports: funnel, by month, ranking, yearly table ---
]
