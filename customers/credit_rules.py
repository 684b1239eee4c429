"""The credit scheme and grade policy as the rules read them (003 三, SPEC §11).

The admin edits `CreditWeight` and `CreditGradeRule` rows (seeded by migration 0014 and, should a
row be missing — a flushed test database — created again after every migrate); a missing row
reads as its default here. Pure reads: no clock, no writes but `ensure_credit_scheme`.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .models import CreditFactor, CreditGradeRule, CreditWeight, Grade, Settlement

CENT = Decimal("0.01")
FACTORS = [f.value for f in CreditFactor]
WEIGHT_DEFAULTS: dict[str, int] = {
    "character": 30,
    "capacity": 25,
    "capital": 20,
    "collateral": 15,
    "conditions": 10,
}
# grade → (lowest weighted score, allowed settlement methods)
GRADE_DEFAULTS: dict[str, tuple[Decimal, tuple[str, ...]]] = {
    "A": (Decimal("85"), tuple(Settlement.values)),
    "B": (Decimal("70"), tuple(Settlement.values)),
    "C": (Decimal("55"), tuple(Settlement.values)),
    "D": (Decimal("0"), (Settlement.CASH.value,)),
}
_ALLOWS = {
    Settlement.CASH.value: "allows_cash",
    Settlement.ROLLING.value: "allows_rolling",
    Settlement.GOODS_FIRST.value: "allows_goods_first",
}


@dataclass(frozen=True)
class Scheme:
    weights: dict[str, int]  # factor → weight
    thresholds: list[tuple[str, Decimal]]  # (grade, lowest score), best grade first


def _allowed(rule: CreditGradeRule) -> tuple[str, ...]:
    return tuple(code for code, flag in _ALLOWS.items() if getattr(rule, flag))


def credit_scheme() -> Scheme:
    """The weights and thresholds in force (two small queries)."""
    found = dict(CreditWeight.objects.values_list("factor", "weight"))
    weights = {f: found.get(f, WEIGHT_DEFAULTS[f]) for f in FACTORS}
    lows = dict(CreditGradeRule.objects.values_list("grade", "min_score"))
    thresholds = [(g, lows.get(g, GRADE_DEFAULTS[g][0])) for g in Grade.values]
    return Scheme(weights=weights, thresholds=thresholds)


def weighted_score(scores: dict[str, int], weights: dict[str, int]) -> Decimal:
    """Σ score × weight ÷ Σ weight, rounded half up to 0.01 (scores 0–100)."""
    total = sum(weights.values())
    if total <= 0:
        return Decimal("0.00")
    raw = Decimal(sum(scores[f] * weights[f] for f in FACTORS)) / Decimal(total)
    return raw.quantize(CENT, rounding=ROUND_HALF_UP)


def grade_for(score: Decimal, scheme: Scheme) -> str:
    """The best grade whose lowest score `score` reaches; D when none does."""
    for grade, low in scheme.thresholds:
        if score >= low:
            return grade
    return Grade.D.value


def grade_allows() -> dict[str, list[str]]:
    """{grade: allowed settlement methods} of the policy in force (one query)."""
    rules = {r.grade: _allowed(r) for r in CreditGradeRule.objects.all()}
    return {g: list(rules.get(g, GRADE_DEFAULTS[g][1])) for g in Grade.values}


def allowed_settlements(customer) -> list[str]:
    """The settlement methods `customer` may sign: every method until a first evaluation
    gives it a grade (SPEC §11; docs/decisions.md), then what its grade's policy allows."""
    if not customer.credit_rating:
        return list(Settlement.values)
    return grade_allows()[customer.credit_rating]


def ensure_credit_scheme() -> None:
    """Create the missing scheme and policy rows with their defaults; edited rows stay."""
    for factor, weight in WEIGHT_DEFAULTS.items():
        CreditWeight.objects.get_or_create(factor=factor, defaults={"weight": weight})
    for grade, (low, allowed) in GRADE_DEFAULTS.items():
        flags = {flag: code in allowed for code, flag in _ALLOWS.items()}
        CreditGradeRule.objects.get_or_create(grade=grade, defaults={"min_score": low, **flags})


def ensure_on_migrate(sender, **kwargs) -> None:
    ensure_credit_scheme()
