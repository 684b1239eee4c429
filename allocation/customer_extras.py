"""What allocation adds to customers' pages (customers/extras.py, registered in
AllocationConfig.ready): the list's reclaim countdown (天后回收), the detail page's report and
claim buttons, the timeline's 不满意 verification. Data for a whole page in one load; the clock
comes from the view."""

from crm.rights import may_manage_departments

from .selectors.notices import verified_followup_ids
from .services.warnings import countdown_policies, days_left


def countdown_values(customers: list, *, today) -> dict[int, int | None]:
    """Days until each held customer's earliest reclaim day under the active rules that apply
    to it; none for a pool customer. One query for the rules, none when no row is held."""
    held = [c for c in customers if c.holder_id is not None]
    if not held:
        return {}
    policies = countdown_policies()
    return {c.pk: days_left(c, policies, today) for c in held}


def unsatisfied_verification(entries: list, *, user) -> dict:
    """`verified_unsatisfied` for managers and the GM (it gates their verify buttons): the ids
    of the page's unsatisfied follow-ups a manager has verified — one query, none when there
    are no unsatisfied follow-ups on the page."""
    if not may_manage_departments(user):
        return {"verified_unsatisfied": None}
    ids = [
        e.obj.pk for e in entries if e.type == "followup" and e.obj.satisfaction == "unsatisfied"
    ]
    return {"verified_unsatisfied": verified_followup_ids(ids)}
