"""客户信用评价 (003 三, SPEC §11): the only way a customer's credit rating changes."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from crm.errors import RuleError

from ..credit_rules import FACTORS, credit_scheme, grade_for, weighted_score
from ..errors import NotAllowed
from ..models import CreditEvaluation, Customer
from ..rights import may_evaluate_credit
from .records import customer_lock


class CreditError(RuleError):
    """The evaluation is unacceptable as entered."""


def _clean_scores(scores: dict) -> dict[str, int]:
    cleaned = {}
    for factor in FACTORS:
        value = scores.get(factor)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise CreditError(_("Each of the five scores is a whole number from 0 to 100."))
        cleaned[factor] = value
    return cleaned


@transaction.atomic
def credit_evaluate(
    *, actor, customer: Customer, scores: dict, notes: str = "", now: datetime
) -> CreditEvaluation:
    """Score the customer on the 5C (0–100 each), weigh them with the scheme in force (the
    weights are copied onto the evaluation), grade the weighted score at the thresholds and set
    the customer's credit rating — evaluation, rating and the customer's history in one
    transaction. Only the department's managers, its accountants and the GM evaluate."""
    locked = customer_lock(customer)
    if not may_evaluate_credit(actor, locked):
        raise NotAllowed(
            _(
                "Credit is evaluated by the department's managers, its accountants and the "
                "general manager."
            )
        )
    cleaned = _clean_scores(scores)
    scheme = credit_scheme()
    score = weighted_score(cleaned, scheme.weights)
    grade = grade_for(score, scheme)
    evaluation = CreditEvaluation.objects.create(
        customer=locked,
        evaluator=actor,
        evaluated_at=now,
        weights=dict(scheme.weights),
        score=score,
        grade=grade,
        notes=(notes or "").strip(),
        **cleaned,
    )
    if locked.credit_rating != grade:
        locked.credit_rating = grade
        locked._history_user = actor
        locked._history_date = now
        locked.save(update_fields=["credit_rating"])
    return evaluation
