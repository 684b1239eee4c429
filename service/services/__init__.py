"""Writes of customer service (SPEC §11), one module per area."""
