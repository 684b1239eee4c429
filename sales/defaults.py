"""Default numbers of sales (SPEC §10), editable afterwards in 系统管理 without a deploy.

- The probability (赢率) of each opportunity stage: `StageProbability` rows, seeded by
  migration 0002 and, should a row be missing (a flushed test database, an admin who deleted
  one through the shell), created again after every migrate. Readers go through
  `stage_probabilities()`, which falls back to these defaults for a missing row.
- The grace of the monthly 一般行动 check: an opportunity created in the last
  `OPPORTUNITY_ACTION_GRACE_DAYS` days of a month is first checked the month after (see
  `sales.selectors.opportunities.missing_action`). Read from django-constance when the key is
  configured there, otherwise this default.
"""

from constance import config

from .models import StageProbability

PROBABILITY_DEFAULTS: dict[str, int] = {
    "contact": 10,
    "needs": 25,
    "proposal": 50,
    "negotiation": 75,
    "won": 100,
    "lost": 0,
}

OPPORTUNITY_ACTION_GRACE_DAYS = 7


def stage_probabilities() -> dict[str, int]:
    """{stage: probability in per cent} from the admin-edited table (one query); a stage
    without a row takes its default."""
    found = dict(StageProbability.objects.values_list("stage", "probability"))
    return {stage: found.get(stage, default) for stage, default in PROBABILITY_DEFAULTS.items()}


def action_grace_days() -> int:
    """Days at the end of a month during which a new opportunity is not yet checked."""
    return int(config.OPPORTUNITY_ACTION_GRACE_DAYS)


def ensure_stage_probabilities() -> None:
    """Create the missing stage rows with their defaults; an edited row is left alone."""
    for stage, probability in PROBABILITY_DEFAULTS.items():
        StageProbability.objects.get_or_create(stage=stage, defaults={"probability": probability})


def ensure_on_migrate(sender, **kwargs) -> None:
    ensure_stage_probabilities()
