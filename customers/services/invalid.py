"""无效客户 (rule book 004 第三章 三 客户追访流程 1.C; SPEC §4, §11): "客户经理认定不能成功旳客户,
必须由部门经理亲自回访确认方可认定为无效客户".

Only a manager of the customer's department (or the GM) declares a customer invalid, and only
after a call-back or visit they logged themself within INVALID_REVISIT_DAYS (default 30) before
`now`. An invalid customer keeps its holder and its records; it leaves the follow-up and
new-customer quotas, the call-back and reclaim reminders and the default lists
(`customers.selectors.VALID`). The manager may restore it. Both writes lock the row and leave a
history row with who, when and why.
"""

from datetime import datetime

from constance import config
from django.db import transaction
from django.utils.translation import gettext as _

from crm.errors import RuleError

from ..errors import NotAllowed
from ..models import Customer
from ..rights import may_judge_validity
from ..selectors import own_revisit

REASON_MAX = Customer._meta.get_field("invalid_reason").max_length
# simple-history keeps the change reason in a 100-character column.
CHANGE_REASON_MAX = 100


def _lock_for_judgement(actor, customer: Customer) -> Customer:
    """Lock the row, then check rights on what is locked (the customer may have moved to
    another department since the page was drawn)."""
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if not may_judge_validity(actor, locked):
        raise NotAllowed(
            _(
                "Only a manager of this customer's department or the general manager may "
                "declare a customer invalid or restore it."
            )
        )
    return locked


def _clean_reason(reason: str, *, limit: int) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RuleError(_("Please give the reason."))
    if len(reason) > limit:
        raise RuleError(_("The reason may be at most %(limit)s characters.") % {"limit": limit})
    return reason


def _save(locked: Customer, *, actor, now: datetime, why: str) -> None:
    locked._history_user = actor
    locked._history_date = now
    locked._change_reason = why[:CHANGE_REASON_MAX]
    locked.save(update_fields=["is_invalid", "invalid_reason"])


@transaction.atomic
def customer_declare_invalid(*, actor, customer: Customer, reason: str, now: datetime) -> Customer:
    """Declare `customer` a 无效客户. Refused (NotAllowed) for anyone but a manager of its
    department or the GM, and for them until they have logged their own revisit (call-back,
    home or store visit, not an amendment) within INVALID_REVISIT_DAYS before `now`."""
    locked = _lock_for_judgement(actor, customer)
    if locked.is_invalid:
        raise RuleError(_("This customer is already marked invalid."))
    if own_revisit(actor, locked, now=now) is None:
        raise NotAllowed(
            _(
                "Log your own revisit first: a customer is declared invalid only after a "
                "call-back or visit by the manager themself within the last %(days)s days."
            )
            % {"days": config.INVALID_REVISIT_DAYS}
        )
    reason = _clean_reason(reason, limit=REASON_MAX)
    locked.is_invalid = True
    locked.invalid_reason = reason
    _save(locked, actor=actor, now=now, why=reason)
    return locked


@transaction.atomic
def customer_restore_valid(*, actor, customer: Customer, reason: str, now: datetime) -> Customer:
    """Undo a 无效客户 declaration: the customer counts again in every quota and list from
    `now`. Same rights as declaring; the reason goes into the history row (the stored
    `invalid_reason` is cleared — history keeps the old one)."""
    locked = _lock_for_judgement(actor, customer)
    if not locked.is_invalid:
        raise RuleError(_("This customer is not marked invalid."))
    reason = _clean_reason(reason, limit=CHANGE_REASON_MAX)
    locked.is_invalid = False
    locked.invalid_reason = ""
    _save(locked, actor=actor, now=now, why=reason)
    return locked
