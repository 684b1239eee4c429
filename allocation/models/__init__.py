"""Models of allocation: distribution and requests (distribution.py), swaps (swaps.py),
handovers and disputes (handover.py)."""

from .distribution import ClaimRequest, DistributionBatch, DistributionItem, WrongNumberReport
from .handover import *  # noqa: F403
from .reclaim import *  # noqa: F403
from .swaps import *  # noqa: F403

__all__ = ["ClaimRequest", "DistributionBatch", "DistributionItem", "WrongNumberReport"]
