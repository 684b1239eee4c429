"""Reads that carry allocation rules, one module per area (distribution, swaps, handovers,
disputes, notices). Services may import selectors; selectors never import services' writes.

The names below were importable from `allocation.selectors` before it became a package."""

from .distribution import (
    LEFT_KINDS,
    claims_submitted_on,
    cooldown_ends,
    store_collected_waiting,
    store_collected_waiting_counts,
    store_collected_waiting_rows,
)

__all__ = [
    "LEFT_KINDS",
    "claims_submitted_on",
    "cooldown_ends",
    "store_collected_waiting",
    "store_collected_waiting_counts",
    "store_collected_waiting_rows",
]
